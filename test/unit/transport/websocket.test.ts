// The WebSocket sender against real sockets: the collector's acks and nacks, and a collector that
// cannot name the batch it refuses.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { backoffMs } from '../../../src/transport/delivery.js';
import { partialSuccessOf } from '../../../src/transport/http.js';
import { WebSocketSender } from '../../../src/transport/websocket.js';
import { collector, otlp, records } from '../collector/helpers.js';

// Node 20 has no WebSocket global; the browser's and ws's speak the same events
beforeAll(() => { (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket; });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0)) await c(); });

/** A WebSocket server on 127.0.0.1 that answers every message with `answer`. */
async function answering(answer: Record<string, unknown>): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => ws.on('message', () => ws.send(JSON.stringify(answer))));
  cleanups.push(() => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }));
  return `ws://127.0.0.1:${(wss.address() as { port: number }).port}/v1/logs`;
}

function sender(url: string): WebSocketSender {
  // an ack timeout far beyond anything here: a send that waits for it has lost its answer
  const ws = new WebSocketSender(url, undefined, { backoffMs, partialSuccessOf }, 10_000);
  cleanups.push(() => ws.close());
  return ws;
}

describe('WebSocketSender', () => {
  it('gets a rate-limited batch back as 429 with its Retry-After, and the others acknowledged', async () => {
    const c = await collector({ rate: 1 });
    cleanups.push(() => c.close());
    const ws = sender(`${c.url.replace('http', 'ws')}/v1/logs`);
    const results = await Promise.all([1, 2, 3].map((i) => ws.send(otlp(records(1, `rl${i}`)))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(Number(results[2].retryAfter)).toBeGreaterThanOrEqual(1);
  }, 20_000);

  it('fails every waiting batch at once on a nack without a batch id, keeping 429 and its Retry-After', async () => {
    const ws = sender(await answering({ nack: null, status: 429, retryAfterMs: 1500, error: 'too many requests' }));
    const results = await Promise.all([ws.send(otlp(records(1, 'n1'))), ws.send(otlp(records(1, 'n2')))]);
    expect(results).toEqual([1, 2].map(() => ({ status: 429, retryAfter: '2', error: 'nack without a batch id: too many requests' })));
  }, 20_000);

  it('sends again, rather than splits or drops, the batches a nack without an id may have meant by 400', async () => {
    const ws = sender(await answering({ nack: null, status: 400, error: 'body is not JSON' }));
    expect(await ws.send(otlp(records(1, 'bad')))).toEqual({ status: null, retryAfter: null, error: 'nack without a batch id: body is not JSON' });
  }, 20_000);
});
