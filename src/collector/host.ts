// Which names the collector answers to (the Host header), against DNS rebinding: a page on
// evil.example that makes its own name resolve to 127.0.0.1 has the browser send its requests to
// the collector as same-origin ones, past any CORS rule, and read the answers (GET /events, the
// stored records). The browser still writes the page's name in Host, and nobody can rebind an IP
// address or localhost: so the collector answers to its own addresses, and to the names given with
// --allow-host (a reverse proxy's, a LAN name), on every route.
import { isIP } from 'node:net';
import { ConfigError } from '../config/config-error.js';
import { escapeControl } from './guard.js';

// a hostile client could send a new Host with every request: name this many, then stop
const NOTICE_LIMIT = 1000;
const SHOWN_LENGTH = 300;

/** A Host header (or a host name) as its name and port, as a URL reads them; null if it is not one. */
function parseHost(value: string): { name: string; port: string } | null {
  let url: URL;
  try { url = new URL(`http://${value}`); } catch { return null; }
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash || /[/?#@]/.test(value)) return null;
  return { name: url.hostname, port: url.port || '80' };
}

const isAddress = (name: string): boolean => isIP(name.replace(/^\[(.*)\]$/, '$1')) !== 0;

/**
 * An --allow-host value as the name a Host header carries (lowercase), or `*`; a ConfigError whose
 * message starts with `where` and says what to pass instead.
 * @example allowedHostName('https://logs.example.com', '--allow-host') // ConfigError: … a host name, not a URL; pass --allow-host logs.example.com
 */
export function allowedHostName(value: string, where: string): string {
  if (value === '*') return value;
  const fail = (why: string): never => { throw new ConfigError(`${where} ${value}: ${why}`); };
  if (/^[a-z][a-z\d+.-]*:\/\//i.test(value)) {
    let name = '';
    try { name = new URL(value).hostname; } catch { /* answered below */ }
    return fail(`a host name, not a URL; pass --allow-host ${name || 'NAME'}`);
  }
  const withPort = /^(\[[^\]]*\]|[^:]*):\d*$/.exec(value);
  const host = parseHost(withPort ? withPort[1] : value);
  if (!host || !/^([a-z\d_-]+\.)*[a-z\d_-]+$|^\[[\da-f:.]+\]$/i.test(host.name)) return fail('expected a host name, such as logs.example.com');
  if (withPort) return fail(`a host name, without a port (any port is answered); pass --allow-host ${host.name}`);
  return host.name;
}

/** The names one collector answers to, and the refusals it has named in its terminal. */
export class HostGate {
  private readonly own: Set<string>;
  private readonly anyAddress: boolean;
  private port = '';
  private readonly noticed = new Set<string>();
  private full = false;

  /**
   * @param host the address the collector listens on (--host); 0.0.0.0 or :: answer to any IP address
   * @param allowed the --allow-host names (checked with allowedHostName), answered on any port; `*` for any name
   * @param report where a refused host is named (the terminal, through reportInternalError)
   */
  constructor(host: string, readonly allowed: readonly string[], private readonly report: (text: string) => void, private readonly limit = NOTICE_LIMIT) {
    const listening = parseHost(isIP(host) === 6 ? `[${host}]` : host)?.name ?? host.toLowerCase();
    this.anyAddress = listening === '0.0.0.0' || listening === '[::]';
    this.own = new Set(['127.0.0.1', 'localhost', '[::1]', ...(this.anyAddress ? [] : [listening])]);
  }

  /** The port the collector listens on, once it does: its own names are answered on it alone. */
  listeningOn(port: number): void {
    this.port = String(port);
  }

  /** A request without Host comes from an HTTP/1.0 tool, never a browser, and passes. */
  allows(header: string | undefined): boolean {
    if (header === undefined || this.allowed.includes('*')) return true;
    const host = parseHost(header);
    if (!host) return false;
    if (this.allowed.includes(host.name)) return true;
    return host.port === this.port && (this.own.has(host.name) || (this.anyAddress && isAddress(host.name)));
  }

  /** As allows, and the first refusal of each host is named in the terminal with the flag that accepts it. */
  admits(header: string | undefined): boolean {
    if (this.allows(header)) return true;
    this.notice(header as string);
    return false;
  }

  /** The names answered, in words, for the collector's banner. */
  describe(): string {
    if (this.allowed.includes('*')) return 'any (--allow-host *)';
    const own = [...this.own].map((name) => `${name}:${this.port}`);
    return [...own, ...(this.anyAddress ? [`any IP address:${this.port}`] : []), ...this.allowed].join(', ');
  }

  /** Why `header` is refused and what would let it in, for the terminal and the 421's body. */
  refusal(header: string): string {
    const host = parseHost(header);
    const shown = escapeControl(header.slice(0, SHOWN_LENGTH)) + (header.length > SHOWN_LENGTH ? '…' : '');
    if (!host) return `refused a request whose Host header "${shown}" is not a host name`;
    const remedy = this.own.has(host.name) || isAddress(host.name)
      ? `the collector listens on port ${this.port}`
      : `if the collector is reached by this name (a proxy's, a LAN name), start it with --allow-host ${host.name}`;
    return `refused a request for host ${shown}: the collector answers to ${this.describe()}, so that no web page can reach it by rebinding its own name to this machine; ${remedy}`;
  }

  private notice(header: string): void {
    const key = header.slice(0, SHOWN_LENGTH);
    if (this.noticed.has(key) || this.full) return;
    if (this.noticed.size >= this.limit) {
      this.full = true;
      this.report(`isolog collect: refused requests for ${this.limit} different hosts; not naming any more of them`);
      return;
    }
    this.noticed.add(key);
    this.report(`isolog collect: ${this.refusal(header)}`);
  }
}
