// ErrorContextHandler: quiet records ship only with an error, once, marked as its context.
import { afterEach, describe, expect, it } from 'vitest';
import { configure, ErrorContextHandler, Formatter, getLogger, Handler, makeLogRecord, type LogRecord } from '../../../src/index.js';
import { StringStream } from '../helpers.js';
import { resetLogging } from '../helpers.js';

afterEach(resetLogging);

class Keep extends Handler {
  readonly records: LogRecord[] = [];
  emit(record: LogRecord): void { this.records.push(record); }
}

function setup(options: ConstructorParameters<typeof ErrorContextHandler>[1] = {}) {
  const target = new Keep();
  const ring = new ErrorContextHandler(target, options);
  const logger = getLogger('ctx');
  logger.propagate = false;
  logger.setLevel('DEBUG');
  logger.addHandler(ring);
  return { target, ring, logger };
}

describe('ErrorContextHandler', () => {
  it('ships nothing quiet until an error, then the ring oldest first, marked, and the error', () => {
    const { target, ring, logger } = setup();
    logger.debug('opened %s', 'cart');
    logger.info('added %d items', 3);
    expect(target.records).toHaveLength(0);
    expect(ring.pending).toBe(2);
    logger.error('payment failed');
    const fmt = new Formatter('%(levelname)s %(message)s');
    expect(target.records.map((r) => fmt.format(r))).toEqual(['DEBUG opened cart', 'INFO added 3 items', 'ERROR payment failed']);
    const error = target.records[2];
    expect(target.records.slice(0, 2).map((r) => r.contextOf)).toEqual([error.uid, error.uid]);
    expect(error.contextRecords).toBe(2);
    // a ring record ships once: the next error comes alone
    logger.error('again');
    expect(target.records).toHaveLength(4);
    expect(target.records[3].contextRecords).toBeUndefined();
    expect(ring.stats).toMatchObject({ triggers: 2, shipped: 2, passed: 0 });
  });

  it('passes records between passLevel and triggerLevel at once, without the ring', () => {
    const { target, ring, logger } = setup();
    logger.info('quiet');
    logger.warning('loud');
    expect(target.records.map((r) => r.getMessage())).toEqual(['loud']);
    expect(ring.pending).toBe(1);
    expect(target.records[0].contextOf).toBeUndefined();
  });

  it('marks copies: another handler of the same records sees none of the marks', () => {
    const { target, logger } = setup();
    const other = new Keep();
    logger.addHandler(other);
    logger.info('quiet');
    logger.error('boom');
    expect(target.records[0].contextOf).toBe(target.records[1].uid);
    expect(other.records.map((r) => [r.contextOf, r.contextRecords])).toEqual([[undefined, undefined], [undefined, undefined]]);
    expect(target.records[0]).toBeInstanceOf(other.records[0].constructor);
    expect(target.records[0].uid).toBe(other.records[0].uid);
  });

  it('keeps at most `capacity` records, pushing out the oldest, counted', () => {
    const { target, ring, logger } = setup({ capacity: 3 });
    for (let i = 0; i < 10; i++) logger.info('r%d', i);
    logger.critical('down');
    expect(target.records.map((r) => r.getMessage())).toEqual(['r7', 'r8', 'r9', 'down']);
    expect(ring.stats.pushedOut).toBe(7);
  });

  it('drops what is older than maxAgeSeconds by the time of the next record, counted, and never ships it', () => {
    const { target, ring } = setup({ maxAgeSeconds: 60 });
    const at = (created: number, levelno: number, msg: string) => ring.handle(makeLogRecord({ name: 'ctx', levelno, levelname: levelno >= 40 ? 'ERROR' : 'INFO', msg, created, uid: msg }));
    at(1000, 20, 'old');
    at(1030, 20, 'middle');
    at(1070, 20, 'recent');
    expect(ring.stats.agedOut).toBe(1);
    expect(ring.pending).toBe(2);
    at(1095, 40, 'boom');
    expect(target.records.map((r) => r.getMessage())).toEqual(['recent', 'boom']);
    expect(ring.stats).toMatchObject({ agedOut: 2, shipped: 1, pushedOut: 0 });
  });

  it('drops the ring on close, counted: context ships only with an error', () => {
    const { target, ring, logger } = setup();
    logger.info('a');
    logger.info('b');
    ring.close();
    expect(ring.stats.closed).toBe(2);
    expect(target.records).toHaveLength(0);
  });

  it('counts what comes with no target instead of losing it silently', () => {
    const { ring, logger } = setup();
    ring.setTarget(null);
    logger.info('a');
    logger.warning('b');
    logger.error('c');
    expect(ring.stats.noTarget).toBe(3);
  });

  it('refuses options it cannot apply', () => {
    expect(() => new ErrorContextHandler(null, { capacity: 0 })).toThrow(/capacity must be a whole number/);
    expect(() => new ErrorContextHandler(null, { maxAgeSeconds: 0 })).toThrow(/maxAgeSeconds/);
    expect(() => new ErrorContextHandler(null, { passLevel: 50, triggerLevel: 40 })).toThrow(/passLevel \(50\) must not be above triggerLevel \(40\)/);
  });

  it('is built by configure() by name, its target by name', () => {
    const stream = new StringStream();
    configure({
      version: 1,
      formatters: { brief: { format: '%(levelname)s %(message)s' } },
      handlers: {
        out: { class: 'StreamHandler', stream, formatter: 'brief' },
        context: { class: 'ErrorContextHandler', target: 'out', capacity: 2, triggerLevel: 'CRITICAL' },
      },
      loggers: { cfg: { level: 'DEBUG', handlers: ['context'], propagate: false } },
    });
    const log = getLogger('cfg');
    log.info('a');
    log.info('b');
    log.info('c');
    log.error('passes');
    log.critical('down');
    expect(stream.getvalue()).toBe('ERROR passes\nINFO b\nINFO c\nCRITICAL down\n');
    expect(() => configure({ version: 1, handlers: { c: { class: 'ErrorContextHandler' } } })).toThrow(/needs the name of the handler it ships to/);
    expect(() => configure({ version: 1, handlers: { out: { class: 'NullHandler' }, c: { class: 'ErrorContextHandler', target: 'out', capacity: -1 } } })).toThrow(/handlers\.c: ErrorContextHandler: capacity/);
  });
});
