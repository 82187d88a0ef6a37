// Benchmarks shared by Node and Chromium: ns per logging call, isolog next to pino, LogTape,
// loglevel and OpenTelemetry's logs SDK in the same run. Each case is timed in rounds; the median
// round is reported.
import { configure as configureLogTape, getLogger as getLogTape, reset as resetLogTape } from '@logtape/logtape';
import { LoggerProvider, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import loglevel from 'loglevel';
import pino from 'pino';
import * as isolog from '../src/index.js';

export interface BenchResult { name: string; nsPerCall: number }

let sink = 0;
let loops = 0;

/**
 * A timing loop compiled for one case, so that its call site sees one target only (a shared loop
 * turns polymorphic and stops inlining). The unique comment defeats V8's cache of Function sources.
 */
function compileLoop(expr: string): (t: unknown, n: number) => number {
  return new Function('t', 'n', `// case ${loops++}
const start = performance.now();
for (let i = 0; i < n; i++) ${expr};
return ((performance.now() - start) * 1e6) / n;`) as (t: unknown, n: number) => number;
}

/**
 * A round must last this long: Chromium coarsens `performance.now()` to 100 µs on a page that is not
 * cross-origin isolated, and 200,000 empty calls take about 70 µs there, under one tick (which made
 * a disabled call read 4-8x an empty one when both cost the same).
 */
const ROUND_MS = 25;

/**
 * Median ns per call of `expr` (which reads `t` and `i`) over `rounds` rounds. The warm-up rounds
 * grow the iteration count (from `iterations`, by 4x) until one round lasts ROUND_MS.
 */
export function measure(target: unknown, expr: string, iterations = 200_000, rounds = 7): number {
  const run = compileLoop(expr);
  let n = iterations;
  run(target, n);
  while ((run(target, n) * n) / 1e6 < ROUND_MS && n < 1e9) n *= 4;
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) samples.push(run(target, n));
  samples.sort((a, b) => a - b);
  return samples[Math.floor(rounds / 2)];
}

export async function runSuite(log: (line: string) => void = () => {}): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const record = (name: string, target: unknown, expr: string): void => {
    const nsPerCall = measure(target, expr);
    results.push({ name, nsPerCall });
    log(`${name.padEnd(44)} ${nsPerCall.toFixed(1).padStart(8)} ns/call`);
  };
  const call = "t.debug('value %d', i)";
  const callInfo = "t.info('value %d', i)";

  record('empty function call (baseline)', { debug(_msg: string, _n: number): void {} }, call);

  const logger = isolog.getLogger('bench.isolog');
  logger.propagate = false;
  logger.setLevel(isolog.INFO);
  logger.addHandler(new isolog.NullHandler());
  record('isolog disabled debug()', logger, call);
  record('isolog enabled info() -> NullHandler', logger, callInfo);
  class Dropping extends isolog.Handler { emit(): void { sink++; } }
  const viaHandler = isolog.getLogger('bench.isolog2');
  viaHandler.propagate = false;
  viaHandler.setLevel(isolog.INFO);
  viaHandler.addHandler(new Dropping());
  record('isolog enabled info() -> Handler.emit', viaHandler, callInfo);

  const p = pino({ level: 'info', browser: { write: () => { sink++; } } } as pino.LoggerOptions, { write: () => { sink++; } } as unknown as pino.DestinationStream);
  record('pino disabled debug()', p, call);
  record('pino enabled info() -> null stream', p, callInfo);

  await configureLogTape({
    reset: true,
    sinks: { none: () => { sink++; } },
    loggers: [
      { category: ['bench'], lowestLevel: 'info', sinks: ['none'] },
      { category: ['logtape', 'meta'], lowestLevel: 'error', sinks: [] },
    ],
  });
  const lt = getLogTape(['bench']);
  record('logtape disabled debug()', lt, 't.debug("value {i}", { i })');
  record('logtape enabled info() -> null sink', lt, 't.info("value {i}", { i })');
  await resetLogTape();

  // loglevel: its methods are the console's, rebuilt per level; here they count instead of print
  const ll = loglevel.getLogger('bench');
  ll.methodFactory = () => () => { sink++; };
  ll.setLevel('info');
  ll.rebuild();
  record('loglevel disabled debug()', ll, call);
  record('loglevel enabled info() -> counting method', ll, callInfo);

  // OpenTelemetry's logs SDK: a processor that takes each record and drops it; DEBUG is below the
  // logger's minimum severity (its LoggerConfig), INFO passes. It has no %-formatting: the body is
  // the text the other libraries would format
  const dropping: LogRecordProcessor = { onEmit: () => { sink++; }, forceFlush: async () => {}, shutdown: async () => {} };
  const provider = new LoggerProvider({
    processors: [dropping],
    loggerConfigurator: () => ({ disabled: false, minimumSeverity: 9, traceBased: false }),
  });
  const otel = provider.getLogger('bench');
  record('opentelemetry disabled emit(DEBUG)', otel, "t.emit({ severityNumber: 5, severityText: 'DEBUG', body: 'value ' + i })");
  record('opentelemetry enabled emit(INFO) -> dropping processor', otel, "t.emit({ severityNumber: 9, severityText: 'INFO', body: 'value ' + i })");
  await provider.shutdown();
  return results;
}

export function sinkValue(): number { return sink; }
