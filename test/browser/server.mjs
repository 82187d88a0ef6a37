// Serves the browser test pages on 127.0.0.1: bundles test/browser/pages/*.ts with esbuild at start,
// then serves them with a tiny HTML shell per page. Playwright starts and stops it (webServer).
import { build } from 'esbuild';
import { createServer } from 'node:http';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, extname } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const out = join(here, '.build');
const port = Number(process.env.ISOLOG_TEST_PORT); // chosen free by playwright.config.ts

const pages = readdirSync(join(here, 'pages')).filter((f) => f.endsWith('.ts')).map((f) => join(here, 'pages', f));
await build({ entryPoints: pages, outdir: out, bundle: true, format: 'esm', target: 'es2022', sourcemap: 'inline', logLevel: 'warning' });
// the worker as dist/worker.js is built (its WebSocket transport and error context ring chunks beside it), unminified
const { buildWorker } = await import('../../scripts/build.mjs');
await buildWorker(join(out, 'worker.js'), false);

const types = { '.js': 'text/javascript', '.html': 'text/html', '.json': 'application/json' };

createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/healthz') return void res.end('ok');
  const page = /^\/([\w-]+)\.html$/.exec(url.pathname);
  if (page) {
    res.setHeader('content-type', 'text/html');
    // ?csp=no-worker: a page whose Content-Security-Policy forbids workers
    if (url.searchParams.get('csp') === 'no-worker') res.setHeader('content-security-policy', "worker-src 'none'");
    return void res.end(`<!doctype html><meta charset="utf-8"><title>${page[1]}</title><script type="module" src="/${page[1]}.js"></script>`);
  }
  const file = join(out, url.pathname.replace(/^\/+/, '').replace(/\.\./g, ''));
  if (!existsSync(file)) {
    res.statusCode = 404;
    return void res.end('not found');
  }
  res.setHeader('content-type', types[extname(file)] ?? 'application/octet-stream');
  res.end(readFileSync(file));
}).listen(port, '127.0.0.1', () => console.log(`test pages on http://127.0.0.1:${port}`));
