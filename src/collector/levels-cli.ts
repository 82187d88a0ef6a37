// `isolog levels URL [NAME=LEVEL ...]`: shows a running collector's remote levels, or changes them
// (NAME= removes one); pages, workers and edge Workers that talk to the collector apply them.
import { ConfigError } from '../config/config-error.js';

export const LEVELS_USAGE = `usage: isolog levels URL [--token T] [NAME=LEVEL ...]

Shows the levels a running collector gives its clients (URL is its address, as
http://127.0.0.1:4318), or sets them: app.db=DEBUG sets one, app.db= removes it, root=WARNING
is the root logger. Pages, workers and edge Workers that send to it apply them with setLevel.`;

interface LevelsArgs { url: string; token?: string; change: Record<string, string | null> }

/** `isolog levels`'s arguments; throws a ConfigError that says what is wrong. */
export function parseLevelsArgs(argv: readonly string[]): LevelsArgs {
  let url: string | undefined;
  let token: string | undefined;
  const change: Record<string, string | null> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--token' || arg.startsWith('--token=')) {
      token = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (token === undefined) throw new ConfigError('--token needs a value');
    } else if (arg.startsWith('--')) {
      throw new ConfigError(`unknown option ${arg.split('=')[0]}\n\n${LEVELS_USAGE}`);
    } else if (url === undefined) {
      url = arg;
    } else {
      const eq = arg.indexOf('=');
      if (eq <= 0) throw new ConfigError(`${arg}: give NAME=LEVEL (app.db=DEBUG), or NAME= to remove it`);
      const value = arg.slice(eq + 1);
      change[arg.slice(0, eq)] = value === '' ? null : value;
    }
  }
  if (url === undefined) throw new ConfigError(`which collector? give its URL\n\n${LEVELS_USAGE}`);
  return { url, token, change };
}

/** Runs `isolog levels ...`; resolves with the exit code. */
export async function levelsMain(argv: readonly string[]): Promise<number> {
  let args: LevelsArgs;
  let endpoint: URL;
  try {
    args = parseLevelsArgs(argv);
    endpoint = new URL('/v1/levels', args.url);
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') throw new ConfigError(`${args.url}: a collector is reached over http: or https:`);
  } catch (err) {
    console.error(`isolog levels: ${err instanceof ConfigError ? err.message : `not a URL: ${argv[0]}`}`);
    return 2;
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (args.token) headers.authorization = `Bearer ${args.token}`;
  const changing = Object.keys(args.change).length > 0;
  let res: Response;
  try {
    res = await fetch(endpoint, changing ? { method: 'PUT', headers, body: JSON.stringify({ levels: args.change }) } : { headers });
  } catch (err) {
    console.error(`isolog levels: cannot reach ${endpoint.origin} (${(err as Error).message}); is the collector running?`);
    return 1;
  }
  const text = await res.text();
  let body: { error?: string; version?: number; levels?: Record<string, string | number> } = {};
  try { body = JSON.parse(text) as typeof body; } catch { /* said below */ }
  if (res.status === 401) {
    console.error(`isolog levels: ${endpoint.origin} refused: ${args.token ? 'the token is wrong' : 'the collector has a token; pass --token T'}`);
    return 1;
  }
  if (!res.ok || !body.levels) {
    console.error(`isolog levels: ${endpoint.origin} answered ${res.status}: ${body.error ?? text.slice(0, 200)}`);
    return res.status === 400 ? 2 : 1;
  }
  const names = Object.keys(body.levels).sort();
  const lines = names.map((name) => `${name.padEnd(Math.max(...names.map((n) => n.length)))}  ${String(body.levels?.[name])}`);
  console.log(names.length === 0 ? `no levels set (version ${body.version})` : `${lines.join('\n')}\n(version ${body.version})`);
  return 0;
}
