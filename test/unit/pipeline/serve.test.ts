// The worker's end of the page↔worker messages: each call answered with its value or its error by
// name and message, the listener's reports sent as reports, and a page of an older protocol
// (Comlink's messages) refused in the form its Comlink reads.
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type ListenerApi } from '../../../src/pipeline/protocol.js';
import { serveListener, type MessageScope } from '../../../src/pipeline/worker/serve.js';

function fakeScope(): { scope: MessageScope; posted: unknown[]; send(data: unknown): Promise<void> } {
  const posted: unknown[] = [];
  let onMessage: (event: MessageEvent) => void = () => undefined;
  const scope: MessageScope = { addEventListener: (_type, listener) => { onMessage = listener; }, postMessage: (m) => { posted.push(m); } };
  return { scope, posted, send: async (data) => { onMessage({ data } as MessageEvent); await new Promise((r) => setTimeout(r, 0)); } };
}

const listener = (reportText?: string): ListenerApi => ({
  init: async (_init, report) => { if (reportText) report?.(reportText); return { version: PROTOCOL_VERSION, durableStorage: true }; },
  put: async () => { throw new DOMException('the disk is full', 'QuotaExceededError'); },
  flush: async (ms) => ({ notDelivered: ms, dropped: {}, lastError: null }),
  stats: async () => { throw new Error('unused'); },
  stop: async () => undefined,
});

describe('serveListener', () => {
  it('answers a call with its value, and an error by its name and message', async () => {
    const { scope, posted, send } = fakeScope();
    serveListener(listener(), scope);
    await send({ id: 1, method: 'flush', args: [7] });
    await send({ id: 2, method: 'put', args: ['{}', 1] });
    expect(posted).toEqual([
      { id: 1, value: { notDelivered: 7, dropped: {}, lastError: null } },
      { id: 2, error: { name: 'QuotaExceededError', message: 'the disk is full' } },
    ]);
  });

  it("sends the listener's reports to the page, and calls nothing that is not a method of ListenerApi", async () => {
    const { scope, posted, send } = fakeScope();
    serveListener(listener('isolog: the collector refused'), scope);
    await send({ id: 1, method: 'init', args: [{}] });
    await send({ id: 2, method: 'constructor', args: [] });
    expect(posted[0]).toEqual({ report: 'isolog: the collector refused' });
    expect(posted[1]).toEqual({ id: 1, value: { version: PROTOCOL_VERSION, durableStorage: true } });
    expect(posted[2]).toMatchObject({ id: 2, error: { name: 'TypeError' } });
  });

  it("refuses a Comlink call of an older page as a thrown Error in Comlink's wire form", async () => {
    const { scope, posted, send } = fakeScope();
    serveListener(listener(), scope);
    await send({ id: 'a-b-c', type: 'APPLY', path: ['init'], argumentList: [] });
    expect(posted).toEqual([{ id: 'a-b-c', type: 'HANDLER', name: 'throw', value: { isError: true, value: { name: 'Error', message: expect.stringContaining(`protocol ${PROTOCOL_VERSION}`) } } }]);
  });
});
