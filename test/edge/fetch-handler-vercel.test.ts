// FetchHandler inside Vercel's Edge Runtime (edge-runtime): its fetch and AbortSignal, not Node's,
// deliver to the collector run in this process.
import { build } from 'esbuild';
import { EdgeRuntime } from 'edge-runtime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { collector, stored } from '../unit/collector/helpers.js';

let running: Awaited<ReturnType<typeof collector>>;
beforeAll(async () => { running = await collector(); });
afterAll(async () => { await running?.close(); });

it('delivers records from the Edge Runtime, flush() resolving once the collector took them', async () => {
  const bundle = await build({
    stdin: {
      contents: `import { FetchHandler, LogRecord } from './src/index.ts';
        globalThis.ship = async (url) => {
          const net = new FetchHandler({ url, flushIntervalMs: null, resource: { 'service.name': 'edge-runtime' } });
          net.handle(new LogRecord('edge.vercel', 20, '', 0, 'from the edge %s', ['x'.repeat(2000)], null));
          await net.flush({ timeoutMs: 10000 });
          await net.close();
          return net.stats;
        };`,
      resolveDir: new URL('../..', import.meta.url).pathname, loader: 'ts',
    },
    bundle: true, format: 'iife', target: 'es2022', write: false, platform: 'neutral',
  });
  const runtime = new EdgeRuntime({ initialCode: bundle.outputFiles[0].text });
  const stats = await runtime.evaluate<Promise<unknown>>(`ship(${JSON.stringify(`${running.url}/v1/logs`)})`);
  expect(stats).toEqual({ handled: 1, acknowledged: 1, pending: 0, dropped: {}, lastError: null });
  expect(stored(running.dir)).toMatchObject([{ logger: 'edge.vercel', message: `from the edge ${'x'.repeat(2000)}`, resource: { 'service.name': 'edge-runtime' } }]);
});
