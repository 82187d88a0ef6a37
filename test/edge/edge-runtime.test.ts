// isolog/edge inside Vercel's Edge Runtime (the edge-runtime package), against the real collector.
import { build } from 'esbuild';
import { EdgeRuntime } from 'edge-runtime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { collector, stored } from '../unit/collector/helpers.js';
import type { Collector } from '../../src/collector/index.js';

let c: Collector & { dir: string };
beforeAll(async () => { c = await collector(); });
afterAll(async () => { await c?.close(); });

it('sends a request\'s records with waitUntil from the Edge Runtime', async () => {
  const bundle = await build({
    entryPoints: [new URL('./workers/fetch-event.ts', import.meta.url).pathname], bundle: true, format: 'iife',
    target: 'es2022', write: false, platform: 'neutral', logLevel: 'warning',
  });
  const runtime = new EdgeRuntime({ initialCode: `self.LOG_URL = ${JSON.stringify(`${c.url}/v1/logs`)};\n${bundle.outputFiles[0].text}` });
  const res = await runtime.dispatchFetch('http://edge.test/hello', { headers: { 'x-request-id': 'vercel-1' } });
  expect(await res.text()).toBe('ok from edge');
  // the runtime's waitUntil resolves once the request's records were acknowledged, or given up
  await res.waitUntil();
  const records = stored(c.dir) as { logger: string; message: string; traceId?: string; attributes: Record<string, unknown> }[];
  const fn = records.find((r) => r.logger === 'edge.fn');
  expect(fn?.message).toBe('hello from the edge runtime');
  expect(fn?.attributes).toMatchObject({ 'request.id': 'vercel-1', 'url.path': '/hello', 'http.request.method': 'GET' });
  expect(fn?.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(records.find((r) => r.logger === 'isolog.access')?.message).toMatch(/^GET \/hello 200 \d+ms$/);
  // no AsyncLocalStorage in this runtime: a global logger's record cannot be told apart, and waits
  // for the next request's batch, without request fields
  expect(records.some((r) => r.logger === 'edge.global')).toBe(false);
  const next = await runtime.dispatchFetch('http://edge.test/again', { headers: { 'x-request-id': 'vercel-2' } });
  await next.text();
  await next.waitUntil();
  const global = (stored(c.dir) as typeof records).filter((r) => r.logger === 'edge.global');
  expect(global).toHaveLength(1);
  expect(global[0].attributes['request.id']).toBeUndefined();
});
