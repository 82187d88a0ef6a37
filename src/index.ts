// isolog: Python's logging for every JavaScript runtime. Every public export, by name.
export {
  CRITICAL, FATAL, ERROR, WARNING, WARN, INFO, DEBUG, NOTSET,
  getLevelName, getLevelNamesMapping, addLevelName, checkLevel,
} from './core/level.js';
export { LogRecord, setRuntimeIdentity, extraFields, type LogArgs } from './core/record.js';
export { makeLogRecord, setLogRecordFactory, getLogRecordFactory, type LogRecordFactory } from './core/record-factory.js';
export { STANDARD_FIELDS, type PlainRecord } from './core/fields.js';
export {
  Logger, RootLogger, Manager, getLogger, disable, root, manager, lastResort, setLoggerClass, getLoggerClass,
  type LogMethod, type LoggerClass,
} from './core/logger.js';
export { kwargs, extra, LogOptions, type LogKwargs } from './core/log-options.js';
export { Filter, Filterer, type FilterLike, type FilterResult } from './core/filter.js';
export { SamplingFilter, SAMPLING_LOGGER, type SamplingRule, type SamplingOptions } from './core/sampling.js';
export { Handler, getHandlerByName, getHandlerNames } from './core/handler.js';
export { Formatter, BufferingFormatter, defaultFormatter, type FormatterOptions } from './core/formatter.js';
export { PercentStyle, StrFormatStyle, StringTemplateStyle, type FormatStyle, type StyleName } from './core/format-style.js';
export { JsonFormatter, type JsonFormatterOptions } from './core/json-formatter.js';
export { LoggerAdapter } from './core/adapter.js';
export { configure, type DictConfig } from './config/dict-config.js';
export { registerExternal } from './config/cfg-resolver.js';
export { registerHandlerClass, type HandlerFactory } from './config/registry.js';
export { ConfigError } from './config/config-error.js';
export { basicConfig, type BasicConfigOptions } from './config/basic-config.js';
export { debug, info, warning, warn, error, exception, critical, fatal, log } from './config/root-logging.js';
export { shutdown } from './core/shutdown.js';
export { setInternalErrorSink, reportInternalError, settings, type InternalErrorSink } from './core/internal-error.js';
export { toJsonValue, safeStringify, type SerializeLimits, type JsonValue } from './core/serialize.js';
export { formatError } from './core/exception.js';
export { percentFormat } from './core/percent-format.js';
export { formatValue } from './core/format-spec.js';
export { strftime, localtime, gmtime, type TimeParts } from './core/strftime.js';
export { pyRepr, pyStr } from './core/repr.js';
export { StreamHandler, stderrStream, stdoutStream, type TextStream } from './core/stream-handler.js';
export { ConsoleHandler } from './handlers/console.js';
export { NullHandler } from './handlers/null.js';
export { BufferingHandler, MemoryHandler } from './handlers/memory.js';
export { ErrorContextHandler, type ErrorContextOptions, type ErrorContextStats } from './handlers/context.js';
export {
  QueueHandler, QueueListener, MemoryQueue, SENTINEL,
  type LogQueue, type QueueListenerOptions,
} from './handlers/queue.js';
export { FetchHandler, type FetchHandlerOptions, type FetchHandlerStats, type FetchFunction } from './transport/fetch-handler.js';
export { FlushError } from './transport/flush-error.js';
export { startTrace, type Trace, type TraceOptions } from './transport/traced-fetch.js';
