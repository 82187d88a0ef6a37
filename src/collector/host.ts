// Which names the collector answers to (the Host header), against DNS rebinding: a page on
// evil.example that makes its own name resolve to 127.0.0.1 has the browser send its requests to
// the collector as same-origin ones, past any CORS rule, and read the answers (GET /events, the
// stored records). The browser still writes the page's name in Host, and nobody can rebind an IP
// address or localhost: so the collector answers to those, to its --host, and to the names given
// with --allow-host (a reverse proxy's, a LAN name), on every route. Ports do not matter: a proxy on
// this machine (a dev server's) forwards its own port in Host, and no port makes a name rebindable.
import { isIP } from 'node:net';
import { ConfigError } from '../config/config-error.js';
import { escapeControl, RefusalNotices } from './guard.js';

// a hostile client could send a new Host with every request: name this many, then stop
const NOTICE_LIMIT = 1000;
const SHOWN_LENGTH = 300;

/** The name in a Host header (or a host name), as a URL reads it (lowercase, [::1]); null if it is none. */
function hostName(value: string): string | null {
  if (/[/?#@\\]/.test(value)) return null;
  try { return new URL(`http://${value}`).hostname; } catch { return null; }
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
  const name = hostName(withPort ? withPort[1] : value);
  if (!name || !/^([a-z\d_-]+\.)*[a-z\d_-]+$|^\[[\da-f:.]+\]$/i.test(name)) return fail('expected a host name, such as logs.example.com');
  if (withPort) return fail(`a host name, without a port (any port is answered); pass --allow-host ${name}`);
  return name;
}

/** The names one collector answers to, and the refusals it has named in its terminal. */
export class HostGate {
  private readonly names: string[];
  private readonly notices: RefusalNotices;

  /**
   * @param host the address or name the collector listens on (--host)
   * @param allowed the --allow-host names (checked with allowedHostName); `*` for any
   * @param report where a refused host is named (the terminal, through reportInternalError)
   */
  constructor(host: string, readonly allowed: readonly string[], report: (text: string) => void, limit = NOTICE_LIMIT) {
    this.notices = new RefusalNotices(report, limit, `for ${limit} different hosts`);
    const listening = hostName(isIP(host) === 6 ? `[${host}]` : host);
    this.names = [...new Set(['localhost', ...(listening && !isAddress(listening) ? [listening] : []), ...allowed])];
  }

  /** A request without Host comes from an HTTP/1.0 tool, never a browser, and passes. */
  allows(header: string | undefined): boolean {
    if (header === undefined || this.allowed.includes('*')) return true;
    const name = hostName(header);
    return name !== null && (isAddress(name) || this.names.includes(name));
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
    const names = ['IP addresses', ...this.names];
    return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  }

  /** Why `header` is refused and what would let it in, for the terminal and the 421's body. */
  refusal(header: string): string {
    const name = hostName(header);
    const shown = escapeControl(header.slice(0, SHOWN_LENGTH)) + (header.length > SHOWN_LENGTH ? '…' : '');
    if (!name) return `refused a request whose Host header "${shown}" is not a host name`;
    return `refused a request for host ${shown}: the collector answers only to ${this.describe()}, so that no web page can reach it by rebinding its own name to this machine; if ${name} is how the collector is reached (a proxy's name, a LAN name), start it with --allow-host ${name}`;
  }

  private notice(header: string): void {
    this.notices.notice(header.slice(0, SHOWN_LENGTH), () => this.refusal(header));
  }
}
