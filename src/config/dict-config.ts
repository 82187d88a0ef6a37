// configure(): Python's logging.config.dictConfig schema, built from the handler classes in the
// registry.
import { callFactory, configErrorFrom, convert, filterFrom, ResolveError } from './cfg-resolver.js';
import { ConfigError, levelFrom, suggest } from './config-error.js';
import { handlerClass, handlerClassNames, shortName } from './registry.js';
import type { FilterLike } from '../core/filter.js';
import { Filter } from '../core/filter.js';
import { Formatter } from '../core/formatter.js';
import { allHandlers, type Handler } from '../core/handler.js';
import { pyRepr } from '../core/repr.js';
import { STYLES, type StyleName } from '../core/format-style.js';
import { lastResort, Logger, manager, type Manager, type RootLogger } from '../core/logger.js';
import { JsonFormatter } from '../core/json-formatter.js';
import { flushAndClose } from '../core/shutdown.js';

type Options = Record<string, unknown>;

const namedHandlers = new Map<string, Handler>();

function checkKeys(config: Options, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(config)) {
    if (!allowed.includes(key)) throw new ConfigError(`${path}: unknown key "${key}"${suggest(key, allowed)}`);
  }
}

/** The dictConfig schema, version 1; keys of its own (for cfg:// to point at) are ignored, as in Python. */
export interface DictConfig {
  [key: string]: unknown;
  version: 1;
  incremental?: boolean;
  disable_existing_loggers?: boolean;
  formatters?: Record<string, Options>;
  filters?: Record<string, Options>;
  handlers?: Record<string, Options>;
  loggers?: Record<string, Options>;
  root?: Options;
}

const FORMATTER_KEYS = ['format', 'datefmt', 'style', 'validate', 'defaults', 'class', '()', '.'];
const LOGGER_KEYS = ['level', 'propagate', 'filters', 'handlers'];
const HANDLER_KEYS = ['class', '()', 'level', 'formatter', 'filters', '.'];

function asObject(value: unknown, path: string): Options {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${path}: expected an object of settings, got ${JSON.stringify(value)}`);
  }
  return value as Options;
}

function applyAttributes(target: object, attrs: unknown): void {
  if (attrs && typeof attrs === 'object') Object.assign(target, attrs);
}

/** `cfg://` and `ext://` resolved in one section's entry; Python's refusal, with its words, as a ConfigError. */
function resolved(value: unknown, whole: Options, path: string, pythonHead: string): unknown {
  try {
    return convert(value, whole);
  } catch (err) {
    throw configErrorFrom(err, path, pythonHead);
  }
}

function makeFormatter(name: string, config: Options): Formatter {
  const path = `formatters.${name}`;
  const head = `Unable to configure formatter ${pyRepr(name)}`;
  const factory = config['()'];
  let formatter: Formatter;
  if (factory !== undefined) {
    const { '()': _f, '.': _a, ...args } = config;
    try {
      formatter = callFactory(factory, args, 'formatter') as Formatter;
    } catch (err) {
      if (err instanceof ResolveError) throw configErrorFrom(err, path, head);
      throw new ConfigError(`${path}: ${head}: ${(err as Error).message}`, { cause: err });
    }
  } else {
    checkKeys(config, FORMATTER_KEYS, path);
    const cls = config.class;
    const style = (config.style ?? '%') as StyleName;
    if (!(style in STYLES)) throw new ConfigError(`${path}.style: "${String(style)}" is not a style; use "%", "{" or "$"`);
    try {
      if (cls === undefined || shortName(String(cls)) === 'Formatter') {
        formatter = new Formatter(config.format as string | undefined, config.datefmt as string | undefined, style,
          config.validate === undefined ? true : Boolean(config.validate), { defaults: config.defaults as Options | undefined });
      } else if (typeof cls === 'function') {
        if (cls !== Formatter && !(cls.prototype instanceof Formatter)) {
          throw new ConfigError(`${path}.class: ${head}: ${cls.name || 'the class'} is not a Formatter; give a Formatter subclass, or use "()" for a factory of your own`);
        }
        formatter = new (cls as new (...a: unknown[]) => Formatter)(config.format, config.datefmt, style,
          config.validate === undefined ? true : Boolean(config.validate), { defaults: config.defaults as Options | undefined });
      } else if (shortName(String(cls)) === 'JsonFormatter') {
        formatter = new JsonFormatter();
      } else {
        throw new ConfigError(`${path}.class: ${head}: "${String(cls)}" is not a Formatter class${suggest(shortName(String(cls)), ['Formatter', 'JsonFormatter'])}`);
      }
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(`${path}: ${head}: ${(err as Error).message}`, { cause: err });
    }
  }
  applyAttributes(formatter, config['.']);
  return formatter;
}

function makeFilter(name: string, config: Options): FilterLike {
  const path = `filters.${name}`;
  const factory = config['()'];
  if (factory !== undefined) {
    const { '()': _f, '.': _a, ...args } = config;
    let made: FilterLike;
    try {
      made = callFactory(factory, args, 'filter') as FilterLike;
    } catch (err) {
      const head = `Unable to configure filter ${pyRepr(name)}`;
      if (err instanceof ResolveError) throw configErrorFrom(err, path, head);
      throw new ConfigError(`${path}: ${head}: ${(err as Error).message}`, { cause: err });
    }
    applyAttributes(made, config['.']);
    return made;
  }
  checkKeys(config, ['name', '()', '.'], path);
  return new Filter((config.name as string | undefined) ?? '');
}

function lookup<T>(table: Map<string, T>, name: unknown, kind: string, path: string): T {
  const found = table.get(String(name));
  if (found === undefined) throw new ConfigError(`${path}: no ${kind} named "${String(name)}"${suggest(String(name), table.keys())}`);
  return found;
}

function listOf(value: unknown, path: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigError(`${path}: expected a list of names, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Python's `logging.config.dictConfig`: formatters, filters, handlers (classes by name from the
 * registry), loggers and root; `incremental` changes only levels and propagate;
 * `disable_existing_loggers` (default true) disables loggers the configuration does not name.
 * Mistakes throw a ConfigError naming the key.
 * @example configure({ version: 1, handlers: { console: { class: 'ConsoleHandler', level: 'INFO' } }, root: { handlers: ['console'] } })
 */
export function configure(config: DictConfig): void {
  configureTree(config, manager);
}

// handlers a tree of its own was configured with: the global configure() leaves them alone
const ownedByTree = new WeakSet<Handler>();

/** The handlers of a tree's loggers, each once. */
function handlersOf(tree: Manager): Handler[] {
  return [...new Set(tree.loggers().flatMap((logger) => logger.handlers))];
}

/**
 * configure() applied to one logging tree: the global one (what configure does), or a Manager of
 * its own, as the collector keeps one so that two collectors in a process never share handlers.
 * A tree of its own has its handlers cleared, not every handler of the process, and its handler
 * names stay its own.
 * @internal
 */
export function configureTree(config: DictConfig, tree: Manager): void {
  const isGlobal = tree === manager;
  const root = tree.root as RootLogger;
  const getLogger = (name: string): Logger => tree.getLogger(name);
  const whole = asObject(config, 'configuration');
  // keys of its own beside Python's are ignored, as Python ignores them (cfg:// may point at them)
  if (whole.version !== 1) throw new ConfigError(`configuration.version: unsupported version ${JSON.stringify(whole.version)}; use version: 1`);

  if (whole.incremental) {
    for (const [name, hc] of Object.entries(asObject(whole.handlers, 'handlers'))) {
      const handler = namedHandlers.get(name);
      if (!handler) throw new ConfigError(`handlers.${name}: no handler found with that name to change incrementally`);
      const level = asObject(hc, `handlers.${name}`).level;
      if (level !== undefined) handler.setLevel(levelFrom(level, `handlers.${name}.level`));
    }
    for (const [name, lc] of Object.entries(asObject(whole.loggers, 'loggers'))) {
      configureLogger(getLogger(name), asObject(lc, `loggers.${name}`), `loggers.${name}`, true, new Map(), new Map(), root);
    }
    if (whole.root) configureLogger(root, asObject(whole.root, 'root'), 'root', true, new Map(), new Map(), root);
    return;
  }

  const formatters = new Map<string, Formatter>();
  for (const [name, fc] of Object.entries(asObject(whole.formatters, 'formatters'))) {
    const path = `formatters.${name}`;
    formatters.set(name, makeFormatter(name, asObject(resolved(fc, whole, path, `Unable to configure formatter ${pyRepr(name)}`), path)));
  }
  const filters = new Map<string, FilterLike>();
  for (const [name, fc] of Object.entries(asObject(whole.filters, 'filters'))) {
    const path = `filters.${name}`;
    filters.set(name, makeFilter(name, asObject(resolved(fc, whole, path, `Unable to configure filter ${pyRepr(name)}`), path)));
  }

  // everything built so far is validated before the old handlers are closed
  const handlerConfigs = asObject(whole.handlers, 'handlers');
  const built = new Map<string, Handler>();
  const building = new Set<string>();
  const resolveHandler = (name: string): Handler => {
    const done = built.get(name);
    if (done) return done;
    if (!(name in handlerConfigs)) throw new ConfigError(`no handler named "${name}"${suggest(name, Object.keys(handlerConfigs))}`);
    if (building.has(name)) throw new ConfigError(`handlers.${name}: refers to itself through its targets`);
    building.add(name);
    const path = `handlers.${name}`;
    const handler = makeHandler(name, asObject(resolved(handlerConfigs[name], whole, path, `Unable to configure handler ${pyRepr(name)}`), path));
    building.delete(name);
    built.set(name, handler);
    return handler;
  };
  const makeHandler = (name: string, hc: Options): Handler => {
    const path = `handlers.${name}`;
    const { class: cls, '()': factory, level, formatter, filters: hFilters, '.': attrs, ...options } = hc;
    const head = `Unable to configure handler ${pyRepr(name)}`;
    let handler: Handler;
    // Python's "class" may be the class itself (callable) rather than its dotted name
    if (factory !== undefined || typeof cls === 'function') {
      try {
        handler = callFactory(factory ?? cls, options, 'handler') as Handler;
      } catch (err) {
        if (err instanceof ResolveError) throw configErrorFrom(err, path, head);
        throw new ConfigError(`${path}: ${head}: ${(err as Error).message}`, { cause: err });
      }
    } else {
      if (cls === undefined) throw new ConfigError(`${path}: needs "class" (for example "StreamHandler") or a "()" factory`);
      const make = typeof cls === 'string' ? handlerClass(cls) : undefined;
      if (!make) throw new ConfigError(`${path}: no handler class "${String(cls)}"${suggest(shortName(String(cls)), handlerClassNames())}`);
      if (make.keys) checkKeys(options, [...make.keys, ...HANDLER_KEYS], path);
      try {
        handler = make(options, { resolveHandler, path });
      } catch (err) {
        if (err instanceof ConfigError) throw err;
        throw new ConfigError(`${path}: ${(err as Error).message}`);
      }
    }
    handler.name = name;
    if (level !== undefined) handler.setLevel(levelFrom(level, `${path}.level`));
    if (formatter !== undefined) handler.setFormatter(lookup(formatters, formatter, 'formatter', `${path}.formatter`));
    try {
      for (const f of listOf(hFilters, `${path}.filters`)) handler.addFilter(filterFrom(f, filters));
    } catch (err) {
      throw configErrorFrom(err, `${path}.filters`, head);
    }
    applyAttributes(handler, attrs);
    return handler;
  };
  const fresh: [string, Handler][] = [];
  try {
    for (const name of Object.keys(handlerConfigs).sort()) fresh.push([name, resolveHandler(name)]);
    for (const [name, lc] of Object.entries(asObject(whole.loggers, 'loggers'))) checkKeys(asObject(lc, `loggers.${name}`), LOGGER_KEYS, `loggers.${name}`);
    if (whole.root !== undefined) checkKeys(asObject(whole.root, 'root'), LOGGER_KEYS, 'root');
  } catch (err) {
    for (const h of built.values()) void h.close();
    throw err;
  }

  // Python's _clearExistingHandlers: every handler made before is flushed and closed (in a tree of
  // its own, the handlers of that tree)
  const fresher = new Set(built.values());
  for (const h of (isGlobal ? allHandlers() : handlersOf(tree)).reverse()) {
    if (!fresher.has(h) && h !== lastResort.handler && !(isGlobal && ownedByTree.has(h))) void flushAndClose(h);
  }
  if (!isGlobal) for (const h of built.values()) ownedByTree.add(h);
  if (isGlobal) {
    namedHandlers.clear();
    for (const [name, h] of fresh) namedHandlers.set(name, h);
  }

  const existing = [...tree.loggerDict.keys()].sort();
  const children = new Set<string>();
  const loggers = asObject(whole.loggers, 'loggers');
  for (const name of Object.keys(loggers)) {
    const at = existing.indexOf(name);
    if (at >= 0) {
      const prefix = name + '.';
      for (const other of existing.slice(at + 1)) if (other.startsWith(prefix)) children.add(other);
      existing.splice(at, 1);
    }
    const path = `loggers.${name}`;
    configureLogger(getLogger(name), asObject(resolved(loggers[name], whole, path, `Unable to configure logger ${pyRepr(name)}`), path), path, false, built, filters, root);
  }
  const disableExisting = whole.disable_existing_loggers ?? true;
  for (const name of existing) {
    const logger = tree.loggerDict.get(name);
    if (!(logger instanceof Logger)) continue;
    if (children.has(name)) {
      logger.setLevel(0);
      logger.handlers = [];
      logger.propagate = true;
    } else {
      logger.disabled = Boolean(disableExisting);
    }
  }
  if (whole.root !== undefined) {
    configureLogger(root, asObject(resolved(whole.root, whole, 'root', 'Unable to configure root logger'), 'root'), 'root', false, built, filters, root);
  }
}

function configureLogger(logger: Logger, config: Options, path: string, incremental: boolean,
  handlers: Map<string, Handler>, filters: Map<string, FilterLike>, root: Logger): void {
  checkKeys(config, LOGGER_KEYS, path);
  if (config.level !== undefined) logger.setLevel(levelFrom(config.level, `${path}.level`));
  if (!incremental) {
    for (const h of [...logger.handlers]) logger.removeHandler(h);
    for (const name of listOf(config.handlers, `${path}.handlers`)) logger.addHandler(lookup(handlers, name, 'handler', `${path}.handlers`));
    try {
      for (const f of listOf(config.filters, `${path}.filters`)) logger.addFilter(filterFrom(f, filters));
    } catch (err) {
      throw configErrorFrom(err, `${path}.filters`, logger === root ? 'Unable to configure root logger' : `Unable to configure logger ${pyRepr(logger.name)}`);
    }
  }
  if (logger !== root) logger.disabled = false;
  if (config.propagate !== undefined) logger.propagate = Boolean(config.propagate);
}
