// Sampling and rate limits per logger name prefix, as a filter: a rule's ratio keeps a share of its
// records (the same share of whole traces when records carry a trace id, so that a sampled request
// keeps every record), and its token bucket keeps at most `rate` a second (bursts of `burst`).
// Nothing is dropped silently: each window's suppressed records are counted per rule and said in
// a WARNING record of `isolog.sampling`.
import { extra } from './log-options.js';
import { getLogger } from './logger.js';
import type { LogRecord } from './record.js';

/** What one prefix's records are held to. */
export interface SamplingRule {
  /** The share of records (or of traces) kept, 0 to 1; 1 by default. */
  sample?: number;
  /** Records a second at most, on average; no limit by default. */
  rate?: number;
  /** How many may come at once before `rate` holds; `rate` by default (at least 1). */
  burst?: number;
  /** Records at this level or above are always kept (an ERROR is never sampled away); none by default. */
  keepLevel?: number;
}

/** Options for a SamplingFilter. */
export interface SamplingOptions {
  /** Rules by logger name prefix: `'app.metrics'` holds `app.metrics` and its children; the longest prefix wins; `''` holds every logger. */
  rules: Record<string, SamplingRule>;
  /** How often suppressed records are reported, in seconds; 60 by default. */
  windowSeconds?: number;
  /** The clock, in milliseconds (a test's); `Date.now` by default. */
  now?: () => number;
  /** The random source for records without a trace id; `Math.random` by default. */
  random?: () => number;
}

/** The logger the reports are logged on; its own records are never held. */
export const SAMPLING_LOGGER = 'isolog.sampling';

interface Held {
  readonly prefix: string;
  readonly rule: SamplingRule;
  /** The ratio as a threshold on the trace id's first 8 hex digits (0 to 2^32). */
  readonly threshold: number;
  tokens: number;
  refilled: number;
  sampledOut: number;
  limited: number;
}

const WHOLE = 2 ** 32;

function checkRule(prefix: string, rule: SamplingRule): void {
  const { sample, rate, burst } = rule;
  if (sample !== undefined && !(typeof sample === 'number' && sample >= 0 && sample <= 1)) {
    throw new RangeError(`sampling rule ${JSON.stringify(prefix)}: sample must be a number from 0 to 1, got ${String(sample)}`);
  }
  if (rate !== undefined && !(typeof rate === 'number' && rate >= 0 && Number.isFinite(rate))) {
    throw new RangeError(`sampling rule ${JSON.stringify(prefix)}: rate must be records a second (0 or more), got ${String(rate)}`);
  }
  if (burst !== undefined && !(typeof burst === 'number' && burst >= 1 && Number.isFinite(burst))) {
    throw new RangeError(`sampling rule ${JSON.stringify(prefix)}: burst must be 1 or more, got ${String(burst)}`);
  }
}

/**
 * Holds records to per-prefix sampling ratios and rate limits; add it to a handler (or a logger).
 * Every window (a minute by default) it logs, on `isolog.sampling`, one WARNING per rule that
 * suppressed something: `suppressed 1520 records from app.metrics in the last minute (1400 sampled
 * out, 120 over 50/s)`. The report comes with the first record after the window ends, from a timer
 * where the runtime keeps one, and from `report()`.
 * @example handler.addFilter(new SamplingFilter({ rules: { 'app.metrics': { sample: 0.1 }, 'app.http': { rate: 50 } } }))
 */
export class SamplingFilter {
  private readonly held: Held[];
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private windowStart: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reporting = false;
  /** Records kept and suppressed so far, over every rule. */
  readonly totals = { kept: 0, sampledOut: 0, limited: 0 };

  constructor(options: SamplingOptions) {
    if (!options || typeof options.rules !== 'object' || options.rules === null) {
      throw new TypeError("SamplingFilter needs { rules: { 'logger.prefix': { sample, rate, burst } } }");
    }
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    const seconds = options.windowSeconds ?? 60;
    if (!(seconds > 0 && Number.isFinite(seconds))) throw new RangeError(`windowSeconds must be more than 0, got ${String(seconds)}`);
    this.windowMs = seconds * 1000;
    this.windowStart = this.now();
    this.held = Object.entries(options.rules).map(([prefix, rule]) => {
      checkRule(prefix, rule);
      const burst = Math.max(1, rule.burst ?? rule.rate ?? 1);
      return { prefix, rule, threshold: (rule.sample ?? 1) * WHOLE, tokens: burst, refilled: this.windowStart, sampledOut: 0, limited: 0 };
    }).sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** The rule for a logger name: the longest prefix that is the name or one of its parents. */
  private ruleFor(name: string): Held | undefined {
    for (const h of this.held) {
      if (h.prefix === '' || name === h.prefix || (name.startsWith(h.prefix) && name[h.prefix.length] === '.')) return h;
    }
    return undefined;
  }

  filter(record: LogRecord): boolean {
    if (record.name === SAMPLING_LOGGER || this.reporting) return true;
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) this.report();
    const held = this.ruleFor(record.name);
    if (!held || (held.rule.keepLevel !== undefined && record.levelno >= held.rule.keepLevel)) {
      this.totals.kept++;
      return true;
    }
    if (held.threshold < WHOLE && !this.sampledIn(record, held.threshold)) {
      held.sampledOut++;
      this.totals.sampledOut++;
      this.schedule();
      return false;
    }
    const rate = held.rule.rate;
    if (rate !== undefined) {
      const burst = Math.max(1, held.rule.burst ?? rate);
      held.tokens = Math.min(burst, held.tokens + ((now - held.refilled) / 1000) * rate);
      held.refilled = now;
      if (held.tokens < 1) {
        held.limited++;
        this.totals.limited++;
        this.schedule();
        return false;
      }
      held.tokens--;
    }
    this.totals.kept++;
    return true;
  }

  /** Whether a record is in the sample: by its trace id when it has one (all of a trace or none), else at random. */
  private sampledIn(record: LogRecord, threshold: number): boolean {
    const traceId = record.traceId;
    if (typeof traceId === 'string' && /^[0-9a-f]{8}/i.test(traceId)) {
      // the trace id's first 32 bits, as a number from 0 to 2^32: the same for every record of the trace
      return parseInt(traceId.slice(0, 8), 16) < threshold;
    }
    return this.random() * WHOLE < threshold;
  }

  /** A report at the window's end even if no record comes then (unref'd where the runtime can). */
  private schedule(): void {
    if (this.timer !== undefined || typeof setTimeout !== 'function') return;
    const wait = Math.max(0, this.windowStart + this.windowMs - this.now());
    const timer = setTimeout(() => {
      this.timer = undefined;
      this.report();
    }, wait);
    (timer as { unref?: () => void }).unref?.();
    this.timer = timer;
  }

  /**
   * Logs what each rule suppressed since the last report (one WARNING per rule on `isolog.sampling`)
   * and starts a new window. Call it before the process ends to have the last window's said.
   */
  report(): void {
    const elapsed = this.now() - this.windowStart;
    this.windowStart = this.now();
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const span = elapsed >= 59_500 && elapsed < 60_500 ? 'the last minute' : `the last ${Math.max(1, Math.round(elapsed / 1000))} s`;
    const logger = getLogger(SAMPLING_LOGGER);
    this.reporting = true;
    try {
      for (const h of this.held) {
        const suppressed = h.sampledOut + h.limited;
        if (suppressed === 0) continue;
        const parts: string[] = [];
        if (h.sampledOut > 0) parts.push(`${h.sampledOut} sampled out (${h.rule.sample} kept)`);
        if (h.limited > 0) parts.push(`${h.limited} over ${h.rule.rate}/s`);
        logger.warning('suppressed %d records from %s in %s (%s)', suppressed, h.prefix === '' ? 'all loggers' : h.prefix, span, parts.join(', '),
          extra({ suppressed, sampledOut: h.sampledOut, limited: h.limited, loggerPrefix: h.prefix }));
        h.sampledOut = 0;
        h.limited = 0;
      }
    } finally {
      this.reporting = false;
    }
  }
}
