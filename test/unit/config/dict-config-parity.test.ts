// configure() against CPython 3.11's dictConfig: the configurations of test/python/dictconfig_cases.py,
// whose outputs and refusals are in test/fixtures/dictconfig-cases.json. A refusal is a ConfigError
// whose message holds Python's words (and then says what to change). Regenerate the fixture with:
// python3.11 test/python/dictconfig_cases.py
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as logging from '../../../src/index.js';
import { pyRepr } from '../../../src/index.js';
import { resetLogging, StringStream } from '../helpers.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/dictconfig-cases.json', import.meta.url), 'utf8')) as {
  output: Record<string, string>;
  refusals: Record<string, { error: string[] | null }>;
};

const OUT = new StringStream();
logging.registerExternal('__main__.OUT', OUT);

class BracketFormatter extends logging.Formatter {
  override format(record: logging.LogRecord): string { return `[${super.format(record)}]`; }
}

function upperFormatter(kw: Record<string, unknown>): logging.Formatter {
  return new logging.Formatter(String(kw.format).toUpperCase().replace('%(LEVELNAME)S', '%(levelname)s').replace('%(MESSAGE)S', '%(message)s'));
}

class PrefixFilter {
  prefix: string;
  constructor(kw: Record<string, unknown>) { this.prefix = String(kw.prefix); }
  filter(record: logging.LogRecord): boolean { return record.getMessage().startsWith(this.prefix); }
}

function taggingFilter(kw: Record<string, unknown>) {
  return (record: logging.LogRecord) => { record.tag = kw.tag; return true; };
}

class ListHandler extends logging.Handler {
  lines: string[] = [];
  constructor(readonly options: Record<string, unknown>) { super(); }
  emit(record: logging.LogRecord): void { this.lines.push(this.format(record)); }
}

const listHandler = (kw: Record<string, unknown>) => new ListHandler(kw);

/** Python's repr of sorted(dict.items()). */
const sortedItems = (o: Record<string, unknown>): string =>
  `[${Object.keys(o).sort().map((k) => `(${pyRepr(k)}, ${pyRepr(o[k])})`).join(', ')}]`;

const cases: Record<string, () => string> = {
  factories() {
    logging.configure({
      version: 1,
      formatters: {
        bracket: { '()': BracketFormatter, format: '%(levelname)s %(message)s' },
        upper: { '()': upperFormatter, format: '%(levelname)s: %(message)s' },
      },
      filters: {
        prefix: { '()': PrefixFilter, prefix: 'keep' },
        tag: { '()': taggingFilter, tag: 't1' },
      },
      handlers: {
        cls: { '()': ListHandler, formatter: 'bracket', filters: ['prefix'], colour: 'blue' },
        fn: { '()': listHandler, formatter: 'upper', filters: ['tag'], size: 3 },
      },
      root: { level: 'INFO', handlers: ['cls', 'fn'] },
    });
    const log = logging.getLogger('app');
    log.info('keep this');
    log.warning('drop this from cls');
    const [cls, fn] = logging.root.handlers as ListHandler[];
    return [`cls ${cls.constructor.name} ${pyRepr(cls.options)}`, ...cls.lines,
      `fn ${fn.constructor.name} ${pyRepr(fn.options)}`, ...fn.lines].join('\n');
  },

  cfg_references() {
    logging.configure({
      version: 1,
      custom: { fmt: '%(name)s|%(message)s', mail: { toaddrs: ['ops@example.com', 'dev@example.com'] } },
      formatters: { f: { format: 'cfg://custom.fmt' } },
      handlers: {
        another: { '()': ListHandler, first: 'cfg://handlers.email[toaddrs][0]',
          second: 'cfg://custom[mail][toaddrs][1]', section: 'cfg://custom.mail' },
        email: { '()': ListHandler, toaddrs: ['a@example.com', 'b@example.com'], formatter: 'f' },
      },
      root: { level: 'INFO', handlers: ['another', 'email'] },
    });
    logging.getLogger('cfg').info('hello');
    const [another, email] = logging.root.handlers as ListHandler[];
    return [`another ${sortedItems(another.options)}`, ...email.lines].join('\n');
  },

  ext_references() {
    logging.configure({
      version: 1,
      formatters: { f: { format: '%(levelname)s:%(message)s' } },
      handlers: { s: { class: 'logging.StreamHandler', stream: 'ext://__main__.OUT', formatter: 'f' } },
      root: { handlers: ['s'] },
    });
    logging.warning('through ext://');
    return OUT.text;
  },

  own_top_level_keys() {
    logging.configure({
      version: 1,
      my_settings: { anything: 1 },
      comment: 'ignored',
      handlers: { s: { class: 'logging.StreamHandler', stream: 'ext://__main__.OUT' } },
      root: { handlers: ['s'] },
    });
    logging.warning('configured');
    return OUT.text;
  },
};

class NotAFormatter {}

const refusals: Record<string, Record<string, unknown>> = {
  'formatter class that is not a Formatter': { version: 1, formatters: { f: { class: NotAFormatter } } },
  'handler filter None': { version: 1, handlers: { h: { class: 'logging.StreamHandler', filters: [null] } } },
  'handler filter number': { version: 1, handlers: { h: { class: 'logging.StreamHandler', filters: [3] } } },
  'handler filter object without filter': { version: 1, handlers: { h: { class: 'logging.StreamHandler', filters: [{ a: 1 }] } } },
  'handler filter not configured': { version: 1, handlers: { h: { class: 'logging.StreamHandler', filters: ['nope'] } } },
  'logger filter None': { version: 1, loggers: { x: { filters: [null] } } },
  'root filter number': { version: 1, root: { filters: [3] } },
  'cfg key missing': { version: 1, handlers: { h: { class: 'logging.StreamHandler', stream: 'cfg://nope' } } },
  'cfg index out of range': { version: 1, x: { a: [1] }, handlers: { h: { class: 'logging.StreamHandler', stream: 'cfg://x.a[5]' } } },
  'cfg unparsable': { version: 1, handlers: { h: { class: 'logging.StreamHandler', stream: 'cfg://!x' } } },
  'ext name unknown': { version: 1, handlers: { h: { class: 'logging.StreamHandler', stream: 'ext://nope.x' } } },
};

/**
 * The parts of Python's error chain a ConfigError must hold: the outer ValueErrors without their
 * type, the innermost error as Python prints it; what comes from Python's import machinery or its
 * call of a class (no module named, takes no arguments) has no JavaScript counterpart.
 */
function pythonParts(chain: string[]): string[] {
  return chain
    .filter((part) => !/^ModuleNotFoundError|takes no arguments/.test(part))
    .map((part) => part.replace(/^ValueError: /, '').replace(/: No module named .*$/, ''));
}

describe('configure() matches CPython 3.11 dictConfig (test/fixtures/dictconfig-cases.json)', () => {
  beforeEach(() => { resetLogging(); OUT.text = ''; });
  afterEach(() => { resetLogging(); OUT.text = ''; });

  it('has a replay for every case of the fixture', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(fixture.output).sort());
    expect(Object.keys(refusals).sort()).toEqual(Object.keys(fixture.refusals).sort());
  });
  for (const name of Object.keys(cases)) {
    it(name.replace(/_/g, ' '), () => {
      expect(cases[name]()).toBe(fixture.output[name]);
    });
  }
  for (const [name, config] of Object.entries(refusals)) {
    it(`refuses as Python does: ${name}`, () => {
      let error: unknown;
      try { logging.configure(config as unknown as logging.DictConfig); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(logging.ConfigError);
      const message = (error as Error).message;
      for (const part of pythonParts(fixture.refusals[name].error as string[])) expect(message).toContain(part);
      // and a hint of what to change after Python's words
      expect(message).toMatch(/; \S/);
    });
  }
  it('a formatter class named in text that is not a Formatter is refused the same way', () => {
    expect(() => logging.configure({ version: 1, formatters: { f: { class: '__main__.NotAFormatter' } } }))
      .toThrow(/formatters\.f\.class: Unable to configure formatter 'f': "__main__\.NotAFormatter" is not a Formatter class/);
  });
});

describe('configure() beside the fixture', () => {
  beforeEach(() => resetLogging());
  afterEach(() => resetLogging());
  it('takes a handler class itself as "class", as Python takes a callable, and an ext:// name as "()"', () => {
    logging.registerExternal('app.listHandler', listHandler);
    logging.configure({ version: 1, handlers: { a: { class: ListHandler, size: 1 }, b: { '()': 'ext://app.listHandler', size: 2 } }, root: { handlers: ['a', 'b'] } });
    const [a, b] = logging.root.handlers as ListHandler[];
    expect([a, b].map((h) => [h.constructor.name, h.options, h.name])).toEqual([['ListHandler', { size: 1 }, 'a'], ['ListHandler', { size: 2 }, 'b']]);
  });
});

describe('getHandlerByName and getHandlerNames (Python 3.12)', () => {
  beforeEach(() => resetLogging());
  it('find the handlers configure() named, and forget them once closed', async () => {
    logging.configure({ version: 1, handlers: { first: { class: 'NullHandler' }, second: { class: 'NullHandler' } } });
    const first = logging.getHandlerByName('first');
    expect(first).toBeInstanceOf(logging.NullHandler);
    expect(first?.name).toBe('first');
    expect([...logging.getHandlerNames()].filter((n) => n === 'first' || n === 'second').sort()).toEqual(['first', 'second']);
    expect(logging.getHandlerByName('no such handler')).toBeNull();
    await first?.close();
    expect(logging.getHandlerByName('first')).toBeNull();
    // a handler named by hand is found too, under its new name once renamed
    const h = new logging.NullHandler();
    h.name = 'mine';
    expect(logging.getHandlerByName('mine')).toBe(h);
    h.set_name('renamed');
    expect(logging.getHandlerByName('mine')).toBeNull();
    expect(logging.getHandlerByName('renamed')).toBe(h);
  });
});
