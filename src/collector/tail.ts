// `isolog tail URL`: a Subscriber whose records go to a StreamHandler on stdout with a Python format,
// so that a developer can follow a running collector's records as `tail -f` follows a file.
import { ConfigError } from '../config/config-error.js';
import { Formatter } from '../core/formatter.js';
import { checkLevel } from '../core/level.js';
import { getLogger } from '../core/logger.js';
import { StreamHandler } from '../core/stream-handler.js';
import { Subscriber, SubscriberError, type SubscriberOptions } from './subscriber.js';

export const TAIL_USAGE = `usage: isolog tail URL [--token T] [--logger NAME ...] [--level LEVEL] [--backlog N]
                      [--format FMT] [--datefmt FMT] [--style %|{|$]

Follows a running collector's records (URL is its address, as http://127.0.0.1:4318) and prints
each with a Python logging format; --backlog N first prints its N newest (10 by default, at most
500). Reconnects on its own; records it could not get back are said in a WARNING line.`;

const DEFAULT_FORMAT = '%(asctime)s %(levelname)-8s %(name)s: %(message)s';

interface TailArgs extends SubscriberOptions { url: string; format: string; datefmt?: string; style: '%' | '{' | '$' }

const FLAGS = ['--token', '--logger', '--level', '--backlog', '--format', '--datefmt', '--style'];

/** `isolog tail`'s arguments; throws a ConfigError that says what is wrong. */
export function parseTailArgs(argv: readonly string[]): TailArgs {
  let url: string | undefined;
  const args: Partial<TailArgs> & { loggers: string[] } = { loggers: [], backlog: 10, format: DEFAULT_FORMAT, style: '%' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      if (url !== undefined) throw new ConfigError(`one URL only; got ${url} and ${arg}`);
      url = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    if (!FLAGS.includes(flag)) throw new ConfigError(`unknown option ${flag}\n\n${TAIL_USAGE}`);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    if (flag === '--token') args.token = value;
    else if (flag === '--logger') args.loggers.push(value);
    else if (flag === '--level') {
      const level = /^\d+$/.test(value) ? Number(value) : value.toUpperCase();
      try {
        checkLevel(level);
      } catch {
        throw new ConfigError(`--level ${value}: give a number or DEBUG, INFO, WARNING, ERROR, CRITICAL`);
      }
      args.level = level;
    } else if (flag === '--backlog') {
      if (!/^\d+$/.test(value)) throw new ConfigError(`--backlog ${value}: a whole number of records`);
      args.backlog = Number(value);
    } else if (flag === '--format') args.format = value;
    else if (flag === '--datefmt') args.datefmt = value;
    else {
      if (value !== '%' && value !== '{' && value !== '$') throw new ConfigError(`--style ${value}: one of %, { or $`);
      args.style = value;
    }
  }
  if (url === undefined) throw new ConfigError(`which collector? give its URL\n\n${TAIL_USAGE}`);
  return { ...args, url } as TailArgs;
}

/** Runs `isolog tail ...`; resolves with the exit code (0 after SIGINT/SIGTERM). */
export async function tailMain(argv: readonly string[]): Promise<number> {
  let subscriber: Subscriber;
  try {
    const args = parseTailArgs(argv);
    const handler = new StreamHandler(process.stdout);
    handler.setFormatter(new Formatter(args.format, args.datefmt, args.style));
    // a tree of the command's own: every record goes to the one handler, whatever its logger
    const top = getLogger();
    for (const h of [...top.handlers]) top.removeHandler(h);
    top.addHandler(handler);
    subscriber = new Subscriber(args.url, args);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof SubscriberError || err instanceof Error) {
      console.error(`isolog tail: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const stop = (): void => void subscriber.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await subscriber.dispatchForever();
    return 0;
  } catch (err) {
    console.error(`isolog tail: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
