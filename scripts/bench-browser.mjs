// The browser pipeline in Chromium: main-thread CPU per record shipped (DevTools Protocol TaskDuration),
// isolog next to pino (browser build, transmit), LogTape, OpenTelemetry's BatchLogRecordProcessor and a
// hand-built buffer-and-post baseline; then records/s persisted and the longest task while logging.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from '@playwright/test';

const root = new URL('..', import.meta.url).pathname;
const cache = join(root, 'node_modules/.cache/isolog-bench');
const cli = join(cache, 'cli.mjs');
await build({
  stdin: { contents: "import { main } from './src/collector/cli.ts'; process.exitCode = await main(process.argv.slice(2));", resolveDir: root, loader: 'ts' },
  bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: cli, logLevel: 'warning',
});
const page = (await build({ entryPoints: [join(root, 'bench/browser-pipeline.ts')], bundle: true, format: 'esm', platform: 'browser', write: false, minify: !process.env.ISOLOG_PROFILE, logLevel: 'warning', define: { 'process.env.NODE_ENV': '"production"' } })).outputFiles[0].text;
const worker = (await build({ entryPoints: [join(root, 'src/worker/main.ts')], bundle: true, format: 'esm', platform: 'browser', write: false, minify: true, logLevel: 'warning' })).outputFiles[0].text;

const server = createServer((req, res) => {
  if (req.url === '/bench.js') { res.setHeader('content-type', 'text/javascript'); return void res.end(page); }
  if (req.url === '/worker.js') { res.setHeader('content-type', 'text/javascript'); return void res.end(worker); }
  res.setHeader('content-type', 'text/html');
  res.end('<!doctype html><meta charset="utf-8"><script type="module" src="/bench.js"></script>');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const dir = mkdtempSync(join(tmpdir(), 'isolog-bench-browser-'));
const collectorProc = spawn(process.execPath, [cli, 'collect', '--port', '0', '--dir', dir, '--rate', '0', '--cors', origin, '--max-bytes', String(2 ** 40)], { stdio: ['ignore', 'pipe', 'inherit'] });
const collector = await new Promise((resolve) => {
  let out = '';
  collectorProc.stdout.on('data', (d) => { out += d; const m = /OTLP\/HTTP\s+(http:\/\/[^/\s]+)/.exec(out); if (m) resolve(`${m[1]}/v1/logs`); });
});

process.stderr.write(`bench: collector at ${collector}\n`);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const tab = await browser.newPage();
tab.on('console', (m) => { if (m.type() === 'error') console.error('page:', m.text()); });
tab.on('pageerror', (e) => console.error('page error:', String(e)));
await tab.goto(`${origin}/`);
await tab.waitForFunction(() => window.bench !== undefined);
process.stderr.write('bench: page loaded\n');
await tab.evaluate((c) => window.bench.setup(c), collector);
process.stderr.write('bench: set up\n');
const cdp = await tab.context().newCDPSession(tab);
await cdp.send('Performance.enable');
const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;

const N = 20_000;
if (process.env.ISOLOG_PROFILE) {
  await cdp.send('Profiler.enable');
  await tab.evaluate(() => window.bench.run('isolog', 5000));
  await cdp.send('Profiler.start');
  await tab.evaluate(([c]) => window.bench.run('isolog', c), [N]);
  const { profile } = await cdp.send('Profiler.stop');
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  let total = 0;
  for (const [id, c] of counts) {
    const f = byId.get(id).callFrame;
    const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}:${f.columnNumber}`;
    self.set(key, (self.get(key) ?? 0) + c);
    total += c;
  }
  for (const [k, c] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(c / total * 100).toFixed(1)}% ${k}`);
  process.exit(0);
}
console.log(`# Browser pipeline, Chromium ${browser.version()}: main-thread cost per record (${N.toLocaleString('en')} records a case, median of 5)`);
console.log('case'.padEnd(44) + 'loop ns/record'.padStart(16) + 'main-thread CPU ns/record'.padStart(28));
const names = { isolog: 'isolog (QueueHandler -> Comlink -> worker)', baseline: 'hand-built buffer + postMessage(100)', pino: 'pino browser, transmit + post(100)', logtape: 'LogTape, sink + post(100)', otel: 'OpenTelemetry BatchLogRecordProcessor' };
const results = {};
for (const name of Object.keys(names)) {
  await tab.evaluate(([n]) => window.bench.run(n, 2000).then(() => window.bench.settle(n)), [name]);
  const loops = [];
  const cpus = [];
  for (let round = 0; round < 5; round++) {
    const before = await taskSeconds();
    loops.push(await tab.evaluate(([n, count]) => window.bench.run(n, count), [name, N]));
    await tab.evaluate(([n]) => window.bench.settle(n), [name]);
    cpus.push(((await taskSeconds()) - before) * 1e9 / N);
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  results[name] = { loop: median(loops), cpu: median(cpus) };
  console.log(names[name].padEnd(44) + results[name].loop.toFixed(0).padStart(16) + results[name].cpu.toFixed(0).padStart(28));
}
console.log('(main-thread CPU includes the loop, encoding, posting, and the waiting for acks; targets for isolog: <= 150 ns in the loop, <= 300 ns in all)');

const persisted = await tab.evaluate(() => window.bench.persisted(100_000));
console.log(`\npersisted end to end: ${Math.round(100_000 / persisted.seconds).toLocaleString('en')} records/s into IndexedDB; acknowledged by the collector at ${Math.round(100_000 / persisted.acknowledgedSeconds).toLocaleString('en')} records/s (target >= 100,000 persisted)`);
const bursts = await tab.evaluate(() => window.bench.bursts(100_000, 1000));
console.log(`100,000 records in bursts of 1,000: ${bursts.count} long task(s) over 50 ms${bursts.count ? `, the longest ${bursts.longest.toFixed(0)} ms` : ''} (target: none caused by logging)`);

await browser.close();
collectorProc.kill('SIGTERM');
server.close();
rmSync(dir, { recursive: true, force: true });
