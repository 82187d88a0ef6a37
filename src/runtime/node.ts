// isolog/node: the core plus Node's file handlers and FetchHandler, registered for configure() and
// basicConfig({ filename }).
import { ConfigError } from '../config/config-error.js';
import { registerHandlerClass } from '../config/registry.js';
import { FileHandler, RotatingFileHandler } from '../handlers/file.js';
import { TimedRotatingFileHandler } from '../handlers/timed-rotating-file.js';
import { FetchHandler, type FetchHandlerOptions } from '../transport/fetch-handler.js';

export * from '../index.js';
// the OTLP codec, for services that build or read requests themselves; not in \`isolog\`, where a
// page's bundler would put it on the first load beside the lazily loaded pipeline that uses it
export {
  encodeRecords, decodeRequest, OtlpFormatError, UID_ATTRIBUTE,
  type ExportLogsServiceRequest, type OtlpLogRecord, type DecodeResult,
} from '../transport/otlp.js';
// levels set on the collector, followed: not in `isolog` either, for the same reason (the page's
// pipeline follows them with startBrowserLogging's remoteLevels)
export { followRemoteLevels, RemoteLevels, LEVELS_LOGGER, type FollowLevelsOptions, type RemoteLevelsDocument } from '../transport/remote-levels.js';
export {
  FileHandler, RotatingFileHandler, type FileHandlerOptions, type FileMark, type RotatingFileHandlerOptions,
} from '../handlers/file.js';
export { TimedRotatingFileHandler, type TimedRotatingFileHandlerOptions } from '../handlers/timed-rotating-file.js';

const FILE_KEYS = ['filename', 'mode', 'delay', 'buffered', 'encoding'];

function filenameOf(options: Record<string, unknown>, path: string): string {
  if (typeof options.filename !== 'string' || !options.filename) throw new ConfigError(`${path}.filename: a file handler needs a filename`);
  return options.filename;
}

type Options = Record<string, unknown>;
const common = (o: Options) => ({ mode: o.mode as 'a' | 'w' | undefined, delay: o.delay as boolean | undefined, buffered: o.buffered as boolean | undefined });

registerHandlerClass('FileHandler', Object.assign(
  (o: Options, c: { path: string }) => new FileHandler(filenameOf(o, c.path), common(o)), { keys: FILE_KEYS }));
registerHandlerClass('RotatingFileHandler', Object.assign(
  (o: Options, c: { path: string }) => new RotatingFileHandler(filenameOf(o, c.path), {
    ...common(o), maxBytes: o.maxBytes as number | undefined, backupCount: o.backupCount as number | undefined,
  }), { keys: [...FILE_KEYS, 'maxBytes', 'backupCount'] }));
registerHandlerClass('TimedRotatingFileHandler', Object.assign(
  (o: Options, c: { path: string }) => new TimedRotatingFileHandler(filenameOf(o, c.path), {
    ...common(o), when: o.when as string | undefined, interval: o.interval as number | undefined,
    backupCount: o.backupCount as number | undefined, utc: o.utc as boolean | undefined,
    atTime: o.atTime as { hour: number } | undefined,
  }), { keys: [...FILE_KEYS, 'when', 'interval', 'backupCount', 'utc', 'atTime'] }));


// config/ comes before transport/, so FetchHandler is registered by the entries that ship it
const FETCH_KEYS = ['url', 'token', 'resource', 'batchSize', 'flushIntervalMs', 'maxRecords', 'maxBytes', 'requestTimeoutMs', 'gzip', 'retryBaseMs'] as const;
registerHandlerClass('FetchHandler', Object.assign((o: Options, c: { path: string }) => {
  try {
    return new FetchHandler(o as unknown as FetchHandlerOptions);
  } catch (err) {
    // the option's own message, under the handler's path in the configuration
    throw err instanceof ConfigError ? new ConfigError(`${c.path}: ${err.message}`) : err;
  }
}, { keys: FETCH_KEYS }));
