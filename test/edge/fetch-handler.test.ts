// FetchHandler inside real workerd (Miniflare): records reach the project's collector, run in this
// Node process, through workerd's own fetch.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import { collector, stored } from '../unit/collector/helpers.js';
import { startWorker } from './workerd.js';

let mf: Miniflare;
let running: Awaited<ReturnType<typeof collector>>;
beforeAll(async () => {
  running = await collector();
  mf = await startWorker(new URL('./fetch-handler-worker.ts', import.meta.url).pathname);
});
afterAll(async () => {
  await mf?.dispose();
  await running?.close();
});

it('delivers records from workerd, flush() resolving once the collector took them', async () => {
  const res = await mf.dispatchFetch(`http://localhost/?collector=${encodeURIComponent(`${running.url}/v1/logs`)}`);
  const answer = await res.json();
  expect(answer).toEqual({ handled: 2, acknowledged: 2, pending: 0, dropped: {}, lastError: null });
  const lines = stored(running.dir);
  expect(lines.map((l) => l.message)).toEqual(['from workerd 1', 'and a second']);
  expect(lines[1]).toMatchObject({ logger: 'edge.fetch', levelname: 'WARNING', attributes: { user: 'ann' }, resource: { 'service.name': 'workerd' } });
});
