// CPU per request in workerd (Miniflare): 20 lines per request not logged, with console.log, and with
// isolog/edge (records batched per request and sent to a real collector after the response). CPU
// is workerd's own, read from /proc, so the collector and this script do not count.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
process.env.WRANGLER_SEND_METRICS = 'false';
const { Miniflare } = await import('miniflare');

const root = new URL('..', import.meta.url).pathname;
const cache = join(root, 'node_modules/.cache/isolog-bench');
await build({ entryPoints: [join(root, 'src/collector/index.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: join(cache, 'collector.mjs'), logLevel: 'warning' });
const { startCollector } = await import(join(cache, 'collector.mjs'));
const script = (await build({ entryPoints: [join(root, 'bench/edge-worker.ts')], bundle: true, format: 'esm', target: 'es2022', write: false, platform: 'neutral', external: ['node:*'], minify: true, logLevel: 'warning' })).outputFiles[0].text;

const REQUESTS = 1000;
const WARMUP = 200;
const dir = mkdtempSync(join(tmpdir(), 'isolog-bench-edge-'));
const collector = await startCollector({ port: 0, rate: 0, dir, maxBytes: 2 ** 40 });

/** CPU seconds (user + system) of a process, from /proc on Linux. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The workerd processes this process started (Miniflare spawns one per instance). */
function workerdPids() {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      return stat.includes('(workerd)') && Number(stat.split(') ')[1].split(' ')[1]) === process.pid;
    } catch { return false; }
  });
}

function storedCount() {
  const file = join(dir, 'isolog.ndjson');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

async function measure(mode) {
  const before = new Set(workerdPids());
  const mf = new Miniflare({
    modules: true, script, compatibilityDate: '2026-04-01', compatibilityFlags: ['nodejs_compat'], cf: false,
    bindings: { MODE: mode, LOG_URL: `${collector.url}/v1/logs` },
    handleRuntimeStdio(stdout, stderr) { stdout.resume(); stderr.resume(); },
  });
  await mf.ready;
  const pids = workerdPids().filter((p) => !before.has(p));
  const cpu = () => pids.reduce((s, p) => s + cpuSeconds(p), 0);
  const run = async (n) => { for (let i = 0; i < n; i++) await (await mf.dispatchFetch(`http://bench.test/${i}`)).text(); };
  await run(WARMUP);
  const storedBefore = storedCount();
  const started = cpu();
  await run(REQUESTS);
  if (mode === 'isolog') {
    // the sends after each response are part of the cost: wait until the collector has them all
    const deadline = Date.now() + 60_000;
    while (storedCount() < storedBefore + REQUESTS * 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
  const used = cpu() - started;
  await mf.dispose();
  return (used / REQUESTS) * 1e6;
}

// the modes interleaved, three rounds, each figure the median: the machine's load drifts over a run
const ROUNDS = 3;
const runs = { none: [], console: [], fetch: [], isolog: [] };
for (let round = 0; round < ROUNDS; round++) for (const mode of Object.keys(runs)) runs[mode].push(await measure(mode));
await collector.close();
rmSync(dir, { recursive: true, force: true });
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const added = (mode) => runs[mode].map((v, i) => v - runs.none[i]);
const us = (v) => `${Math.round(v).toLocaleString('en')} µs`;
const range = (values) => `${us(Math.min(...values))} to ${us(Math.max(...values))}`;
console.log(`\n# Edge: workerd CPU per request, 20 lines each (${REQUESTS} requests, one at a time; median of ${ROUNDS} interleaved rounds)`);
console.log(`no logging              ${us(median(runs.none))}`);
console.log(`console.log x20         +${us(median(added('console')))}  (${range(added('console'))})`);
console.log(`one bare fetch() after  +${us(median(added('fetch')))}  (${range(added('fetch'))}): the platform's part of any sending`);
console.log(`isolog/edge x20 + send  +${us(median(added('isolog')))}  (${range(added('isolog'))}; target: under 1,000 µs added)`);
