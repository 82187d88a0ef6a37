// The README's Cloudflare Worker quick start, as it stands in README.md, bundled as wrangler would
// and run in workerd with the README's flags, against the real collector with a token.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readmeBlock } from '../readme-blocks.js';
import { collector, stored } from '../unit/collector/helpers.js';
import type { Collector } from '../../src/collector/index.js';
import './workerd.js';

const src = new URL('../../src/', import.meta.url).pathname;
const ENTRIES = { isolog: join(src, 'index.ts'), 'isolog/edge': join(src, 'runtime/edge.ts') };

let c: Collector & { dir: string };
let mf: Miniflare;
beforeAll(async () => {
  c = await collector({ token: 'readme-secret' });
  const dir = mkdtempSync(join(tmpdir(), 'isolog-readme-edge-'));
  writeFileSync(join(dir, 'index.ts'), readmeBlock('example', 'edge').code);
  const script = (await build({
    entryPoints: [join(dir, 'index.ts')], bundle: true, format: 'esm', target: 'es2022', write: false,
    platform: 'neutral', external: ['node:*'], alias: ENTRIES, logLevel: 'warning',
  })).outputFiles[0].text;
  const wrangler = JSON.parse(readmeBlock('shown', 'wrangler').code) as { compatibility_date: string; compatibility_flags: string[] };
  mf = new Miniflare({
    modules: true, script, cf: false, compatibilityDate: wrangler.compatibility_date, compatibilityFlags: wrangler.compatibility_flags,
    bindings: { LOG_URL: `${c.url}/v1/logs`, LOG_TOKEN: 'readme-secret' },
  });
});
afterAll(async () => { await mf?.dispose(); await c?.close(); });

it('the README\'s Worker answers, and its records reach the collector with the request\'s fields', async () => {
  const res = await mf.dispatchFetch('http://orders.test/orders?id=A-7', { headers: { 'x-request-id': 'readme-1' } });
  expect(await res.json()).toEqual({ id: 'A-7', status: 'paid' });
  const deadline = Date.now() + 15_000;
  let records = stored(c.dir);
  while (records.length < 2 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    records = stored(c.dir);
  }
  const order = records.find((r) => r.logger === 'api.orders') as { message: string; traceId: string; attributes: Record<string, unknown> } | undefined;
  expect(order?.message).toBe('order A-7 looked up');
  expect(order?.attributes).toMatchObject({ id: 'A-7', 'request.id': 'readme-1', 'url.path': '/orders', 'http.request.method': 'GET' });
  expect(order?.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(records.find((r) => r.logger === 'isolog.access')?.message).toMatch(/^GET \/orders 200 \d+ms$/);
});
