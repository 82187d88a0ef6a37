import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import { CORE_EXPECTED } from '../runtime/core-checks.js';
import { startWorker } from './workerd.js';

let mf: Miniflare;
beforeAll(async () => { mf = await startWorker(new URL('./core-worker.ts', import.meta.url).pathname); });
afterAll(async () => { await mf?.dispose(); });

it('the core runs in workerd', async () => {
  const res = await mf.dispatchFetch('http://localhost/');
  expect(await res.json()).toEqual({ results: CORE_EXPECTED });
});
