// Why a collector could not start, in words that say what to change: the error codes of listen()
// and mkdir() turned into the flag to pass, with no errno or stack for the person at the terminal.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../config/config-error.js';

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Node's `EACCES: permission denied, mkdir '/x'` without its code and path: `permission denied`. */
function plainReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^[A-Z][A-Z\d_]+: /, '').replace(/, \w+ '[^']*'( -> '[^']*')?$/, '').replace(/^listen \w+: /, '');
}

/**
 * The ConfigError for a listen() that failed.
 * @example listenError(err, '127.0.0.1', 4318).message // 'port 4318 is in use; pass --port N or stop the other collector'
 */
export function listenError(err: unknown, host: string, port: number): ConfigError {
  const options = { cause: err };
  switch (codeOf(err)) {
    case 'EADDRINUSE': return new ConfigError(`port ${port} is in use; pass --port N or stop the other collector`, options);
    case 'EACCES': return new ConfigError(`port ${port} needs privileges; pass --port 4318 or another above 1023`, options);
    case 'EADDRNOTAVAIL': return new ConfigError(`cannot listen on ${host}: no such address on this machine; pass --host 127.0.0.1 or one of its addresses`, options);
    case 'ENOTFOUND':
    case 'EAI_AGAIN': return new ConfigError(`cannot listen on ${host}: no such host name; pass --host 127.0.0.1 or one of this machine's addresses`, options);
    default: return new ConfigError(`cannot listen on ${host} port ${port}: ${plainReason(err)}`, options);
  }
}

/** The nearest existing path at or above `path`, if it is a file rather than a folder. */
function fileInTheWay(path: string): string | undefined {
  for (let at = path; ; at = dirname(at)) {
    let stat;
    // ENOTDIR: a part above `at` is the file
    try { stat = statSync(at, { throwIfNoEntry: false }); } catch { stat = undefined; }
    if (stat) return stat.isDirectory() ? undefined : at;
    if (dirname(at) === at) return undefined;
  }
}

/**
 * The ConfigError for a --dir that cannot be created or written. `shown` is the folder as the user
 * wrote it, `path` the same resolved.
 * @example dirError(err, './x', '/app/x').message // '--dir ./x is a file, not a folder; pass a folder (it is created if missing)'
 */
export function dirError(err: unknown, shown: string, path: string): ConfigError {
  const options = { cause: err };
  const code = codeOf(err);
  if (code === 'EEXIST' || code === 'ENOTDIR') {
    const file = fileInTheWay(path);
    const what = file === undefined || file === path ? `--dir ${shown} is a file` : `--dir ${shown}: ${file} is a file`;
    return new ConfigError(`${what}, not a folder; pass a folder (it is created if missing)`, options);
  }
  if (code === 'EACCES' || code === 'EPERM') return new ConfigError(`--dir ${shown}: permission denied; pass a folder you can write to`, options);
  if (code === 'EROFS') return new ConfigError(`--dir ${shown} is on a read-only file system; pass a folder you can write to`, options);
  return new ConfigError(`--dir ${shown}: cannot create or write this folder: ${plainReason(err)}`, options);
}
