// The last step of `npm run bench`: one table of what the scripts before it measured (their
// .bench/*.json), isolog next to its anchors as ratios, printed and saved as .bench/table.md.
// A ratio is the anchor's cost divided by isolog's: 3.0x means isolog costs a third of it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir, loadResults } from './bench-results.mjs';

const rows = [];
const row = (...cells) => rows.push(`| ${cells.join(' | ')} |`);
const ns = (v) => (v === undefined ? '–' : `${v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString('en')} ns`);
const times = (r) => (r >= 10 ? Math.round(r).toLocaleString('en') : r.toPrecision(2));
const ratio = (anchor, ours) => (anchor === undefined || ours === undefined ? '' : ` (${times(anchor / ours)}x)`);
const cell = (anchor, ours) => (anchor === undefined ? '–' : ns(anchor) + ratio(anchor, ours));

const calls = loadResults('calls');
if (calls) {
  rows.push('| a logging call, ns (anchor ÷ isolog) | isolog | pino | LogTape | loglevel | OpenTelemetry | empty function |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const [where, results] of [['Node', calls.node], ['Chromium', calls.chromium]]) {
    const by = Object.fromEntries(results.map((r) => [r.name, r.nsPerCall]));
    const empty = by['empty function call (baseline)'];
    const off = by['isolog disabled debug()'];
    const on = by['isolog enabled info() -> NullHandler'];
    // a disabled call is compared with an empty call: the issue's target is at most 2x of one
    row(`${where}: disabled \`debug()\``, `${ns(off)} (${times(off / empty)}x an empty call)`, cell(by['pino disabled debug()'], off),
      cell(by['logtape disabled debug()'], off), cell(by['loglevel disabled debug()'], off), cell(by['opentelemetry disabled emit(DEBUG)'], off), ns(empty));
    row(`${where}: enabled \`info('value %d', i)\`, dropped by the sink`, ns(on), cell(by['pino enabled info() -> null stream'], on),
      cell(by['logtape enabled info() -> null sink'], on), `${cell(by['loglevel enabled info() -> counting method'], on)}¹`,
      `${cell(by['opentelemetry enabled emit(INFO) -> dropping processor'], on)}²`, '');
  }
  rows.push('');
  rows.push('¹ loglevel formats nothing: its enabled method is the console\'s (here one that counts). ² OpenTelemetry has no `%`-formatting: its body is the text.', '');
}

const browser = loadResults('browser');
if (browser?.cases) {
  const c = browser.cases;
  const base = c.baseline;
  rows.push(`| the page's main thread, ns per record shipped (case ÷ hand-built) | isolog | hand-built buffer + post per 100 | pino | LogTape | OpenTelemetry |`, '| --- | --- | --- | --- | --- | --- |');
  const line = (label, key) => row(label, ...['isolog', 'baseline', 'pino', 'logtape', 'otel'].map((n) => (c[n] ? ns(c[n][key]) + (n === 'baseline' || !base ? '' : ` (${times(c[n][key] / base[key])}x)`) : '–')));
  line('logging loop (wall)', 'loop');
  line('CPU of the task that logs', 'own');
  line('CPU until the collector acknowledged', 'cpu');
  if (browser.stored) {
    const s = browser.stored;
    const us = (v) => (v === undefined ? '–' : `${Math.round(v).toLocaleString('en')} µs`);
    // isolog's worker has them once they are durable in IndexedDB, with its flusher sending; the hand-built one once it received them
    row('time until the worker has them, µs per 1,000 records (isolog: durable, flusher running)',
      // the median of the rounds' ratios where saved: steadier than the ratio of the medians on a busy machine
      us(s.isolog) + (s.isolog !== undefined && s.baseline ? ` (${times(s.ratio ?? s.isolog / s.baseline)}x${s.ratio !== undefined ? ', the median of the rounds\' ratios' : ''})` : ''), us(s.baseline), '–', '–', '–');
  }
  if (browser.persisted) rows.push('', `Stored in IndexedDB end to end ${Math.round(browser.persisted.perSecond).toLocaleString('en')} records/s; acknowledged by the collector ${Math.round(browser.persisted.acknowledgedPerSecond).toLocaleString('en')} records/s.`);
  rows.push('');
}

const collector = loadResults('collector');
if (collector) {
  const cpu = collector.cpuPerSecond === undefined ? '–' : Math.round(collector.cpuPerSecond).toLocaleString('en');
  rows.push(`The collector: ${cpu} records per second of its CPU (target 150,000), ` +
    `${Math.round(collector.wallPerSecond).toLocaleString('en')} records/s acknowledged with ${collector.senders ?? 4} senders on the same machine.`, '');
}

const edge = loadResults('edge');
if (edge?.perRequestMicros) {
  const m = edge.perRequestMicros;
  const us = (v) => `${Math.round(v).toLocaleString('en')} µs`;
  // isolog's own part: what it adds over the bare fetch() of the same body, the platform's share of any send
  const own = edge.isologOverFetchMicros ?? m.isolog - m.fetch;
  rows.push('| workerd CPU added per request, 20 lines | console.log | bare fetch() of the same body | isolog/edge, records and their send | isolog\'s own (over the bare fetch) |', '| --- | --- | --- | --- | --- |');
  row('µs over a Worker that does not log', us(m.console - m.none), us(m.fetch - m.none), us(m.isolog - m.none), us(own));
  rows.push('');
}

const table = rows.join('\n');
const header = `# npm run bench, ${new Date().toISOString().slice(0, 10)}${calls ? `, Node ${calls.node ? process.version : ''}, Chromium ${calls.chromiumVersion}` : ''}`;
writeFileSync(join(benchDir, 'table.md'), `${header}\n\n${table}\n`);
console.log(`\n${header}\n\n${table}\n(saved as .bench/table.md)`);
