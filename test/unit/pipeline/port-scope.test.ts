// The Service Worker's end of the page↔listener messages: each page call comes as a message event
// with a port of its own, and its answer goes back on that port, whatever order the answers come in.
import { describe, expect, it } from 'vitest';
import { servePorts } from '../../../src/pipeline/service-worker/port-scope.js';
import { PROTOCOL_VERSION, type ListenerApi } from '../../../src/pipeline/protocol.js';
import type { ExtendableMessageEventLike } from '../../../src/pipeline/service-worker/scope.js';

/** A message event as a Service Worker gets it: data, one port, and waitUntil. */
function messageEvent(data: unknown, port: MessagePort | null): ExtendableMessageEventLike & { extended: Promise<unknown>[] } {
  const extended: Promise<unknown>[] = [];
  return Object.assign(new Event('message'), { data, ports: port ? [port] : [], extended, waitUntil: (p: Promise<unknown>) => { extended.push(p); } });
}

const answerOn = (port: MessagePort): Promise<unknown> => new Promise((resolve) => { port.onmessage = (e) => { port.close(); resolve(e.data); }; });

describe('servePorts', () => {
  it('answers each call on its own port with the page\'s id, in whatever order the listener settles them, and keeps the event alive until then', async () => {
    let release!: () => void;
    const slow = new Promise<void>((resolve) => { release = resolve; });
    const listener = {
      init: async () => ({ version: PROTOCOL_VERSION, durableStorage: true }),
      put: async (batch: string) => { if (batch === 'slow') await slow; },
      flush: async () => ({ notDelivered: 0, dropped: {}, lastError: null }),
      stats: async () => { throw new TypeError('no stats here'); },
      stop: async () => undefined,
    } as unknown as ListenerApi;
    const served = servePorts(listener);
    const [a, b, c] = [new MessageChannel(), new MessageChannel(), new MessageChannel()];
    const first = messageEvent({ id: 7, method: 'put', args: ['slow', 1] }, a.port2);
    expect(served(first)).toBe(true);
    expect(served(messageEvent({ id: 7, method: 'put', args: ['fast', 1] }, b.port2))).toBe(true);
    expect(served(messageEvent({ id: 9, method: 'stats', args: [] }, c.port2))).toBe(true);
    expect(await answerOn(b.port1)).toEqual({ id: 7, value: undefined });
    expect(await answerOn(c.port1)).toEqual({ id: 9, error: { name: 'TypeError', message: 'no stats here' } });
    expect(first.extended).toHaveLength(1);
    release();
    expect(await answerOn(a.port1)).toEqual({ id: 7, value: undefined });
    await first.extended[0];
  });

  it('leaves the app\'s own messages alone', () => {
    const served = servePorts({} as ListenerApi);
    const channel = new MessageChannel();
    expect(served(messageEvent({ hello: 'app' }, channel.port2))).toBe(false);
    expect(served(messageEvent({ id: 1, method: 'put', args: [] }, null))).toBe(false);
    expect(served(messageEvent({ id: 1, method: 'toString', args: [] }, channel.port2))).toBe(false);
    channel.port1.close();
  });
});
