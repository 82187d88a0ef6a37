import { beforeEach, describe, expect, it } from 'vitest';
import * as logging from '../../../src/index.js';
import { DEBUG, ERROR, INFO, WARNING, getLogger, root } from '../../../src/index.js';
import { resetLogging, StringStream } from '../helpers.js';

beforeEach(resetLogging);

describe('basicConfig', () => {
  it("uses Python's BASIC_FORMAT and does nothing if the root already has handlers", () => {
    const out = new StringStream();
    logging.basicConfig({ stream: out, level: INFO });
    logging.basicConfig({ stream: new StringStream(), format: 'ignored %(message)s' });
    getLogger('bc').info('hello');
    expect(out.getvalue()).toBe('INFO:bc:hello\n');
    expect(root.level).toBe(INFO);
  });

  it('force replaces the root handlers', () => {
    const first = new StringStream();
    const second = new StringStream();
    logging.basicConfig({ stream: first });
    logging.basicConfig({ stream: second, force: true, format: '{levelname}|{message}', style: '{' });
    getLogger('bc2').warning('w');
    expect(first.getvalue()).toBe('');
    expect(second.getvalue()).toBe('WARNING|w\n');
  });

  it('reports bad combinations and unknown options', () => {
    expect(() => logging.basicConfig({ stream: new StringStream(), handlers: [] })).toThrow("'stream' or 'filename' should not be specified together with 'handlers'");
    expect(() => logging.basicConfig({ levle: 10 } as logging.BasicConfigOptions)).toThrow('Unrecognised argument(s): levle');
    expect(() => logging.basicConfig({ filename: 'x.log' })).toThrow(/FileHandler/);
  });
});

describe('configure (dictConfig)', () => {
  const stream = new StringStream();
  const base = (): logging.DictConfig => ({
    version: 1,
    formatters: { brief: { format: '%(name)s %(levelname)s %(message)s' }, curly: { format: '{levelname:<7}{message}', style: '{' } },
    filters: { onlyApp: { name: 'app' } },
    handlers: {
      out: { class: 'logging.StreamHandler', stream, formatter: 'brief', level: 'DEBUG' },
      buffered: { class: 'logging.handlers.MemoryHandler', capacity: 2, flushLevel: 'ERROR', target: 'out' },
      filtered: { class: 'StreamHandler', stream, formatter: 'curly', filters: ['onlyApp'] },
    },
    loggers: { app: { level: 'DEBUG', handlers: ['out'], propagate: false }, 'app.db': { level: 'WARNING' } },
    root: { level: 'ERROR', handlers: ['filtered'] },
  });

  it('builds formatters, filters, handlers (with targets), loggers and root', () => {
    stream.text = '';
    logging.configure(base());
    getLogger('app').debug('dbg');
    getLogger('app.db').info('hidden');
    getLogger('app.db').warning('shown');
    getLogger('other').error('root only, filtered out');
    expect(stream.getvalue()).toBe('app DEBUG dbg\napp.db WARNING shown\n');
    expect(getLogger('app').propagate).toBe(false);
    expect(root.level).toBe(ERROR);
  });

  it('disables existing loggers it does not name, but not children of named ones', () => {
    const old = getLogger('legacy.module');
    const child = getLogger('app.child');
    child.setLevel(ERROR);
    logging.configure(base());
    expect(old.disabled).toBe(true);
    expect(child.disabled).toBe(false);
    expect(child.level).toBe(0);
    logging.configure({ ...base(), disable_existing_loggers: false });
    expect(old.disabled).toBe(false);
  });

  it('incremental changes only levels and propagate', () => {
    logging.configure(base());
    const handlersBefore = getLogger('app').handlers.slice();
    logging.configure({ version: 1, incremental: true, handlers: { out: { level: 'ERROR' } }, loggers: { app: { level: 'INFO', propagate: true } } });
    expect(getLogger('app').handlers).toEqual(handlersBefore);
    expect(getLogger('app').handlers[0].level).toBe(ERROR);
    expect(getLogger('app').level).toBe(INFO);
    expect(getLogger('app').propagate).toBe(true);
  });

  it('closes the handlers of an earlier configuration', () => {
    let closed = 0;
    class Tracked extends logging.Handler { emit(): void {} override close(): void { closed++; super.close(); } }
    logging.registerHandlerClass('Tracked', Object.assign(() => new Tracked(), { keys: [] as string[] }));
    logging.configure({ version: 1, handlers: { t: { class: 'Tracked' } }, root: { handlers: ['t'] } });
    logging.configure({ version: 1, handlers: { t: { class: 'Tracked' } }, root: { handlers: ['t'] } });
    expect(closed).toBe(1);
  });

  it('handlers registered later are found by name; factories with "()" work', () => {
    const seen: string[] = [];
    logging.configure({
      version: 1,
      handlers: { custom: { '()': () => new (class extends logging.Handler { emit(r: logging.LogRecord) { seen.push(this.format(r)); } })() } },
      root: { level: 'INFO', handlers: ['custom'] },
    });
    getLogger('f').info('via factory');
    expect(seen).toEqual(['via factory']);
  });

  it('QueueHandler with handlers gets a listener, as in Python 3.12', async () => {
    const out = new StringStream();
    logging.configure({
      version: 1,
      handlers: { sink: { class: 'StreamHandler', stream: out }, q: { class: 'QueueHandler', handlers: ['sink'] } },
      root: { level: 'INFO', handlers: ['q'] },
    });
    const qh = root.handlers[0] as logging.QueueHandler;
    qh.listener?.start();
    getLogger('qc').info('queued');
    await qh.listener?.stop();
    expect(out.getvalue()).toBe('queued\n');
  });

  it.each([
    [{ version: 2 }, 'unsupported version 2; use version: 1'],
    [{ version: 1, handlers: { net: { class: 'StreamHandlr' } } }, 'handlers.net: no handler class "StreamHandlr"; did you mean "StreamHandler"?'],
    [{ version: 1, handlers: { h: { class: 'StreamHandler', levl: 'INFO' } } }, 'handlers.h: unknown key "levl"; did you mean "level"?'],
    [{ version: 1, handlers: { h: { class: 'StreamHandler', level: 'INFOO' } } }, 'handlers.h.level: unknown level "INFOO"; did you mean "INFO"?'],
    [{ version: 1, handlers: { h: { class: 'StreamHandler', formatter: 'missing' } } }, 'handlers.h.formatter: no formatter named "missing"'],
    [{ version: 1, handlers: { h: { class: 'MemoryHandler', capacity: 1, target: 'nope' } } }, 'no handler named "nope"'],
    [{ version: 1, loggers: { a: { handlers: ['ghost'] } } }, 'loggers.a.handlers: no handler named "ghost"'],
    [{ version: 1, loggers: { a: { levle: 'INFO' } } }, 'loggers.a: unknown key "levle"; did you mean "level"?'],
    [{ version: 1, formatters: { f: { format: 'no fields' } } }, "formatters.f: Unable to configure formatter 'f': Invalid format 'no fields' for '%' style"],
    [{ version: 1, formatters: { f: { format: '%(message)s', style: '#' } } }, 'formatters.f.style: "#" is not a style'],
    [{ version: 1, incremental: true, handlers: { nope: { level: 'INFO' } } }, 'handlers.nope: no handler found'],
  ])('names the bad key: %j', (config, message) => {
    let error: unknown;
    try { logging.configure(config as unknown as logging.DictConfig); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(logging.ConfigError);
    expect((error as Error).message).toContain(message);
  });

  it('a failed configuration leaves the previous one working', () => {
    const out = new StringStream();
    logging.configure({ version: 1, handlers: { ok: { class: 'StreamHandler', stream: out } }, root: { level: 'WARNING', handlers: ['ok'] } });
    expect(() => logging.configure({ version: 1, handlers: { bad: { class: 'Nope' } } })).toThrow(logging.ConfigError);
    getLogger('still').warning('works');
    expect(out.getvalue()).toBe('works\n');
    void DEBUG; void WARNING;
  });
});
