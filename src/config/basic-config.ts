// basicConfig: one handler on the root logger, as Python's logging.basicConfig.
import { ConfigError } from './config-error.js';
import { handlerClass } from './registry.js';
import { Formatter } from '../core/formatter.js';
import { STYLES, type StyleName } from '../core/format-style.js';
import type { Handler } from '../core/handler.js';
import { root } from '../core/logger.js';
import { StreamHandler, type TextStream } from '../core/stream-handler.js';

/** Options of basicConfig, as Python's keyword arguments. */
export interface BasicConfigOptions {
  level?: number | string;
  format?: string;
  datefmt?: string;
  style?: StyleName;
  stream?: TextStream;
  handlers?: Handler[];
  force?: boolean;
  filename?: string;
  filemode?: string;
}

/**
 * Python's `logging.basicConfig`: if the root logger has no handlers (or `force`), adds one writing
 * `format` (default `%(levelname)s:%(name)s:%(message)s`) to `stream` (default stderr).
 * @example basicConfig({ level: DEBUG, format: '%(asctime)s %(levelname)-8s %(message)s' })
 */
export function basicConfig(options: BasicConfigOptions = {}): void {
  const { force = false, handlers, stream, filename, filemode, datefmt, style = '%', format, level, ...rest } = options;
  if (force) {
    for (const h of [...root.handlers]) {
      root.removeHandler(h);
      void h.close();
    }
  }
  if (root.handlers.length > 0) return;
  if (handlers === undefined) {
    if ('stream' in options && 'filename' in options) throw new ConfigError("'stream' and 'filename' should not be specified together");
  } else if ('stream' in options || 'filename' in options) {
    throw new ConfigError("'stream' or 'filename' should not be specified together with 'handlers'");
  }
  if (!(style in STYLES)) throw new ConfigError(`Style must be one of: ${Object.keys(STYLES).join(',')}`);
  let list = handlers;
  if (!list) {
    if (filename) {
      const fileFactory = handlerClass('FileHandler');
      if (!fileFactory) throw new ConfigError("basicConfig: 'filename' needs a FileHandler; import 'isolog/node' first, or pass a stream");
      list = [fileFactory({ filename, mode: filemode ?? 'a' }, { resolveHandler: noHandler, path: 'basicConfig' })];
    } else {
      list = [new StreamHandler(stream)];
    }
  }
  const unknown = Object.keys(rest);
  if (unknown.length) throw new ConfigError(`Unrecognised argument(s): ${unknown.join(', ')}`);
  const formatter = new Formatter(format ?? STYLES[style][2], datefmt, style);
  for (const h of list) {
    if (!h.formatter) h.setFormatter(formatter);
    root.addHandler(h);
  }
  if (level !== undefined) root.setLevel(level);
}

function noHandler(name: string): Handler {
  throw new ConfigError(`no handler named "${name}"`);
}

