// The collector's dedupe store at its bound: 20,000-uid batches (has() for each, then commit) past a
// million uids, and the start-up that replays the journal, once compacted and once at its largest.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const bundle = join(root, 'node_modules/.cache/isolog-bench/dedupe.mjs');
await build({ entryPoints: [join(root, 'src/collector/dedupe.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'warning' });
const { DedupeStore } = await import(`${bundle}?${Date.now()}`);

const MAX = 1_000_000;
const BATCH = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'isolog-bench-dedupe-'));
const path = join(dir, 'dedupe.journal');
let next = 0;
// uids shaped as the browser client makes them: a per-page prefix and a base-36 sequence
const batch = () => Array.from({ length: BATCH }, () => `k3f9x2ab-${(next++).toString(36)}`);

// the uids in the journal, as the store counts them: past twice the bound it compacts to the bound
let journaled = 0;

function commitBatch(store, uids) {
  const started = performance.now();
  for (const uid of uids) if (store.has(uid)) throw new Error(`${uid} seen twice`);
  store.commit(uids);
  journaled += uids.length;
  if (journaled > 2 * MAX) journaled = MAX;
  return performance.now() - started;
}

function startUp() {
  const started = performance.now();
  const store = new DedupeStore(path, MAX);
  const ms = performance.now() - started;
  return { store, ms };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

let store = new DedupeStore(path, MAX);
const filling = [];
while (next < MAX) filling.push(commitBatch(store, batch()));
const past = [];
// a little beyond twice the bound, so the journal is compacted once on the way
while (next < 2 * MAX + 10 * BATCH) past.push(commitBatch(store, batch()));
store.close();
console.log(`# Dedupe store (${MAX.toLocaleString('en')} uids remembered, ${BATCH.toLocaleString('en')}-uid batches)`);
console.log(`batch below the bound: median ${median(filling).toFixed(1)} ms`);
console.log(`batch past the bound (each evicts ${BATCH.toLocaleString('en')}): median ${median(past).toFixed(1)} ms, slowest ${Math.max(...past).toFixed(0)} ms (the one that compacts the journal)`);

let opened = startUp();
console.log(`start-up at ${opened.store.size.toLocaleString('en')} uids, journal compacted (${mb(statSync(path).size)}): ${opened.ms.toFixed(0)} ms (target < 1,000)`);
store = opened.store;
// to just under the compaction threshold: the longest journal a start-up replays
while (journaled + BATCH <= 2 * MAX) commitBatch(store, batch());
store.close();
opened = startUp();
console.log(`start-up at ${opened.store.size.toLocaleString('en')} uids, journal at its largest (${mb(statSync(path).size)}): ${opened.ms.toFixed(0)} ms (target < 1,000)`);
opened.store.close();
rmSync(dir, { recursive: true, force: true });
