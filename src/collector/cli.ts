// `isolog collect`: parses flags (and an optional JSON config file), starts the collector, prints
// where it listens and writes, and shuts down cleanly on SIGINT/SIGTERM. `isolog tail` is tail.ts.
import { readFileSync } from 'node:fs';
import { closestName } from '../config/closest-name.js';
import { ConfigError } from '../config/config-error.js';
import { allowedHostName } from './host.js';
import { corsOrigin } from './origin.js';
import { DEFAULTS, startCollector, type CollectorOptions } from './server.js';
import { LEVELS_USAGE, levelsMain } from './levels-cli.js';
import { TAIL_USAGE, tailMain } from './tail.js';

const USAGE = `usage: isolog collect [--host 127.0.0.1] [--port 4318] [--dir ./logs] [--token T]
                      [--cors ORIGIN ...] [--allow-host NAME ...] [--max-bytes N]
                      [--backup-count K] [--forward URL] [--forward-token T] [--body-limit N]
                      [--max-records N] [--rate N] [--config FILE]

Receives OTLP/HTTP JSON logs on POST /v1/logs (and WebSocket /v1/logs), drops duplicates by
log.record.uid, and writes one NDJSON line per record to <dir>/isolog.ndjson.`;

const FLAGS: Record<string, keyof CollectorOptions | 'config'> = {
  '--host': 'host', '--port': 'port', '--dir': 'dir', '--token': 'token', '--cors': 'cors', '--allow-host': 'allowHost',
  '--max-bytes': 'maxBytes', '--backup-count': 'backupCount', '--forward': 'forward',
  '--forward-token': 'forwardToken', '--body-limit': 'bodyLimit', '--max-records': 'maxRecords', '--rate': 'rate',
  '--config': 'config',
};
const NUMERIC = new Set(['port', 'maxBytes', 'backupCount', 'bodyLimit', 'maxRecords', 'rate']);
const COMMANDS = ['collect', 'tail', 'levels'];

/** `; did you mean X?` when `given` looks like a typo of one of `known`. */
function didYouMean(given: string, known: readonly string[]): string {
  const best = closestName(given, known);
  return best ? `; did you mean ${best}?` : '';
}

function setOption(options: Record<string, unknown>, key: string, value: unknown, where: string): void {
  if (NUMERIC.has(key)) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${where}: ${key} must be a whole number, got ${JSON.stringify(value)}`);
    if (key === 'port' && n > 65535) throw new ConfigError(`${where}: a port is at most 65535, got ${n}; pass --port 0 for any free one`);
    options[key] = n;
  } else if (key === 'cors' || key === 'allowHost') {
    // a flag's mistake is told as `--cors X: …`, a file's as `--config F: cors X: …`
    const label = where.startsWith('--config') ? `${where}: ${key}` : where;
    const check = key === 'cors' ? corsOrigin : allowedHostName;
    const listed = (Array.isArray(value) ? value : [value]).map((v) => check(String(v), label));
    options[key] = [...((options[key] as string[] | undefined) ?? []), ...listed];
  } else {
    options[key] = value;
  }
}

/** Flags (and the config file they name) to collector options; flags win over the file. */
export function parseArgs(argv: string[]): CollectorOptions {
  const fromFlags: Record<string, unknown> = {};
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const key = FLAGS[flag];
    if (!key) throw new ConfigError(`unknown option ${flag}${didYouMean(flag, [...Object.keys(FLAGS), '--help'])}\n\n${USAGE}`);
    const values: string[] = [];
    if (inline !== undefined) values.push(inline);
    else while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) values.push(argv[++i]);
    if (values.length === 0) throw new ConfigError(`${flag} needs a value`);
    if (key === 'config') configFile = values[0];
    else if (key === 'cors' || key === 'allowHost') setOption(fromFlags, key, values, flag);
    else setOption(fromFlags, key, values[0], flag);
  }
  const options: Record<string, unknown> = {};
  if (configFile) {
    let parsed: unknown;
    let text: string;
    try {
      text = readFileSync(configFile, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ConfigError(`--config ${configFile}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : code === 'EACCES' ? 'not readable' : 'cannot be read'}`, { cause: err });
    }
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`--config ${configFile}: not valid JSON (${(err as Error).message})`, { cause: err });
    }
    if (typeof parsed !== 'object' || parsed === null) throw new ConfigError(`--config ${configFile}: expected a JSON object`);
    const known = new Set([...Object.values(FLAGS), 'logging']);
    for (const [rawKey, value] of Object.entries(parsed)) {
      const key = rawKey.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      if (!known.has(key as keyof CollectorOptions) || key === 'config') throw new ConfigError(`--config ${configFile}: unknown setting "${rawKey}"`);
      setOption(options, key, value, `--config ${configFile}`);
    }
  }
  return { ...options, ...fromFlags } as CollectorOptions;
}

/** Runs `isolog <command> ...`; resolves with the exit code once the collector has stopped. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    console.log(`${USAGE}\n\n${TAIL_USAGE}\n\n${LEVELS_USAGE}`);
    return 0;
  }
  if (rest.includes('--help')) {
    console.log(command === 'tail' ? TAIL_USAGE : command === 'levels' ? LEVELS_USAGE : USAGE);
    return 0;
  }
  if (command === 'tail') return tailMain(rest);
  if (command === 'levels') return levelsMain(rest);
  if (command.startsWith('--')) {
    console.error(`isolog: options follow the command: isolog collect ${argv.join(' ')}\n\n${USAGE}`);
    return 2;
  }
  if (!COMMANDS.includes(command)) {
    console.error(`isolog: unknown command ${command}${didYouMean(command, COMMANDS)}\n\n${USAGE}`);
    return 2;
  }
  let collector;
  let options: CollectorOptions;
  try {
    options = parseArgs(rest);
    collector = await startCollector(options);
  } catch (err) {
    // a mistake in the flags, the config file or the machine's state (port taken, --dir a file): exit 2
    if (err instanceof ConfigError) {
      console.error(`isolog collect: ${err.message}`);
      return 2;
    }
    console.error(`isolog collect: could not start: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  const lines = [
    'isolog collector',
    `  OTLP/HTTP  ${collector.url}/v1/logs   (JSON, gzip; WebSocket on the same path)`,
    `  live view  ${collector.url}/${options.token ? '?token=T (the page and its stream need the token)' : ''}`,
    `  writing    ${collector.file ?? '(the configured handlers)'}`,
    `  origins    ${collector.origins}`,
    `  hosts      ${collector.hosts}`,
    `  token      ${options.token ? 'required: Authorization: Bearer T (beacons and WebSockets: ?token=T)' : 'none (listening on loopback only)'}`,
  ];
  if (collector.forwarder) lines.push(`  forwarding ${collector.forwarder.url}`);
  lines.push(`  limits     body ${options.bodyLimit ?? DEFAULTS.bodyLimit} B, ${options.maxRecords ?? DEFAULTS.maxRecords} records a request, ${options.rate ?? DEFAULTS.rate} requests/s per client`);
  console.log(lines.join('\n'));
  return new Promise((resolveExit) => {
    const stop = (signal: string): void => {
      console.log(`isolog collector: ${signal}, flushing and closing`);
      void collector.close().then(() => resolveExit(0), () => resolveExit(1));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
