// Runs a TypeScript entry inside real workerd through Miniflare, offline (no cf fetch, no metrics).
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
process.env.WRANGLER_SEND_METRICS = 'false';

export async function startWorker(entry: string): Promise<Miniflare> {
  const bundle = await build({ entryPoints: [entry], bundle: true, format: 'esm', target: 'es2022', write: false, platform: 'neutral' });
  return new Miniflare({
    modules: true,
    script: bundle.outputFiles[0].text,
    compatibilityDate: '2026-04-01',
    cf: false,
  });
}
