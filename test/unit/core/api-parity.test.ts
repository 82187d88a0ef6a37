// The API around the logger tree (loggers made directly, Manager, getLogger's TypeError, the
// module-level functions, setLoggerClass, setLogRecordFactory, makeRecord's parameters), each case
// the same calls as test/python/api_cases.py, whose output under CPython 3.11 is in
// test/fixtures/api-cases.json. Regenerate it with: python3.11 test/python/api_cases.py
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as logging from '../../../src/index.js';
import { pyRepr } from '../../../src/index.js';
import { resetLogging, StringStream } from '../helpers.js';

const expected = JSON.parse(readFileSync(new URL('../../fixtures/api-cases.json', import.meta.url), 'utf8')) as Record<string, string>;

const py = (b: boolean): string => (b ? 'True' : 'False');

function streamHandler(fmt = '%(levelname)s:%(name)s:%(message)s'): [StringStream, logging.StreamHandler] {
  const s = new StringStream();
  const h = new logging.StreamHandler(s);
  h.setFormatter(new logging.Formatter(fmt));
  return [s, h];
}

function errorText(fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

/** Python's sys.stderr swapped for a string: basicConfig's default stream writes through console.error. */
function captureStderr(fn: () => void): string {
  let text = '';
  const spy = vi.spyOn(console, 'error').mockImplementation((line: unknown) => { text += `${String(line)}\n`; });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return text;
}

class NotALogger {}

const cases: Record<string, () => string> = {
  args_tuple() {
    const out: string[] = [];
    for (const [style, fmt] of [['%', '%(args)s|%(args)r'], ['{', '{args}|{args!r}'], ['$', '${args}']] as const) {
      const f = new logging.Formatter(fmt, null, style);
      for (const args of [['a'], [], ['a', 1], [{ k: 1 }], [null, true, 1.5]]) {
        const msg = args.length === 0 || (typeof args[0] === 'object' && args[0] !== null) ? 'm' : args.map(() => '%r').join(' ');
        const r = new logging.LogRecord('n', 20, '', 0, msg, args, null);
        out.push(`${style} ${f.format(r)}`);
      }
    }
    return out.join('\n');
  },

  direct_logger() {
    const out: string[] = [];
    const [s, h] = streamHandler();
    const lg = new logging.Logger('direct');
    out.push(`manager is global: ${py(lg.manager === logging.root.manager)}`);
    out.push(`root is root: ${py(lg.root === logging.root)}`);
    out.push(`parent: ${pyRepr(lg.parent)}`);
    out.push(`level ${lg.level}, effective ${lg.getEffectiveLevel()}`);
    out.push(`enabled for DEBUG: ${py(lg.isEnabledFor(logging.DEBUG))}`);
    out.push(`in loggerDict: ${py(logging.manager.loggerDict.has('direct'))}`);
    lg.addHandler(h);
    lg.debug('debug from a direct logger');
    lg.info('info %s', 'too');
    lg.log(5, 'level 5');
    const lg2 = new logging.Logger('leveled', logging.INFO);
    lg2.addHandler(h);
    lg2.debug('not shown');
    lg2.info('shown at INFO');
    out.push(`getLogger gives another: ${py(logging.getLogger('direct') !== lg)}`);
    return out.join('\n') + '\n' + s.text;
  },

  direct_logger_last_resort() {
    const err = new StringStream();
    const old = logging.lastResort.handler;
    logging.lastResort.handler = new logging.StreamHandler(err);
    logging.lastResort.handler.setLevel(logging.WARNING);
    try {
      const lg = new logging.Logger('alone');
      lg.info('info goes nowhere');
      lg.warning('warning goes to the last resort');
    } finally {
      logging.lastResort.handler = old;
    }
    return err.text;
  },

  manager_disable_assigned() {
    const out: string[] = [];
    const [s, h] = streamHandler();
    const lg = logging.getLogger('disabling');
    lg.addHandler(h);
    lg.setLevel(logging.DEBUG);
    const direct = new logging.Logger('direct2');
    direct.addHandler(h);
    lg.manager.disable = 33;
    out.push(`disable: ${logging.root.manager.disable}`);
    out.push(`enabled 33: ${py(lg.isEnabledFor(33))}, 34: ${py(lg.isEnabledFor(34))}`);
    out.push(`direct enabled 33: ${py(direct.isEnabledFor(33))}, 34: ${py(direct.isEnabledFor(34))}`);
    lg.warning('warning dropped');
    lg.error('error shown');
    direct.warning('direct warning dropped');
    direct.error('direct error shown');
    lg.manager.disable = 0;
    lg.info('info after disable = 0');
    lg.disabled = true;
    lg.manager.disable = 21;
    out.push(`disabled logger enabled 22: ${py(lg.isEnabledFor(22))}`);
    lg.disabled = false;
    lg.manager.disable = 0;
    logging.disable();
    out.push(`disable() sets ${logging.root.manager.disable}`);
    logging.disable(logging.NOTSET);
    return out.join('\n') + '\n' + s.text;
  },

  adapter_manager() {
    const out: string[] = [];
    const lg = logging.getLogger('adapted');
    const a = new logging.LoggerAdapter(lg, {});
    const aa = new logging.LoggerAdapter(a, {});
    const orig = aa.manager;
    out.push(`same manager: ${py(a.manager === orig)} ${py(lg.manager === orig)}`);
    const temp = new logging.Manager(null);
    aa.manager = temp;
    out.push(`after assignment: ${py(aa.manager === temp)} ${py(a.manager === temp)} ${py(lg.manager === temp)}`);
    aa.manager = orig;
    out.push(`restored: ${py(lg.manager === orig)}`);
    return out.join('\n');
  },

  get_logger_names() {
    const out: string[] = [];
    const getLogger = logging.getLogger as (name: unknown) => logging.Logger;
    for (const [label, name] of [['None', null], ["''", ''], ["'root'", 'root'], ['0', 0], ['False', false], ['[]', []], ['{}', {}]] as const) {
      out.push(`${label} -> root: ${py(getLogger(name) === logging.root)}`);
    }
    for (const [label, name] of [['42', 42], ['1.5', 1.5], ['[1]', [1]], ["{'a': 1}", { a: 1 }], ['True', true]] as const) {
      out.push(`${label} -> ${errorText(() => getLogger(name))}`);
    }
    out.push(`manager.getLogger(None) -> ${errorText(() => logging.manager.getLogger(null as unknown as string))}`);
    out.push(`getLogger('foo').root is root: ${py(logging.getLogger('foo').root === logging.root)}`);
    out.push(`getLogger('foo').parent is root: ${py(logging.getLogger('foo').parent === logging.root)}`);
    out.push(`getLogger('foo.bar').parent is root: ${py(logging.getLogger('foo.bar').parent === logging.root)}`);
    out.push(`getLogger('\\0') is root: ${py(logging.getLogger('\0') === logging.root)}`);
    return out.join('\n');
  },

  module_functions() {
    return captureStderr(() => {
      logging.debug('debug %s', 'dropped');
      console.error(`handlers after debug: ${logging.root.handlers.length}`);
      logging.info('info dropped');
      logging.warning('warning %d', 1);
      logging.warn('warn %d', 2);
      logging.error('error %s', 'three');
      logging.critical('critical %(n)s', { n: 4 });
      logging.fatal('fatal');
      logging.log(logging.ERROR, 'log at %s', 'ERROR');
      logging.log(25, 'log at 25 dropped');
      logging.exception('exception outside except');
      logging.root.setLevel(logging.DEBUG);
      logging.debug('debug shown');
      logging.log(25, 'log at %d', 25);
    });
  },

  module_functions_keep_handlers() {
    const [s, h] = streamHandler('%(name)s|%(levelname)s|%(message)s');
    logging.root.addHandler(h);
    const text = captureStderr(() => { logging.warning('to the handler'); logging.info('dropped'); });
    return `stderr: ${pyRepr(text)}\nhandlers: ${logging.root.handlers.length}\n${s.text}`;
  },

  module_functions_basic_config_once_level() {
    return captureStderr(() => {
      logging.root.setLevel(logging.CRITICAL);
      logging.info('dropped');
      console.error(`handlers: ${logging.root.handlers.length}`);
      logging.critical('shown');
    });
  },

  logger_class() {
    const out: string[] = [];
    const [s, h] = streamHandler();
    const made: string[] = [];
    class MyLogger extends logging.getLoggerClass() {
      constructor(name: string, level: number | string = logging.NOTSET) {
        super(name, level);
        made.push(name);
      }
    }
    const before = logging.getLogger('cls.before');
    logging.getLogger('cls.ph.child');
    out.push(errorText(() => logging.setLoggerClass(NotALogger as unknown as logging.LoggerClass)));
    out.push(`class still Logger: ${py(logging.getLoggerClass() === logging.Logger)}`);
    logging.setLoggerClass(MyLogger);
    out.push(`getLoggerClass is MyLogger: ${py(logging.getLoggerClass() === MyLogger)}`);
    const after = logging.getLogger('cls.after');
    const ph = logging.getLogger('cls.ph');
    out.push(`before: ${before.constructor.name}, after: ${after.constructor.name}, placeholder: ${ph.constructor.name}`);
    out.push(`again: ${py(logging.getLogger('cls.before') === before)}`);
    out.push(`child parent is placeholder logger: ${py(logging.getLogger('cls.ph.child').parent === ph)}`);
    out.push(`root: ${logging.getLogger().constructor.name}`);
    out.push(`made: ${pyRepr(made)}`);
    after.addHandler(h);
    after.setLevel(logging.DEBUG);
    after.debug('hello');
    after.setLevel(logging.INFO);
    after.debug('not shown');
    after.info('info shown');
    logging.setLoggerClass(logging.Logger);
    out.push(`restored: ${logging.getLogger('cls.restored').constructor.name}`);
    return out.join('\n') + '\n' + s.text;
  },

  own_manager() {
    const out: string[] = [];
    const logged: unknown[] = [];
    class MyLogger extends logging.Logger {
      override _log(_level: number, msg: unknown): void { logged.push(msg); }
    }
    const man = new logging.Manager(null);
    out.push(errorText(() => man.setLoggerClass(NotALogger as unknown as logging.LoggerClass)));
    man.setLoggerClass(MyLogger);
    const lg = man.getLogger('test');
    out.push(`class: ${lg.constructor.name}, manager: ${py(lg.manager === man)}, parent: ${pyRepr(lg.parent)}`);
    out.push(`in global loggerDict: ${py(logging.manager.loggerDict.has('test'))}`);
    lg.warning('should appear in logged');
    captureStderr(() => logging.warning('should not appear in logged'));
    out.push(`logged: ${pyRepr(logged)}`);
    const factory: logging.LogRecordFactory = (...a) => new logging.LogRecord(...a);
    man.setLogRecordFactory(factory);
    out.push(`logRecordFactory kept: ${py(man.logRecordFactory === factory)}`);
    const root2 = new logging.RootLogger(logging.INFO);
    const man2 = new logging.Manager(root2);
    const child = man2.getLogger('a.b');
    out.push(`own root: ${py(child.parent === root2)}, effective: ${child.getEffectiveLevel()}`);
    out.push(`own root keeps the global manager: ${py(root2.manager === logging.Logger.manager)}`);
    root2.setLevel(logging.ERROR);
    out.push(`child follows its root: INFO ${py(child.isEnabledFor(logging.INFO))}, ERROR ${py(child.isEnabledFor(logging.ERROR))}`);
    void new logging.Manager(logging.root);
    out.push(`global root keeps its manager: ${py(logging.root.manager === logging.Logger.manager)}`);
    return out.join('\n');
  },

  record_factory() {
    const out: string[] = [];
    const [s, h] = streamHandler('%(custom_attribute)s %(levelname)s %(message)s');
    const lg = logging.getLogger('factory');
    lg.addHandler(h);
    lg.propagate = false;
    const old = logging.getLogRecordFactory();
    out.push(`default makes a LogRecord: ${py(old('n', 20, '', 0, 'm', [], null) instanceof logging.LogRecord)}`);
    const recordFactory: logging.LogRecordFactory = (...args) => {
      const record = old(...args);
      record.custom_attribute = 'decafbad';
      return record;
    };
    logging.setLogRecordFactory(recordFactory);
    out.push(`get gives it: ${py(logging.getLogRecordFactory() === recordFactory)}`);
    lg.warning('made by %s', 'the factory');
    const r = logging.makeLogRecord({ msg: 'from makeLogRecord' });
    out.push(`makeLogRecord: ${String(r.custom_attribute)} ${String(r.msg)}`);
    logging.setLogRecordFactory(old);
    return out.join('\n') + '\n' + s.text;
  },

  record_factory_class() {
    const out: string[] = [];
    const [s, h] = streamHandler();
    const lg = logging.getLogger('derived');
    lg.addHandler(h);
    lg.propagate = false;
    const seen: string[] = [];
    lg.addFilter({ filter(record: logging.LogRecord) { seen.push(record.constructor.name); return true; } });
    lg.warning('one');
    logging.setLogRecordFactory(DerivedLogRecord);
    lg.error('two');
    out.push(`seen: ${pyRepr(seen)}`);
    out.push(`makeLogRecord: ${logging.makeLogRecord({}).constructor.name}`);
    logging.setLogRecordFactory(logging.LogRecord);
    return out.join('\n') + '\n' + s.text;
  },

  make_record_override() {
    const out: string[] = [];
    class SpyLogger extends logging.Logger {
      override makeRecord(...a: Parameters<logging.Logger['makeRecord']>): logging.LogRecord {
        const [name, level, fn, lno, msg, args, excInfo, func, extra, sinfo] = a;
        out.push(`name=${pyRepr(name)} level=${pyRepr(level)} fn=${pyRepr(fn)} lno=${pyRepr(lno)} msg=${pyRepr(msg)} `
          + `args=${(args as unknown[]).length} exc_info=${pyRepr(excInfo)} func=${pyRepr(func)} extra=${pyRepr(extra)} sinfo=${pyRepr(sinfo)}`);
        return super.makeRecord(...a);
      }
    }
    const [s, h] = streamHandler('%(name)s %(levelname)s %(message)s %(funcName)s %(lineno)d');
    const lg = new SpyLogger('spy');
    lg.addHandler(h);
    lg.info('hello %s', 'you');
    lg.warning('with extra', logging.extra({ k: 1 }));
    const r = lg.makeRecord('direct', 13, 'f.py', 7, 'm %s', ['a'], null, 'fn', { x: 2 }, null);
    out.push(`record: ${r.name} ${r.levelno} ${r.pathname} ${r.lineno} ${r.funcName} ${r.getMessage()} ${String(r.x)} ${r.levelno}`);
    return out.join('\n') + '\n' + s.text;
  },
};

class DerivedLogRecord extends logging.LogRecord {}

describe('the logger tree API matches CPython 3.11 (test/fixtures/api-cases.json)', () => {
  beforeEach(() => resetLogging());
  afterEach(() => {
    resetLogging();
    logging.disable(logging.NOTSET);
    logging.setLoggerClass(logging.Logger);
    logging.setLogRecordFactory(logging.LogRecord);
  });
  it('has a replay for every case of the fixture', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(expected).sort());
  });
  for (const name of Object.keys(cases)) {
    it(name.replace(/_/g, ' '), () => {
      expect(cases[name]()).toBe(expected[name]);
    });
  }
});

describe('records, loggers and errors where JavaScript differs', () => {
  beforeEach(() => resetLogging());
  afterEach(() => { resetLogging(); logging.setLogRecordFactory(logging.LogRecord); });

  it('taskName is None on every record: there is no asyncio task (Python 3.12 prints None outside one)', () => {
    const [s, h] = streamHandler('%(taskName)s|{%(message)s}');
    const lg = logging.getLogger('tasks');
    lg.addHandler(h);
    lg.warning('x');
    expect(s.text).toBe('None|{x}\n');
    expect(logging.makeLogRecord({}).taskName).toBeNull();
  });

  it('a record factory of the app sees the calls the page queue would take without a record', () => {
    class CallTaker extends logging.Handler {
      calls = 0;
      records: logging.LogRecord[] = [];
      emit(record: logging.LogRecord): void { this.records.push(record); }
      override handleCall(): void { this.calls++; }
    }
    const sink = new CallTaker();
    const lg = logging.getLogger('sink');
    lg.propagate = false;
    lg.addHandler(sink);
    lg.warning('no record needed');
    expect([sink.calls, sink.records.length]).toEqual([1, 0]);
    const old = logging.getLogRecordFactory();
    logging.setLogRecordFactory((...args) => Object.assign(old(...args), { region: 'eu-1' }));
    lg.warning('a record, from the factory');
    expect([sink.calls, sink.records.length, sink.records[0]?.region]).toEqual([1, 1, 'eu-1']);
    logging.setLogRecordFactory(logging.LogRecord);
    lg.warning('back to no record');
    expect([sink.calls, sink.records.length]).toEqual([2, 1]);
  });

  it('the default factory is a function and a class: old(...args), new, extends and LogRecord to restore', () => {
    const factory = logging.getLogRecordFactory();
    expect(factory('a', 20, '', 0, 'm', [], null)).toBeInstanceOf(logging.LogRecord);
    expect(new factory('a', 20, '', 0, 'm', [], null)).toBeInstanceOf(logging.LogRecord);
    class Sub extends factory {}
    expect(new Sub('a', 20, '', 0, 'm', [], null)).toBeInstanceOf(logging.LogRecord);
    logging.setLogRecordFactory(Sub);
    expect(logging.getLogger('sub').makeRecord('sub', 20, '', 0, 'm', [], null)).toBeInstanceOf(Sub);
    logging.setLogRecordFactory(logging.LogRecord);
    expect(logging.getLogRecordFactory()).toBe(factory);
    expect(() => logging.setLogRecordFactory(5 as unknown as logging.LogRecordFactory)).toThrow(TypeError);
  });

  it('log() with a level that is not a number reports, even with raiseExceptions (Python raises TypeError), and is silent without', () => {
    const reports: string[] = [];
    logging.setInternalErrorSink((t) => reports.push(t));
    try {
      const lg = new logging.Logger('levels');
      expect(() => lg.log('10' as unknown as number, 'test message')).not.toThrow();
      expect(reports.join('')).toContain('TypeError: level must be an integer');
      logging.settings.raiseExceptions = false;
      reports.length = 0;
      lg.log('10' as unknown as number, 'test message');
      expect(reports).toEqual([]);
    } finally {
      logging.settings.raiseExceptions = true;
      logging.setInternalErrorSink(null);
    }
  });

  it('a queued record is a plain object, and its exc_text is the JavaScript stack', () => {
    const q = new logging.MemoryQueue();
    const qh = new logging.QueueHandler(q);
    const lg = logging.getLogger('queued');
    lg.propagate = false;
    lg.addHandler(qh);
    lg.error('failed %s', 'here', new Error('boom'));
    const queued = q.get_nowait();
    expect(queued).not.toBeInstanceOf(logging.LogRecord);
    expect(Object.getPrototypeOf(queued)).toBe(Object.prototype);
    const plain = queued as logging.PlainRecord;
    expect([plain.msg, plain.args, plain.exc_info]).toEqual(['failed here', null, null]);
    expect(plain.exc_text).toMatch(/^Error: boom\n\s+at /);
  });

  it('a logger made directly follows a parent set by hand, and disable() reaches it', () => {
    const [s, h] = streamHandler();
    const parent = logging.getLogger('hand');
    parent.addHandler(h);
    const child = new logging.Logger('hand.made');
    child.parent = parent;
    parent.setLevel(logging.ERROR);
    child.warning('dropped: the parent is at ERROR');
    child.error('shown through the parent');
    logging.disable(logging.ERROR);
    child.error('dropped by disable()');
    logging.disable(logging.NOTSET);
    child.critical('shown again');
    expect(s.text).toBe('ERROR:hand.made:shown through the parent\nCRITICAL:hand.made:shown again\n');
  });
});
