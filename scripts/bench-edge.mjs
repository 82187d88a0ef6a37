// CPU per request in workerd (Miniflare): 20 lines per request not logged, with console.log, and with
// isolog/edge (records batched per request and sent to a real collector after the response). CPU
// is workerd's own, read from /proc, so the collector and this script do not count.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { saveResults } from './bench-results.mjs';
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

const REQUESTS = 2000;
const WARMUP = 200;
const dir = mkdtempSync(join(tmpdir(), 'isolog-bench-edge-'));
const collector = await startCollector({ port: 0, rate: 0, dir, maxBytes: 2 ** 40 });

/**
 * CPU seconds of a process, the sum of its threads' time on a CPU from /proc/<pid>/task/<tid>/schedstat
 * (nanoseconds; /proc/<pid>/stat counts 10 ms ticks, a tenth of a block's whole difference).
 */
function cpuSeconds(pid) {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try { ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]); } catch { /* a thread that ended */ }
  }
  return ns / 1e9;
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

/** Records the collector has stored, from its own count (reading its file would take a core). */
function storedCount() {
  return collector.receiver.totals.accepted;
}

// one workerd for every mode (the request's ?mode=), so that one instance's JIT and placement do not
// count for a mode; blocks of requests per mode, the modes taking turns, CPU summed per mode
const BLOCK = 100;
const CYCLES = REQUESTS / BLOCK;
const MODES = ['none', 'console', 'fetch', 'isolog'];
const before = new Set(workerdPids());
const mf = new Miniflare({
  modules: true, script, compatibilityDate: '2026-04-01', compatibilityFlags: ['nodejs_compat'], cf: false,
  bindings: { MODE: 'none', LOG_URL: `${collector.url}/v1/logs` },
  handleRuntimeStdio(stdout, stderr) { stdout.resume(); stderr.resume(); },
});
await mf.ready;
const pids = workerdPids().filter((p) => !before.has(p));
const cpu = () => pids.reduce((s, p) => s + cpuSeconds(p), 0);
const run = async (mode, n) => { for (let i = 0; i < n; i++) await (await mf.dispatchFetch(`http://bench.test/${i}?mode=${mode}`)).text(); };
let expected = 0;
/** Waits until what the last block sent after its responses is done: the collector has every record. */
async function settled(mode) {
  if (mode === 'isolog' || mode === 'fetch') expected += BLOCK * 20;
  const deadline = Date.now() + 60_000;
  while (storedCount() < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 50));
}
for (const mode of MODES) { await run(mode, WARMUP); await settled(mode === 'isolog' ? 'warm' : mode); }
expected = storedCount();
const used = Object.fromEntries(MODES.map((m) => [m, []]));
for (let cycle = 0; cycle < CYCLES; cycle++) {
  for (const mode of MODES) {
    const started = cpu();
    await run(mode, BLOCK);
    await settled(mode);
    used[mode].push(((cpu() - started) / BLOCK) * 1e6);
  }
}
await mf.dispose();
await collector.close();
rmSync(dir, { recursive: true, force: true });
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
// other processes share the machine's cores: a mode is compared with the blocks run next to it in
// the same cycle, and the cycles' differences give their median, which a busy moment does not move
const over = (mode, base) => median(used[mode].map((v, cycle) => v - used[base][cycle]));
const added = Object.fromEntries(MODES.map((m) => [m, over(m, 'none')]));
const us = (v) => `${Math.round(v).toLocaleString('en')} µs`;
console.log(`\n# Edge: workerd CPU per request, 20 lines each (${REQUESTS} requests a mode in blocks of ${BLOCK}, the modes taking turns in one workerd; medians of the ${CYCLES} turns)`);
console.log(`no logging              ${us(median(used.none))}`);
console.log(`console.log x20         +${us(added.console)}`);
console.log(`bare fetch() after     +${us(added.fetch)}: the same body POSTed by hand, the platform's part of any sending`);
console.log(`isolog/edge x20 + send  +${us(added.isolog)} (target: under 1,000 µs added), of which isolog's own +${us(over('isolog', 'fetch'))} over the bare fetch()`);
// each mode as the no-logging median plus its median difference, so that differences of these are the medians above
saveResults('edge', {
  requests: REQUESTS, block: BLOCK,
  perRequestMicros: Object.fromEntries(MODES.map((m) => [m, median(used.none) + added[m]])),
  isologOverFetchMicros: over('isolog', 'fetch'),
});
