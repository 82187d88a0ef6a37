// SamplingFilter: ratios that keep whole traces, token buckets, and counts that add up and are reported.
import { afterEach, describe, expect, it } from 'vitest';
import { extra, getLogger, Handler, SamplingFilter, type LogRecord } from '../../../src/index.js';
import { resetLogging } from '../helpers.js';

afterEach(resetLogging);

class Keep extends Handler {
  readonly records: LogRecord[] = [];
  emit(record: LogRecord): void { this.records.push(record); }
}

/** A deterministic stream of 32-hex-digit trace ids (xorshift), so that counts are the same every run. */
function traceIds(n: number, seed = 0x2545f491): string[] {
  let x = seed;
  const next = (): string => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x.toString(16).padStart(8, '0');
  };
  return Array.from({ length: n }, () => next() + next() + next() + next());
}

function setup(filter: SamplingFilter): { kept: Keep; reports: Keep } {
  const kept = new Keep();
  kept.addFilter(filter);
  getLogger('app').addHandler(kept);
  const reports = new Keep();
  getLogger('isolog.sampling').addHandler(reports);
  getLogger('app').setLevel('DEBUG');
  return { kept, reports };
}

describe('SamplingFilter', () => {
  it('keeps every record of a sampled trace and none of the others, about the ratio of traces', () => {
    const filter = new SamplingFilter({ rules: { 'app.http': { sample: 0.25 } }, random: () => { throw new Error('records with a trace are never drawn at random'); } });
    const { kept } = setup(filter);
    const ids = traceIds(4000);
    for (const traceId of ids) for (let i = 0; i < 3; i++) getLogger('app.http.api').info('step %d', i, extra({ traceId }));
    const byTrace = new Map<string, number>();
    for (const r of kept.records) byTrace.set(r.traceId as string, (byTrace.get(r.traceId as string) ?? 0) + 1);
    // whole traces: each sampled trace has its three records
    expect([...byTrace.values()].every((n) => n === 3)).toBe(true);
    // the same traces whatever the order: by the id's first 32 bits
    expect([...byTrace.keys()].every((id) => parseInt(id.slice(0, 8), 16) < 0.25 * 2 ** 32)).toBe(true);
    expect(byTrace.size).toBeGreaterThan(900);
    expect(byTrace.size).toBeLessThan(1100);
    expect(filter.totals.kept + filter.totals.sampledOut).toBe(12_000);
    expect(filter.totals.kept).toBe(kept.records.length);
  });

  it('holds only the loggers of its prefix and their children; the longest prefix wins', () => {
    const filter = new SamplingFilter({ rules: { app: { sample: 1 }, 'app.metrics': { sample: 0 } }, random: () => 0.5 });
    const { kept } = setup(filter);
    getLogger('app.metrics').info('gone');
    getLogger('app.metrics.cpu').info('gone');
    getLogger('app.metricsx').info('kept');
    getLogger('app').info('kept');
    expect(kept.records.map((r) => `${r.name}: ${r.msg as string}`)).toEqual(['app.metricsx: kept', 'app: kept']);
    expect(filter.totals).toEqual({ kept: 2, sampledOut: 2, limited: 0 });
  });

  it('samples records without a trace id at random, by the random source given', () => {
    const draws = [0.1, 0.6, 0.3, 0.9];
    const filter = new SamplingFilter({ rules: { app: { sample: 0.5 } }, random: () => draws.shift() as number });
    const { kept } = setup(filter);
    for (let i = 0; i < 4; i++) getLogger('app').info('r%d', i);
    expect(kept.records.map((r) => r.getMessage())).toEqual(['r0', 'r2']);
  });

  it('lets `rate` records a second through, bursts of `burst`, on the clock given', () => {
    let now = 1_000_000;
    const filter = new SamplingFilter({ rules: { 'app.api': { rate: 10, burst: 5 } }, now: () => now });
    const { kept } = setup(filter);
    const log = (): void => getLogger('app.api').info('hit');
    for (let i = 0; i < 20; i++) log();
    expect(kept.records).toHaveLength(5);
    now += 300; // three tokens back
    for (let i = 0; i < 10; i++) log();
    expect(kept.records).toHaveLength(8);
    now += 10_000; // no more than the burst however long it waited
    for (let i = 0; i < 10; i++) log();
    expect(kept.records).toHaveLength(13);
    expect(filter.totals).toEqual({ kept: 13, sampledOut: 0, limited: 27 });
  });

  it('never holds records at or above keepLevel', () => {
    const filter = new SamplingFilter({ rules: { app: { sample: 0, keepLevel: 40 } } });
    const { kept } = setup(filter);
    getLogger('app').info('sampled away');
    getLogger('app').error('kept');
    expect(kept.records.map((r) => r.levelname)).toEqual(['ERROR']);
  });

  it('reports what each rule suppressed once the window has passed, in a WARNING, and the counts add up', () => {
    let now = 0;
    const filter = new SamplingFilter({ rules: { 'app.metrics': { sample: 0 }, 'app.api': { rate: 1, burst: 2 } }, now: () => now, random: () => 0.5 });
    const { kept, reports } = setup(filter);
    for (let i = 0; i < 7; i++) getLogger('app.metrics').debug('m');
    for (let i = 0; i < 5; i++) getLogger('app.api').info('a');
    expect(reports.records).toHaveLength(0);
    now = 60_000;
    getLogger('app.other').info('after the minute');
    const text = reports.records.map((r) => `${r.levelname} ${r.name}: ${r.getMessage()}`);
    expect(text).toEqual([
      'WARNING isolog.sampling: suppressed 7 records from app.metrics in the last minute (7 sampled out (0 kept))',
      'WARNING isolog.sampling: suppressed 3 records from app.api in the last minute (3 over 1/s)',
    ]);
    expect(reports.records[0].suppressed).toBe(7);
    expect(reports.records[1].limited).toBe(3);
    // kept + suppressed = logged, over every rule
    expect(kept.records).toHaveLength(3);
    expect(filter.totals.kept + filter.totals.sampledOut + filter.totals.limited).toBe(13);
    // a quiet window says nothing; report() says what is pending, over the time since the last
    now = 130_000;
    getLogger('app.metrics').debug('m');
    expect(reports.records).toHaveLength(2);
    now = 140_000;
    filter.report();
    expect(reports.records.map((r) => r.getMessage()).slice(2)).toEqual(['suppressed 1 records from app.metrics in the last 10 s (1 sampled out (0 kept))']);
    filter.report();
    expect(reports.records).toHaveLength(3);
  });

  it('reports from a timer when no record comes after the window', async () => {
    const filter = new SamplingFilter({ rules: { app: { sample: 0 } }, windowSeconds: 0.05, random: () => 0.5 });
    const { reports } = setup(filter);
    getLogger('app').info('gone');
    for (let i = 0; i < 200 && reports.records.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(reports.records.map((r) => r.getMessage())).toEqual([expect.stringMatching(/^suppressed 1 records from app in the last \d+ s/)]);
  });

  it('refuses rules it cannot apply, saying which and why', () => {
    expect(() => new SamplingFilter({ rules: { app: { sample: 2 } } })).toThrow(/sampling rule "app": sample must be a number from 0 to 1, got 2/);
    expect(() => new SamplingFilter({ rules: { app: { rate: -1 } } })).toThrow(/rate must be records a second/);
    expect(() => new SamplingFilter({ rules: { app: { rate: 5, burst: 0 } } })).toThrow(/burst must be 1 or more/);
    expect(() => new SamplingFilter(undefined as never)).toThrow(/needs \{ rules/);
    expect(() => new SamplingFilter({ rules: {}, windowSeconds: 0 })).toThrow(/windowSeconds/);
  });
});
