// npm start: bundles the demo and serves it on 127.0.0.1 (PORT, default 5173).
import { build } from 'esbuild';
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 5173);
const bundle = await build({ entryPoints: [new URL('./app.ts', import.meta.url).pathname], bundle: true, format: 'esm', write: false, logLevel: 'warning' });
const script = bundle.outputFiles[0].text;
const page = `<!doctype html><meta charset="utf-8"><title>isolog demo</title>
<h1>isolog demo</h1><button id="log">Log something</button> <button id="fail">Log an error</button><p id="out"></p>
<script type="module" src="/app.js"></script>`;

createServer((req, res) => {
  if (req.url === '/app.js') {
    res.setHeader('content-type', 'text/javascript');
    return void res.end(script);
  }
  res.setHeader('content-type', 'text/html');
  res.end(page);
}).listen(port, '127.0.0.1', () => console.log(`isolog demo: http://127.0.0.1:${port}/`));
