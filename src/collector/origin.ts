// Which web pages may send to the collector (CORS and WebSocket origins): the --cors origins; a page
// of the collector's own origin (its Origin names the request's Host, as behind a reverse proxy that
// serves the app and the collector together); and, on a loopback collector without a token, any page
// served from this machine, as a development server accepts. The Host has passed host.ts's check by
// then, so a rebound name is never "same origin". A refused page is named once in the collector's
// terminal with the flag to pass, since the browser only tells the page "Failed to fetch".
import { ConfigError } from '../config/config-error.js';
import { escapeControl, RefusalNotices } from './guard.js';

const LOOPBACK_HOST = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;
// an origin is scheme://host[:port]; a scheme other than http(s) (chrome-extension://id) is kept as written
const ANY_SCHEME = /^[a-z][a-z\d+.-]*:\/\//i;
const OPAQUE_ORIGIN = /^[a-z][a-z\d+.-]*:\/\/[a-z\d.-]+(:\d+)?$/i;

/** A host name only this machine can reach: 127.x.x.x, ::1 (bracketed or not), localhost. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOST.test(host.replace(/^\[(.*)\]$/, '$1'));
}

/**
 * An Origin header of a page on this machine: http(s) from localhost, 127.x.x.x or [::1], any port.
 * @example isLoopbackOrigin('http://localhost:5173') // true; 'http://localhost.evil.com:5173' is false
 */
export function isLoopbackOrigin(origin: string): boolean {
  let url: URL;
  try { url = new URL(origin); } catch { return false; }
  // the whole header must be the origin as a browser writes it: no path, user or query riding along
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin && isLoopbackHost(url.hostname);
}

/**
 * True when `origin` is the origin of `host` (a Host header): the same name and port, the origin's
 * scheme giving the port when the Host names none (https://a.com and a.com:443 are the same).
 * @example sameOrigin('https://logs.example.com', 'logs.example.com') // true; 'logs.example.com:8443' is false
 */
export function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host || /[/?#@\\]/.test(host)) return false;
  try {
    const page = new URL(origin);
    if ((page.protocol !== 'http:' && page.protocol !== 'https:') || page.origin !== origin) return false;
    return new URL(`${page.protocol}//${host}`).host === page.host;
  } catch {
    return false;
  }
}

/** The hosts of a request that decide whether it is same-origin: Host, and X-Forwarded-Host only to explain a refusal. */
export interface RequestHosts { host?: string; 'x-forwarded-host'?: string | string[] }

/**
 * A --cors value as a browser sends its origin (`http://A.com:80/` becomes `http://a.com`), or a
 * ConfigError whose message starts with `where` and says what to pass instead.
 * @example corsOrigin('localhost:5173', '--cors') // ConfigError: --cors localhost:5173: an origin needs its scheme, e.g. --cors http://localhost:5173
 */
export function corsOrigin(value: string, where: string): string {
  if (value === '*') return value;
  const fail = (why: string): never => { throw new ConfigError(`${where} ${value}: ${why}`); };
  if (value === 'null') fail('pages from file:// and sandboxed frames all send the origin null, so it cannot be told apart; serve the page over http://');
  if (!ANY_SCHEME.test(value)) fail(`an origin needs its scheme, e.g. --cors ${exampleOrigin(value)}`);
  let url: URL | undefined;
  try { url = new URL(value); } catch { /* answered below */ }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
    if (url.pathname === '/' && !url.username && !url.password && !/[?#]/.test(value)) return url.origin;
    return fail(`an origin is scheme://host[:port], with no path; pass --cors ${url.origin}`);
  }
  if (OPAQUE_ORIGIN.test(value)) return value;
  return fail('an origin is scheme://host[:port], e.g. --cors http://localhost:5173');
}

function exampleOrigin(value: string): string {
  try {
    return new URL(`http://${value.replace(/^\/+/, '')}`).origin;
  } catch {
    return 'http://localhost:5173';
  }
}

// a hostile client could send a new Origin with every request: remember this many, then stop
const NOTICE_LIMIT = 1000;
// only to tell origins apart in memory and in the terminal; a real origin is far shorter
const SHOWN_LENGTH = 300;

/** The origin rules of one collector: who may send, the CORS headers they get, refusals reported. */
export class OriginGate {
  private readonly notices: RefusalNotices;

  /**
   * @param listed the --cors origins (checked with corsOrigin), `*` for any
   * @param loopbackPages also let in pages served from this machine
   * @param report where a refused origin is named (the terminal, through reportInternalError)
   */
  constructor(readonly listed: readonly string[], readonly loopbackPages: boolean, report: (text: string) => void, limit = NOTICE_LIMIT) {
    this.notices = new RefusalNotices(report, limit, `from ${limit} different origins`);
  }

  /**
   * Requests without an Origin come from servers and tools, not pages, and CORS does not apply. A
   * same-origin request is not a cross-origin one: its Origin names its Host.
   */
  allows(origin: string | undefined, hosts: RequestHosts = {}): boolean {
    return origin === undefined || this.listed.includes('*') || this.listed.includes(origin) || (this.loopbackPages && isLoopbackOrigin(origin)) || sameOrigin(origin, hosts.host);
  }

  /** As allows, and the first refusal of each origin is reported with the flag that accepts it. */
  admits(origin: string | undefined, hosts: RequestHosts = {}): boolean {
    if (this.allows(origin, hosts)) return true;
    this.notice(origin as string, hosts);
    return false;
  }

  headersFor(origin: string | undefined, hosts: RequestHosts = {}): Record<string, string> {
    if (!origin || !this.allows(origin, hosts)) return {};
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'content-type, content-encoding, authorization, if-none-match',
      'access-control-max-age': '600',
      'access-control-expose-headers': 'retry-after, etag',
      vary: 'Origin',
    };
  }

  /** The pages that may send, in words, for the collector's banner. */
  describe(): string {
    if (this.listed.includes('*')) return 'any origin (--cors *)';
    const loopback = this.loopbackPages ? ['http(s)://localhost, 127.x.x.x and [::1] on any port'] : [];
    const all = [...loopback, ...this.listed, 'pages of its own origin'];
    return all.length > 1 ? all.join(', ') : 'pages of its own origin only: pass --cors ORIGIN to let other web pages send';
  }

  /**
   * Why `origin` is refused and what would let it in, for the terminal and the 403's body. A proxy
   * that forwarded the request for the origin's own host (X-Forwarded-Host) but rewrote Host is named
   * with what to change: X-Forwarded-Host is never trusted to let a request in, since any client can
   * send it, and the Host check would not have seen it.
   */
  refusal(origin: string, hosts: RequestHosts = {}): string {
    if (origin === 'null') return 'refused a request from origin null (a page from file:// or a sandboxed frame); serve the page over http:// from an origin passed to --cors';
    if (origin.length <= SHOWN_LENGTH && listable(origin)) {
      const forwarded = String(hosts['x-forwarded-host'] ?? '').split(',')[0].trim();
      const proxy = forwarded && sameOrigin(origin, forwarded)
        ? `, or, as a proxy forwarded it for ${forwarded} (the same origin), have the proxy pass that Host header on (nginx: proxy_set_header Host $host) and start the collector with --allow-host ${new URL(origin).hostname}`
        : '';
      return `refused a request from origin ${origin}; to accept it, start the collector with --cors ${origin}${proxy}`;
    }
    const shown = escapeControl(origin.slice(0, SHOWN_LENGTH)) + (origin.length > SHOWN_LENGTH ? '…' : '');
    return `refused a request whose Origin header "${shown}" is not an origin (scheme://host[:port])`;
  }

  private notice(origin: string, hosts: RequestHosts): void {
    this.notices.notice(origin.slice(0, SHOWN_LENGTH), () => this.refusal(origin, hosts));
  }
}

/** True when --cors accepts `origin` exactly as the browser wrote it. */
function listable(origin: string): boolean {
  try {
    return origin !== '*' && corsOrigin(origin, '--cors') === origin;
  } catch {
    return false;
  }
}
