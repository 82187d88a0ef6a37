// The Service Worker's relay of a closing page's beacons: it answers only keepalive POSTs to the
// collector, sends them itself, and keeps them from the listeners after it; a listener before it
// that answered first keeps the request.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { beaconRelay, type FetchEventLike } from '../../../src/pipeline/service-worker/beacon-relay.js';

const COLLECTOR = 'https://logs.example.com/v1/logs';

/** A fetch event dispatched to `target` as the browser dispatches one: respondWith only once. */
function dispatchFetch(target: EventTarget, request: Request): { answers: Promise<Response>[] } {
  const answers: Promise<Response>[] = [];
  const event = Object.assign(new Event('fetch'), {
    request,
    waitUntil: () => undefined,
    respondWith(response: Promise<Response>) {
      if (answers.length) throw new DOMException('The event has already been responded to.', 'InvalidStateError');
      answers.push(response);
    },
  }) satisfies FetchEventLike;
  target.dispatchEvent(event);
  return { answers };
}

const post = (url: string, keepalive = true): Request => new Request(url, { method: 'POST', body: '{"resourceLogs":[]}', keepalive });

afterEach(() => { vi.unstubAllGlobals(); });

describe('beaconRelay', () => {
  it('sends a keepalive POST to the collector itself (a beacon\'s ?token= too), and the listeners after it never see it', async () => {
    const sent: Request[] = [];
    vi.stubGlobal('fetch', async (request: Request) => { sent.push(request); return new Response('{}'); });
    const scope = new EventTarget();
    const later: string[] = [];
    scope.addEventListener('fetch', beaconRelay(COLLECTOR) as unknown as EventListener);
    scope.addEventListener('fetch', (e) => { later.push((e as unknown as FetchEventLike).request.url); });
    for (const url of [COLLECTOR, `${COLLECTOR}?token=T`]) {
      const { answers } = dispatchFetch(scope, post(url));
      expect(answers).toHaveLength(1);
      expect(await (await answers[0]).text()).toBe('{}');
    }
    expect(sent.map((r) => r.url)).toEqual([COLLECTOR, `${COLLECTOR}?token=T`]);
    // sent as the Service Worker's own request, not on its one keepalive budget for every page
    expect(sent.map((r) => r.keepalive)).toEqual([false, false]);
    expect(await sent[0].text()).toBe('{"resourceLogs":[]}');
    expect(later).toEqual([]);
  });

  it('leaves alone a GET, a POST without keepalive (a worker\'s flusher) and a POST elsewhere', () => {
    vi.stubGlobal('fetch', () => { throw new Error('not to be sent'); });
    const scope = new EventTarget();
    const later: string[] = [];
    scope.addEventListener('fetch', beaconRelay(COLLECTOR) as unknown as EventListener);
    scope.addEventListener('fetch', (e) => { later.push((e as unknown as FetchEventLike).request.method); });
    const requests = [new Request(COLLECTOR), post(COLLECTOR, false), post('https://logs.example.com/v1/logsx'), post('https://other.example.com/v1/logs')];
    for (const request of requests) expect(dispatchFetch(scope, request).answers).toHaveLength(0);
    expect(later).toEqual(['GET', 'POST', 'POST', 'POST']);
  });

  it('a listener before it that answered the beacon keeps it: nothing thrown, nothing sent again', async () => {
    const fetched = vi.fn(async () => new Response('{}'));
    vi.stubGlobal('fetch', fetched);
    const scope = new EventTarget();
    const errors: unknown[] = [];
    scope.addEventListener('fetch', (e) => (e as unknown as FetchEventLike).respondWith(Promise.resolve(new Response('mine'))));
    const relay = beaconRelay(COLLECTOR);
    scope.addEventListener('fetch', (e) => { try { relay(e as unknown as FetchEventLike); } catch (err) { errors.push(err); } });
    const later: string[] = [];
    scope.addEventListener('fetch', (e) => { later.push((e as unknown as FetchEventLike).request.method); });
    expect(dispatchFetch(scope, post(COLLECTOR)).answers).toHaveLength(1);
    expect(errors).toEqual([]);
    // not the relay's: the listeners after it see it as before
    expect(later).toEqual(['POST']);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(fetched).not.toHaveBeenCalled();
  });
});
