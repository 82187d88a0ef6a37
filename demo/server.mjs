// The demo app: bundles demo/app.ts and isolog's worker and serves them on 127.0.0.1 (PORT, default 5173).
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
  const page = `<!doctype html><meta charset="utf-8"><title>isolog demo</title><link rel="icon" href="data:,">
<h1>isolog demo</h1><p>Records go to the console and to the collector at <code>${collector}</code>.</p>
<button id="log">Log something</button> <button id="fail">Log an error</button>
<button id="pay">Pay (calls the demo Worker at <code>${workerUrl}</code>)</button><p id="out"></p>
<script type="module" src="/app.js"></script>`;
  const server = createServer((req, res) => {
    if (req.url === '/app.js' || req.url === '/worker.js') {
      res.setHeader('content-type', 'text/javascript');
      return void res.end(req.url === '/app.js' ? script : worker);
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
