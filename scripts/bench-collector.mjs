// Collector ingest speed: gzip OTLP JSON, dedupe on, written to disk, the collector alone in its own
// process (one core); the client sends pre-built batches from this process.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { saveResults } from './bench-results.mjs';

const root = new URL('..', import.meta.url).pathname;
// --cli FILE: a CLI bundled before (an older commit's), to compare with in the same session
const given = process.argv.indexOf('--cli');
const cli = given > 0 ? process.argv[given + 1] : join(root, 'node_modules/.cache/isolog-bench/cli.mjs');
if (given < 0) await build({
  stdin: { contents: "import { main } from './src/collector/cli.ts'; process.exitCode = await main(process.argv.slice(2));", resolveDir: root, loader: 'ts' },
  bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: cli, logLevel: 'warning',
});
const { encodeRecords } = await import('../node_modules/.cache/isolog-bench/otlp.mjs').catch(async () => {
  await build({ entryPoints: [join(root, 'src/transport/otlp.ts')], bundle: true, platform: 'node', format: 'esm', outfile: join(root, 'node_modules/.cache/isolog-bench/otlp.mjs'), logLevel: 'warning' });
  return import('../node_modules/.cache/isolog-bench/otlp.mjs');
});

const dir = mkdtempSync(join(tmpdir(), 'isolog-bench-'));
const spawned = performance.now();
// node scripts/bench-collector.mjs --cpu-prof: the collector writes a CPU profile (CPU.*.cpuprofile) in .bench/
const nodeArgs = process.argv.includes('--cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${join(root, '.bench')}`] : [];
const proc = spawn(process.execPath, [...nodeArgs, cli, 'collect', '--port', '0', '--dir', dir, '--rate', '0', '--max-bytes', String(2 ** 40)], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  let out = '';
  proc.stdout.on('data', (d) => {
    out += d;
    const m = /OTLP\/HTTP\s+(http:\/\/[^/\s]+)/.exec(out);
    if (m) resolve(m[1]);
  });
  proc.once('exit', (code) => reject(new Error(`collector exited ${code}`)));
});

const startupMs = performance.now() - spawned;

const PER_BATCH = 1000;
const BATCHES = 300;
const WARMUP = 30;
const bodies = [];
for (let b = 0; b < BATCHES; b++) {
  const records = Array.from({ length: PER_BATCH }, (_, i) => ({
    name: `app.module${i % 7}`, levelno: 20, levelname: 'INFO', created: Date.now() / 1000, uid: `bench-${b}-${i}`,
    message: `request ${i} handled in ${i % 300} ms`, route: '/api/items', status: 200, user: `u${i % 50}`,
  }));
  bodies.push(gzipSync(JSON.stringify(encodeRecords(records, { 'service.name': 'bench' }))));
}

/** CPU seconds (user + system) the collector process has used, from /proc on Linux. */
function cpuSeconds(pid) {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return undefined;
  const fields = readFileSync(file, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

async function send(body) {
  const res = await fetch(`${url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`status ${res.status}`);
}

// warm-up: the first batches get the JIT going; they are not counted
for (let i = 0; i < WARMUP; i++) await send(bodies[i]);
const started = performance.now();
const cpuBefore = cpuSeconds(proc.pid);
let next = WARMUP;
const SENDERS = 4;
await Promise.all(Array.from({ length: SENDERS }, async () => {
  while (next < BATCHES) await send(bodies[next++]);
}));
const seconds = (performance.now() - started) / 1000;
const cpuAfter = cpuSeconds(proc.pid);
const stored = readFileSync(join(dir, 'isolog.ndjson'), 'utf8').split('\n').filter(Boolean).length;
proc.kill('SIGTERM');
await new Promise((r) => proc.once('exit', r));
rmSync(dir, { recursive: true, force: true });
const rate = ((BATCHES - WARMUP) * PER_BATCH) / seconds;
console.log(`\n# Collector ingest (gzip OTLP JSON, ${PER_BATCH} records a request, dedupe on, NDJSON to disk)`);
const records = (BATCHES - WARMUP) * PER_BATCH;
console.log(`${Math.round(rate).toLocaleString('en')} records/s acknowledged (wall clock, ${SENDERS} senders), client and collector sharing the machine; ${stored.toLocaleString('en')} records stored`);
const cpuPerSecond = cpuBefore !== undefined && cpuAfter !== undefined && cpuAfter > cpuBefore ? records / (cpuAfter - cpuBefore) : undefined;
if (cpuPerSecond !== undefined) {
  console.log(`${Math.round(cpuPerSecond).toLocaleString('en')} records per second of collector CPU (one core; target >= 150,000)`);
}
saveResults('collector', { cpuPerSecond, wallPerSecond: rate, senders: SENDERS, perRequest: PER_BATCH, startupMs });
console.log(`start-up: ${Math.round(startupMs)} ms from spawn to listening (target < 1,000)`);
