// The demo's Worker (demo/worker.ts) in workerd through Miniflare, on 127.0.0.1 (WORKER_PORT, default 8787).
import { build } from 'esbuild';

/** Starts the demo Worker; `collector` is the OTLP endpoint its records go to. */
export async function startDemoWorker({ port = Number(process.env.WORKER_PORT ?? 8787), collector = 'http://127.0.0.1:4318/v1/logs' } = {}) {
  // offline: Miniflare must not fetch Cloudflare's request.cf data or send metrics
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  process.env.WRANGLER_SEND_METRICS = 'false';
  const { Miniflare } = await import('miniflare');
  const script = (await build({
    entryPoints: [new URL('./worker.ts', import.meta.url).pathname], bundle: true, format: 'esm', target: 'es2022',
    platform: 'neutral', external: ['node:*'], write: false, logLevel: 'warning',
  })).outputFiles[0].text;
  const mf = new Miniflare({
    modules: true, script, compatibilityDate: '2026-04-01', compatibilityFlags: ['nodejs_compat'], cf: false,
    host: '127.0.0.1', port, bindings: { LOG_URL: collector },
    // what the Worker prints is shown once it runs; workerd's own report of a port in use is not
    // (npm start says what to do instead)
    handleRuntimeStdio(stdout, stderr) {
      stdout.on('data', (d) => { if (ready) process.stdout.write(d); });
      stderr.on('data', (d) => { if (ready) process.stderr.write(d); });
    },
  });
  let ready = false;
  const url = await mf.ready;
  ready = true;
  return { url: url.href, close: () => mf.dispose() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const worker = await startDemoWorker();
  console.log(`isolog demo Worker: ${worker.url}`);
}
