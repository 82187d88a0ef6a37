// A message that does not fit its arguments never throws into the caller: the handler reports it
// as Python does (--- Logging error ---, the error, Message:, Arguments:) and logging goes on.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { extra, getLogger, setInternalErrorSink, StreamHandler, Handler, LogRecord, type Logger } from '../../../src/index.js';
import { StringStream } from '../helpers.js';

const cases = (JSON.parse(readFileSync(new URL('../../fixtures/format-cases.json', import.meta.url), 'utf8')) as {
  logging_errors: { msg: string; args: unknown[]; report: string[]; output: string }[];
}).logging_errors;

afterEach(() => setInternalErrorSink(null));

/** A logger of its own that writes to a string, and the internal error reports, for one test. */
function isolated(name: string): { logger: Logger; out: StringStream; reports: string[] } {
  const reports: string[] = [];
  setInternalErrorSink((text) => reports.push(text));
  const out = new StringStream();
  const logger = getLogger(name);
  logger.propagate = false;
  logger.handlers = [new StreamHandler(out)];
  return { logger, out, reports };
}

function reportLines(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('--- Logging error') || l.startsWith('Message: ') ||
    l.startsWith('Arguments: ') || (!l.startsWith(' ') && l.includes('Error: ')));
}

describe('logging errors are reported as CPython reports them', () => {
  for (const c of cases) {
    it(`${JSON.stringify(c.msg)} with ${JSON.stringify(c.args)}`, () => {
      const { logger, out, reports } = isolated('errors.case');
      expect(() => logger.warning(c.msg, ...c.args)).not.toThrow();
      logger.warning('still logging');
      expect(reports).toHaveLength(1);
      expect(reportLines(reports[0])).toEqual(c.report);
      expect(out.getvalue()).toBe(c.output);
    });
  }
});

describe('failures inside handlers', () => {
  it('a handler whose emit throws is reported and the next handler still runs', () => {
    const reports: string[] = [];
    setInternalErrorSink((text) => reports.push(text));
    class Broken extends Handler {
      emit(_r: LogRecord): void { throw new RangeError('disk on fire'); }
    }
    const out = new StringStream();
    const logger = getLogger('errors.broken');
    logger.propagate = false;
    logger.handlers = [new Broken(), new StreamHandler(out)];
    logger.error('hello');
    expect(out.getvalue()).toBe('hello\n');
    expect(reports[0]).toContain('--- Logging error ---');
    expect(reports[0]).toContain('RangeError: disk on fire');
    expect(reports[0]).toContain("Message: 'hello'\nArguments: ()");
  });

  it('a stream whose write throws is reported, not thrown', () => {
    const reports: string[] = [];
    setInternalErrorSink((text) => reports.push(text));
    const logger = getLogger('errors.stream');
    logger.propagate = false;
    logger.handlers = [new StreamHandler({ write() { throw new Error('EPIPE'); } })];
    expect(() => logger.error('x %d', 1)).not.toThrow();
    expect(reports[0]).toContain('Error: EPIPE');
    expect(reports[0]).toContain('Arguments: (1,)');
  });

  it('a sink that logs through isolog cannot recurse: the report goes to the console once', () => {
    const logger = getLogger('errors.recursive');
    logger.propagate = false;
    logger.handlers = [new StreamHandler(new StringStream())];
    let calls = 0;
    const original = console.error;
    const consoleLines: string[] = [];
    console.error = (text: string) => { consoleLines.push(text); };
    try {
      setInternalErrorSink(() => {
        calls++;
        logger.warning('%d', 'recursion');
        throw new Error('sink failed');
      });
      logger.warning('%d', 'bad');
    } finally {
      console.error = original;
    }
    expect(calls).toBe(1);
    expect(consoleLines.length).toBe(2);
  });

  it('a filter that throws drops that record only and is reported', () => {
    const { logger, out, reports } = isolated('errors.filter');
    let fail = true;
    logger.addFilter(() => { if (fail) throw new Error('bad filter'); return true; });
    logger.error('first');
    fail = false;
    logger.error('second');
    expect(out.getvalue()).toBe('second\n');
    expect(reports[0]).toContain('bad filter');
  });
});

describe('extra fields that fight back', () => {
  it('never throw into the app: a Proxy whose keys throw is reported, and the record still goes out', () => {
    const { logger, out, reports } = isolated('errors.extra.proxy');
    const hostile = new Proxy({}, { ownKeys() { throw new Error('no keys for you'); } });
    expect(() => logger.warning('still logged', extra(hostile))).not.toThrow();
    expect(out.getvalue()).toBe('still logged\n');
    expect(reports.join('')).toContain('no keys for you');
  });

  it("keep a field named __proto__ as a field, not the record's prototype", () => {
    const log = getLogger('errors.extra.proto');
    log.propagate = false;
    const seen: LogRecord[] = [];
    class Keep extends Handler { emit(r: LogRecord): void { seen.push(r); } }
    log.addHandler(new Keep());
    log.warning('proto %s', 'field', extra(JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>));
    expect(seen[0].getMessage()).toBe('proto field');
    expect(Object.getPrototypeOf(seen[0])).toBe(LogRecord.prototype);
    expect(Object.hasOwn(seen[0], '__proto__')).toBe(true);
  });
});
