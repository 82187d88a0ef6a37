// The demo app, an installable offline PWA: bundles demo/app.ts, its Service Worker (demo/sw.ts) and
// isolog's worker, and serves them with a manifest on 127.0.0.1 (PORT, default 5173).
import { build } from 'esbuild';
import { createServer } from 'node:http';

/** Serves the demo page; `collector` is the OTLP endpoint the page ships its records to. */
export async function startDemo({ port = Number(process.env.PORT ?? 5173), collector = 'http://127.0.0.1:4318/v1/logs', worker: workerUrl = 'http://127.0.0.1:8787/' } = {}) {
  const bundle = await build({
    entryPoints: [new URL('./app.ts', import.meta.url).pathname], bundle: true, format: 'esm', target: 'es2022', write: false,
    logLevel: 'warning',
    define: { __COLLECTOR__: JSON.stringify(collector), __WORKER__: JSON.stringify(workerUrl), __LIVE_VIEW__: JSON.stringify(new URL('/', collector).href) },
  });
  const script = bundle.outputFiles[0].text;
  const worker = (await build({
    entryPoints: [new URL('../src/runtime/worker.ts', import.meta.url).pathname], bundle: true, format: 'esm', write: false, logLevel: 'warning',
  })).outputFiles[0].text;
  const serviceWorker = (await build({
    entryPoints: [new URL('./sw.ts', import.meta.url).pathname], bundle: true, format: 'esm', target: 'es2022', write: false,
    logLevel: 'warning', define: { __COLLECTOR__: JSON.stringify(collector) },
  })).outputFiles[0].text;
  const manifest = JSON.stringify({
    name: 'isolog demo', short_name: 'isolog', start_url: '/', scope: '/', display: 'standalone', background_color: '#ffffff', theme_color: '#24292f',
    icons: [{ src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
  });
  const icon = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512"><rect width="512" height="512" rx="96" fill="#24292f"/><text x="256" y="330" font-size="260" text-anchor="middle" fill="#fff" font-family="monospace">log</text></svg>';
  const files = {
    '/app.js': ['text/javascript', script], '/worker.js': ['text/javascript', worker], '/sw.js': ['text/javascript', serviceWorker],
    '/manifest.webmanifest': ['application/manifest+json', manifest], '/icon.svg': ['image/svg+xml', icon],
  };
  const page = `<!doctype html><meta charset="utf-8"><title>isolog demo</title><link rel="icon" href="/icon.svg">
<link rel="manifest" href="/manifest.webmanifest"><meta name="theme-color" content="#24292f">
<h1>isolog demo</h1><p>Records go to the console and to the collector at <code>${collector}</code>.</p>
<button id="log">Log something</button> <button id="fail">Log an error</button>
<button id="pay">Pay (calls the demo Worker at <code>${workerUrl}</code>)</button><p id="out"></p>
<script type="module" src="/app.js"></script>`;
  const server = createServer((req, res) => {
    const file = files[req.url];
    if (file) {
      res.setHeader('content-type', file[0]);
      return void res.end(file[1]);
    }
    if (req.url !== '/' && req.url !== '/index.html') {
      res.statusCode = 404;
      return void res.end('not found');
    }
    res.setHeader('content-type', 'text/html');
    res.end(page);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const demo = await startDemo();
  console.log(`isolog demo: ${demo.url}`);
}
