import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as logging from '../../../src/index.js';
import { getLogger, DEBUG, INFO, WARNING, ERROR, CRITICAL, NOTSET } from '../../../src/index.js';
import { resetLogging, StringStream } from '../helpers.js';

beforeEach(resetLogging);
afterEach(() => { logging.disable(NOTSET); logging.setInternalErrorSink(null); });

function capture(name: string, fmt = '%(name)s:%(levelname)s:%(message)s'): [logging.Logger, StringStream] {
  const out = new StringStream();
  const h = new logging.StreamHandler(out);
  h.setFormatter(new logging.Formatter(fmt));
  const logger = getLogger(name);
  logger.addHandler(h);
  return [logger, out];
}

describe('levels', () => {
  it('maps names and numbers both ways, as getLevelName does', () => {
    expect(logging.getLevelName(INFO)).toBe('INFO');
    expect(logging.getLevelName('INFO')).toBe(20);
    expect(logging.getLevelName(33)).toBe('Level 33');
    expect(logging.getLevelName('NOPE')).toBe('Level NOPE');
    expect(logging.getLevelName('WARN')).toBe(30);
    expect(logging.getLevelName('FATAL')).toBe(50);
  });

  it('accepts custom levels from addLevelName in setLevel, log and formatting', () => {
    logging.addLevelName(25, 'NOTICE');
    const [logger, out] = capture('lv.custom');
    logger.setLevel('NOTICE');
    logger.info('hidden');
    logger.log(25, 'shown %d', 1);
    logger.log(33, 'odd');
    expect(out.getvalue()).toBe('lv.custom:NOTICE:shown 1\nlv.custom:Level 33:odd\n');
  });

  it('setLevel rejects an unknown name with a clear error', () => {
    expect(() => getLogger('lv.bad').setLevel('VERBOSE')).toThrow("Unknown level: 'VERBOSE'");
  });

  it('getLevelNamesMapping lists every name, aliases and custom ones too, as a copy', () => {
    logging.addLevelName(27, 'NOTE27');
    const mapping = logging.getLevelNamesMapping();
    expect(mapping).toMatchObject({ CRITICAL: 50, FATAL: 50, ERROR: 40, WARN: 30, WARNING: 30, INFO: 20, DEBUG: 10, NOTSET: 0, NOTE27: 27 });
    mapping.INFO = 1;
    expect(logging.getLevelName('INFO')).toBe(20);
  });

  it("setLevel's errors say what Python's say, the value as repr() prints it", () => {
    expect(() => getLogger('lv.bad').setLevel("it's")).toThrow(`Unknown level: "it's"`);
    expect(() => getLogger('lv.bad').setLevel(1.5)).toThrow('Level not an integer or a valid string: 1.5');
    expect(() => getLogger('lv.bad').setLevel(null as never)).toThrow('Level not an integer or a valid string: None');
  });

  it('a non-integer level to log() is reported, not thrown', () => {
    const reports: string[] = [];
    logging.setInternalErrorSink((t) => reports.push(t));
    expect(() => getLogger('lv.x').log('INFO' as unknown as number, 'm')).not.toThrow();
    expect(reports[0]).toContain('level must be an integer');
  });
});

describe('hierarchy', () => {
  it('returns the same logger for the same name, and the root for no name, "" and "root"', () => {
    expect(getLogger('h.same')).toBe(getLogger('h.same'));
    expect(getLogger()).toBe(logging.root);
    expect(getLogger('')).toBe(logging.root);
    expect(getLogger('root')).toBe(logging.root);
    expect(logging.root.name).toBe('root');
    expect(logging.root.level).toBe(WARNING);
  });

  it('re-parents a child created before its parent (placeholder rule)', () => {
    const child = getLogger('ph.a.b.c');
    expect(child.parent).toBe(logging.root);
    const mid = getLogger('ph.a');
    expect(child.parent).toBe(mid);
    const closer = getLogger('ph.a.b');
    expect(child.parent).toBe(closer);
    expect(closer.parent).toBe(mid);
    expect(mid.parent).toBe(logging.root);
  });

  it('getChild joins names, and the root child has no prefix', () => {
    expect(getLogger('gc').getChild('x.y')).toBe(getLogger('gc.x.y'));
    expect(logging.root.getChild('top')).toBe(getLogger('top'));
  });

  it('inherits the effective level from the nearest ancestor with one', () => {
    const parent = getLogger('eff');
    const child = getLogger('eff.child.grand');
    expect(child.getEffectiveLevel()).toBe(WARNING);
    parent.setLevel(DEBUG);
    expect(child.getEffectiveLevel()).toBe(DEBUG);
    expect(child.isEnabledFor(DEBUG)).toBe(true);
    logging.root.setLevel(ERROR);
    expect(child.isEnabledFor(DEBUG)).toBe(true);
    parent.setLevel(NOTSET);
    expect(child.isEnabledFor(WARNING)).toBe(false);
  });

  it('rebuilds level methods of existing children when an ancestor level changes', () => {
    const [, out] = capture('rb');
    const child = getLogger('rb.kid');
    child.debug('before');
    getLogger('rb').setLevel(DEBUG);
    child.debug('after');
    expect(out.getvalue()).toBe('rb.kid:DEBUG:after\n');
  });

  it('propagates to ancestors unless propagate is false', () => {
    const [, parentOut] = capture('pr');
    const [child, childOut] = capture('pr.c');
    child.warning('one');
    child.propagate = false;
    child.warning('two');
    expect(parentOut.getvalue()).toBe('pr.c:WARNING:one\n');
    expect(childOut.getvalue()).toBe('pr.c:WARNING:one\npr.c:WARNING:two\n');
  });

  it('applies handler levels while propagating, and logger levels only at the origin', () => {
    const [parent, parentOut] = capture('hl');
    parent.setLevel(ERROR);
    parent.handlers[0].setLevel(WARNING);
    const child = getLogger('hl.c');
    child.setLevel(DEBUG);
    child.info('info passes the child level but not the parent handler');
    child.warning('warning passes the parent handler even though the parent logger is ERROR');
    expect(parentOut.getvalue()).toBe('hl.c:WARNING:warning passes the parent handler even though the parent logger is ERROR\n');
  });

  it('a disabled logger drops everything', () => {
    const [logger, out] = capture('dis');
    logger.disabled = true;
    logger.critical('no');
    logger.disabled = false;
    logger.critical('yes');
    expect(out.getvalue()).toBe('dis:CRITICAL:yes\n');
  });

  it('disable(level) drops that level and below everywhere until disable(NOTSET)', () => {
    const [logger, out] = capture('gd');
    logger.setLevel(DEBUG);
    logging.disable(WARNING);
    logger.warning('dropped');
    logger.error('kept');
    expect(logger.isEnabledFor(WARNING)).toBe(false);
    logging.disable(NOTSET);
    logger.debug('back');
    expect(out.getvalue()).toBe('gd:ERROR:kept\ngd:DEBUG:back\n');
  });

  it('hasHandlers looks up the propagation chain', () => {
    const c = getLogger('hh.c');
    expect(c.hasHandlers()).toBe(false);
    capture('hh');
    expect(c.hasHandlers()).toBe(true);
    c.propagate = false;
    expect(c.hasHandlers()).toBe(false);
  });

  it('with no handler anywhere, WARNING and above go to the last resort as the bare message', () => {
    const lines: string[] = [];
    const original = console.error;
    console.error = (t: string) => { lines.push(t); };
    try {
      getLogger('lr').info('not shown');
      getLogger('lr').warning('shown %s', 'bare');
    } finally {
      console.error = original;
    }
    expect(lines).toEqual(['shown bare']);
  });

  it('a NullHandler counts as a handler, so nothing reaches the last resort', () => {
    const lines: string[] = [];
    const original = console.error;
    console.error = (t: string) => { lines.push(t); };
    try {
      getLogger('nulllib').addHandler(new logging.NullHandler());
      getLogger('nulllib.inner').error('quiet');
    } finally {
      console.error = original;
    }
    expect(lines).toEqual([]);
  });
});

describe('records', () => {
  it('carry Python fields, a growing seq and a unique uid', () => {
    const records: logging.LogRecord[] = [];
    const logger = getLogger('rec');
    logger.addHandler(new (class extends logging.Handler { emit(r: logging.LogRecord) { records.push(r); } })());
    const before = Date.now();
    logger.warning('a %s', 'b');
    logger.error('c');
    const after = Date.now();
    const [r1, r2] = records;
    expect(r1.name).toBe('rec');
    expect(r1.levelno).toBe(WARNING);
    expect(r1.levelname).toBe('WARNING');
    expect(r1.msg).toBe('a %s');
    expect(r1.args).toEqual(['b']);
    expect(r1.getMessage()).toBe('a b');
    expect(r1.created * 1000).toBeGreaterThanOrEqual(before);
    expect(r1.created * 1000).toBeLessThanOrEqual(after);
    expect(r1.msecs).toBe(Math.round(r1.created * 1000) % 1000);
    expect(r1.relativeCreated).toBeGreaterThanOrEqual(0);
    expect(r2.seq).toBe(r1.seq + 1);
    expect(r1.uid).not.toBe(r2.uid);
    expect(r1.uid).toMatch(/^[0-9a-f]{16}-[0-9a-z]+$/);
    expect(r1.funcName).toBe('(unknown function)');
    expect(r1.threadName).toBe('MainThread');
  });

  it('makeLogRecord builds a record from plain data and ignores prototype keys', () => {
    const r = logging.makeLogRecord(JSON.parse('{"name":"x","msg":"hi %s","args":["there"],"levelno":20,"levelname":"INFO","__proto__":{"polluted":1}}'));
    expect(r.getMessage()).toBe('hi there');
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect(r instanceof logging.LogRecord).toBe(true);
  });

  it('a single non-empty object argument is the mapping for %(key)s', () => {
    const [logger, out] = capture('map');
    logger.warning('%(user)s did %(what)s', { user: 'ann', what: 'it' });
    logger.warning('empty %s', {});
    expect(out.getvalue()).toBe('map:WARNING:ann did it\nmap:WARNING:empty {}\n');
  });

  it('extra() fields become record fields usable in the format; clashes are reported and skipped', () => {
    const reports: string[] = [];
    logging.setInternalErrorSink((t) => reports.push(t));
    const [logger, out] = capture('ex', '%(message)s ip=%(ip)s');
    logger.warning('login', logging.extra({ ip: '10.0.0.1' }));
    logger.warning('clash', logging.extra({ ip: '1', message: 'forged', name: 'other' }));
    expect(out.getvalue()).toBe('login ip=10.0.0.1\nclash ip=1\n');
    expect(reports.join('')).toContain("Attempt to overwrite 'message' in LogRecord");
    expect(reports.join('')).toContain("Attempt to overwrite 'name' in LogRecord");
  });

  it('an Error left over after the conversions becomes the exception text', () => {
    const [logger, out] = capture('exc', '%(levelname)s %(message)s');
    const err = new TypeError('bad thing');
    logger.error('failed', err);
    logger.error('failed: %s', err);
    logger.exception('via exception %d', 3, err);
    const text = out.getvalue();
    expect(text).toMatch(/^ERROR failed\nTypeError: bad thing\n\s+at /);
    expect(text).toContain('ERROR failed: bad thing\nERROR via exception 3\nTypeError: bad thing');
  });

  it('exception() or exc_info true with no Error prints NoneType: None, as Python does outside except', () => {
    const [logger, out] = capture('exc.none', '%(levelname)s %(message)s');
    logger.exception('boom');
    logger.error('asked', logging.kwargs({ exc_info: true }));
    logger.exception('declined', logging.kwargs({ exc_info: false }));
    logger.exception('given %s', 'x', new RangeError('real'));
    const adapter = new logging.LoggerAdapter(logger, {});
    adapter.exception('adapted');
    adapter.exception('adapted with', new RangeError('also real'));
    const text = out.getvalue();
    expect(text).toMatch(/^ERROR boom\nNoneType: None\nERROR asked\nNoneType: None\nERROR declined\nERROR given x\nRangeError: real\n/);
    expect(text).toContain('ERROR adapted\nNoneType: None\nERROR adapted with\nRangeError: also real\n');
  });

  it('kwargs({ exc_info, stack_info }) as the last argument', () => {
    const [logger, out] = capture('kw', '%(message)s');
    logger.warning('with %s', 'stack', logging.kwargs({ stack_info: true, exc_info: new Error('e1') }));
    const text = out.getvalue();
    expect(text).toMatch(/^with stack\nError: e1\n/);
    expect(text).toContain('Stack (most recent call first):\n');
    expect(text).toContain('logger.test.ts');
  });
});

describe('filters', () => {
  it("Filter(name) passes the name and its children, not siblings that share a prefix", () => {
    const f = new logging.Filter('A.B');
    const rec = (name: string) => new logging.LogRecord(name, INFO, '', 0, 'm', [], null);
    expect(f.filter(rec('A.B'))).toBeTruthy();
    expect(f.filter(rec('A.B.C'))).toBeTruthy();
    expect(f.filter(rec('A.BB'))).toBeFalsy();
    expect(f.filter(rec('B.A.B'))).toBeFalsy();
    expect(new logging.Filter('').filter(rec('anything'))).toBeTruthy();
  });

  it('functions filter, change the record, or replace it', () => {
    const [logger, out] = capture('flt', '%(message)s %(ip)s');
    logger.addFilter((r) => { r.ip = '1.2.3.4'; return true; });
    logger.addFilter((r) => r.msg !== 'drop');
    logger.addFilter((r) => { const copy = logging.makeLogRecord({ ...r, msg: `${String(r.msg)}!` }); return copy; });
    logger.warning('keep');
    logger.warning('drop');
    expect(out.getvalue()).toBe('keep! 1.2.3.4\n');
  });

  it('handler filters apply per handler', () => {
    const [logger, out] = capture('hf');
    const second = new StringStream();
    const h2 = new logging.StreamHandler(second);
    h2.addFilter(new logging.Filter('hf.keep'));
    logger.addHandler(h2);
    getLogger('hf.keep').warning('a');
    getLogger('hf.other').warning('b');
    expect(out.getvalue()).toBe('hf.keep:WARNING:a\nhf.other:WARNING:b\n');
    expect(second.getvalue()).toBe('a\n');
  });
});

describe('adapters and bound fields', () => {
  it('LoggerAdapter adds its extra to every record', () => {
    const [logger, out] = capture('ad', '%(message)s [%(conn)s]');
    const adapter = new logging.LoggerAdapter(logger, { conn: 'c1' });
    adapter.warning('hello %s', 'you');
    expect(out.getvalue()).toBe('hello you [c1]\n');
    expect(adapter.isEnabledFor(DEBUG)).toBe(false);
    expect(adapter.name).toBe('ad');
  });

  it('an overridden process() can rewrite the message, as in the cookbook', () => {
    const [logger, out] = capture('ad2', '%(message)s');
    class ConnAdapter extends logging.LoggerAdapter<{ connid: string }> {
      override process(msg: unknown, kw: logging.LogKwargs): [unknown, logging.LogKwargs] {
        return [`[${this.extra.connid}] ${String(msg)}`, kw];
      }
    }
    new ConnAdapter(logger, { connid: '42' }).error('closed %d', 7);
    expect(out.getvalue()).toBe('[42] closed 7\n');
  });

  it('bind() gives a child whose fields merge with per-call extra', () => {
    const [logger, out] = capture('bd', '%(message)s %(requestId)s %(user)s');
    const reqLog = logger.bind({ requestId: 'r-1', user: 'anon' });
    reqLog.warning('start');
    reqLog.bind({ user: 'ann' }).warning('auth');
    reqLog.warning('call', logging.extra({ user: 'bob' }));
    expect(out.getvalue()).toBe('start r-1 anon\nauth r-1 ann\ncall r-1 bob\n');
  });

  it('a bound view is a Logger of the same name that follows its logger\'s level, filters and disabled flag', () => {
    const [logger, out] = capture('bv', '%(name)s %(levelname)s %(message)s %(req)s');
    const view = logger.bind({ req: 'r-2' });
    expect(view).toBeInstanceOf(logging.Logger);
    expect(view.name).toBe('bv');
    view.info('hidden at WARNING');
    logger.setLevel(INFO);
    view.info('shown');
    expect(view.isEnabledFor(INFO)).toBe(true);
    logging.getLogger().setLevel(ERROR); // the logger's own level still decides
    view.info('still shown');
    logger.setLevel(NOTSET); // now the root's ERROR
    view.warning('hidden by the root');
    logging.disable(ERROR);
    view.error('hidden by disable()');
    logging.disable(NOTSET);
    logger.addFilter((r) => r.getMessage() !== 'filtered');
    view.error('filtered');
    logger.disabled = true;
    view.critical('hidden: disabled');
    logger.disabled = false;
    view.critical('last');
    expect(out.getvalue()).toBe('bv INFO shown r-2\nbv INFO still shown r-2\nbv CRITICAL last r-2\n');
  });

  it('a level set on a bound view is its own; the logger and other views keep theirs', () => {
    const [logger, out] = capture('bv2', '%(message)s');
    logger.setLevel(WARNING);
    const verbose = logger.bind({ v: 1 });
    const quiet = logger.bind({ v: 2 });
    verbose.setLevel(DEBUG);
    verbose.debug('debug from the verbose view');
    quiet.debug('not this');
    logger.debug('nor this');
    logger.setLevel(ERROR); // the view's own level still holds after a change elsewhere
    verbose.info('info from the verbose view');
    quiet.warning('not this either');
    expect(logger.getEffectiveLevel()).toBe(ERROR);
    expect(out.getvalue()).toBe('debug from the verbose view\ninfo from the verbose view\n');
  });

  it('a bound view\'s fields reach a handler that takes calls without a record (handleCall)', () => {
    const calls: unknown[] = [];
    class CallHandler extends logging.Handler {
      emit(): void { calls.push('record'); }
      override handleCall(_name: string, _level: number, _msg: unknown, _args: unknown[], fields: Record<string, unknown> | undefined): void { calls.push(fields); }
    }
    const logger = getLogger('bv3');
    logger.propagate = false;
    logger.addHandler(new CallHandler());
    const view = logger.bind({ a: 1, b: 2 });
    view.warning('x');
    view.warning('y', logging.extra({ b: 3 }));
    logger.warning('z');
    expect(calls).toEqual([{ a: 1, b: 2 }, { a: 1, b: 3 }, undefined]);
  });
});

describe('handlers', () => {
  it('MemoryHandler buffers until capacity or flushLevel, then hands records to its target', () => {
    const out = new StringStream();
    const target = new logging.StreamHandler(out);
    const mh = new logging.MemoryHandler(3, ERROR, target);
    const logger = getLogger('mem');
    logger.propagate = false;
    logger.setLevel(DEBUG);
    logger.addHandler(mh);
    logger.info('1');
    logger.info('2');
    expect(out.getvalue()).toBe('');
    logger.info('3');
    expect(out.getvalue()).toBe('1\n2\n3\n');
    logger.info('4');
    logger.error('5');
    expect(out.getvalue()).toBe('1\n2\n3\n4\n5\n');
    logger.info('6');
    mh.close();
    expect(out.getvalue()).toBe('1\n2\n3\n4\n5\n6\n');
  });

  it('MemoryHandler with flushOnClose false drops the buffer on close', () => {
    const out = new StringStream();
    const mh = new logging.MemoryHandler(10, CRITICAL, new logging.StreamHandler(out), false);
    mh.handle(new logging.LogRecord('x', INFO, '', 0, 'kept back', [], null));
    mh.close();
    expect(out.getvalue()).toBe('');
  });

  it('ConsoleHandler picks the console method by level and passes extra fields as an object', () => {
    const calls: [string, unknown[]][] = [];
    const saved = { ...console };
    for (const m of ['error', 'warn', 'info', 'debug'] as const) console[m] = (...a: unknown[]) => { calls.push([m, a]); };
    try {
      const logger = getLogger('con');
      logger.propagate = false;
      logger.setLevel(DEBUG);
      logger.addHandler(new logging.ConsoleHandler());
      logger.debug('d');
      logger.info('i');
      logger.warning('w', logging.extra({ k: 1 }));
      logger.error('e');
      logger.critical('c');
    } finally {
      Object.assign(console, saved);
    }
    expect(calls).toEqual([['debug', ['d']], ['info', ['i']], ['warn', ['w', { k: 1 }]], ['error', ['e']], ['error', ['c']]]);
  });

  it('shutdown flushes and closes every handler', async () => {
    const order: string[] = [];
    class Tracked extends logging.Handler {
      constructor(readonly tag: string) { super(); }
      emit(): void {}
      override flush(): void { order.push(`flush ${this.tag}`); }
      override close(): void { order.push(`close ${this.tag}`); super.close(); }
    }
    const a = new Tracked('a');
    const b = new Tracked('b');
    await logging.shutdown([a, b]);
    expect(order).toEqual(['flush b', 'close b', 'flush a', 'close a']);
  });
});

describe('calls a handler takes without a record (Handler.handleCall)', () => {
  class CallTaker extends logging.Handler {
    calls: unknown[][] = [];
    records: logging.LogRecord[] = [];
    emit(record: logging.LogRecord): void { this.records.push(record); }
    override handleCall(name: string, levelno: number, msg: unknown, args: unknown[], fields: Record<string, unknown> | undefined): void {
      this.calls.push([name, levelno, msg, [...args], fields]);
    }
  }
  function setup(): [logging.Logger, CallTaker] {
    const taker = new CallTaker();
    getLogger().addHandler(taker);
    getLogger().setLevel(DEBUG);
    return [getLogger('calls.app'), taker];
  }

  it('go to the only handler up the chain as the call gave them, without the kwargs marker', () => {
    const [log, taker] = setup();
    log.info('user %s signed in', 'ann', logging.extra({ userId: 42 }));
    log.warning('plain');
    expect(taker.calls).toEqual([['calls.app', INFO, 'user %s signed in', ['ann'], { userId: 42 }], ['calls.app', WARNING, 'plain', [], undefined]]);
    expect(taker.records).toEqual([]);
  });

  it('become records whenever something could see the record', () => {
    const [log, taker] = setup();
    const expectRecord = (what: () => void): void => {
      taker.records = [];
      taker.calls = [];
      what();
      expect(taker.calls).toEqual([]);
      expect(taker.records).toHaveLength(1);
    };
    expectRecord(() => log.error('failed', new Error('boom')));
    expectRecord(() => log.info('with stack', logging.kwargs({ stack_info: true })));
    expectRecord(() => log.info('with exc_info', logging.kwargs({ exc_info: new Error('x') })));
    const filter = (): boolean => true;
    log.addFilter(filter);
    expectRecord(() => log.info('a logger filter'));
    log.removeFilter(filter);
    taker.addFilter(filter);
    expectRecord(() => log.info('a handler filter'));
    taker.removeFilter(filter);
    const other = new logging.NullHandler();
    log.addHandler(other);
    expectRecord(() => log.info('a second handler'));
    log.removeHandler(other);
    const custom = getLogger('calls.custom');
    custom.makeRecord = function (...args) { return logging.Logger.prototype.makeRecord.apply(this, args); };
    expectRecord(() => custom.info('an own makeRecord'));
  });

  it('respect the handler level, propagate and the last resort as records do', () => {
    const [log, taker] = setup();
    taker.setLevel(ERROR);
    log.info('below the handler level');
    expect([taker.calls, taker.records]).toEqual([[], []]);
    taker.setLevel(NOTSET);
    const isolated = getLogger('calls.isolated');
    isolated.propagate = false;
    const last = logging.lastResort.handler;
    const out = new StringStream();
    logging.lastResort.handler = new logging.StreamHandler(out);
    try {
      isolated.warning('no handler here');
    } finally {
      logging.lastResort.handler = last;
    }
    expect(out.getvalue()).toBe('no handler here\n');
    expect([taker.calls, taker.records]).toEqual([[], []]);
  });
});

describe('reprs and the no-handler note, as Python prints them', () => {
  it('loggers, adapters and handlers show their level by name', () => {
    const log = getLogger('repr.a');
    log.setLevel(logging.DEBUG);
    expect(String(log)).toBe('<Logger repr.a (DEBUG)>');
    expect(String(new logging.LoggerAdapter(log, {}))).toBe('<LoggerAdapter repr.a (DEBUG)>');
    const h = new logging.StreamHandler(new StringStream());
    h.setLevel(WARNING);
    expect(String(h)).toBe('<StreamHandler (WARNING)>');
    expect(String(new logging.StreamHandler())).toBe('<StreamHandler <stderr> (NOTSET)>');
    expect(String(new logging.NullHandler())).toBe('<NullHandler (NOTSET)>');
  });

  it('with lastResort null, a record no handler takes gets one note for the whole tree', () => {
    const reports: string[] = [];
    logging.setInternalErrorSink((t) => reports.push(t));
    const last = logging.lastResort.handler;
    logging.lastResort.handler = null;
    logging.manager.emittedNoHandlerWarning = false;
    try {
      const a = getLogger('nohandler.a');
      a.propagate = false;
      a.warning('dropped');
      a.error('dropped too');
      const b = getLogger('nohandler.b');
      b.propagate = false;
      b.warning('also dropped');
    } finally {
      logging.lastResort.handler = last;
      logging.setInternalErrorSink(null);
    }
    expect(reports).toEqual(['No handlers could be found for logger "nohandler.a"']);
  });
});
