import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { setInternalErrorSink } from '../../../src/core/internal-error.js';
import { startCollector } from '../../../src/collector/index.js';
import { corsOrigin, isLoopbackOrigin, OriginGate } from '../../../src/collector/origin.js';
import { collector, otlp, post, records, tempDir } from './helpers.js';

let running: Awaited<ReturnType<typeof collector>> | undefined;
let reports: string[] = [];
afterEach(async () => {
  await running?.close();
  running = undefined;
  setInternalErrorSink(null);
  reports = [];
});

function listen(): void {
  setInternalErrorSink((text) => reports.push(text));
}

const LOOPBACK_PAGES = ['http://localhost:5173', 'http://127.0.0.1:3000', 'http://127.8.9.10:8080', 'http://[::1]:4200', 'https://localhost:8443', 'http://localhost'];
const LOOKALIKES = ['http://localhost.evil.com:5173', 'http://127.0.0.1.evil.com', 'http://evil.com#@localhost:5173', 'http://localhost:5173/x',
  'http://user@localhost:5173', 'ftp://localhost:5173', 'http://localhost.:5173', 'http://128.0.0.1:5173', 'null', 'localhost:5173', ''];

async function preflight(url: string, origin: string): Promise<Response> {
  return fetch(`${url}/v1/logs`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
}

/** The status a WebSocket upgrade to /v1/logs with this Origin (and Host) gets: 101 when it opens. */
function upgrade(url: string, origin: string, query = '', host?: string): Promise<number> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/logs${query}`, { origin, headers: host ? { host } : {} });
  return new Promise((resolve, reject) => {
    ws.once('open', () => { ws.close(); resolve(101); });
    ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
    ws.once('error', reject);
  });
}

describe('loopback origins', () => {
  it('tells pages on this machine from look-alikes by parsing the origin', () => {
    for (const origin of LOOPBACK_PAGES) expect(isLoopbackOrigin(origin), origin).toBe(true);
    for (const origin of LOOKALIKES) expect(isLoopbackOrigin(origin), origin).toBe(false);
  });

  it('a loopback collector without a token answers pages on this machine: preflight, POST and WebSocket', async () => {
    running = await collector({ cors: ['https://app.example'] });
    for (const origin of LOOPBACK_PAGES) {
      const pre = await preflight(running.url, origin);
      expect(pre.status, origin).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
      const res = await post(`${running.url}/v1/logs`, otlp(records(1, 'loop')), { origin });
      expect(res.status, origin).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(await upgrade(running.url, origin), origin).toBe(101);
    }
    // the --cors origins still pass beside them
    expect((await preflight(running.url, 'https://app.example')).status).toBe(204);
  });

  it('refuses look-alike origins on preflight, POST and WebSocket', async () => {
    listen();
    running = await collector();
    for (const origin of LOOKALIKES.filter(Boolean)) {
      const pre = await preflight(running.url, origin);
      expect(pre.status, origin).toBe(403);
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      expect((await post(`${running.url}/v1/logs`, otlp(records(1, 'evil')), { origin })).status, origin).toBe(403);
      expect(await upgrade(running.url, origin), origin).toBe(403);
    }
  });

  it('with a token, lets in only the --cors origins, loopback pages included', async () => {
    listen();
    running = await collector({ token: 't0k', cors: ['http://localhost:3000'] });
    const auth = { authorization: 'Bearer t0k' };
    expect((await preflight(running.url, 'http://localhost:5173')).status).toBe(403);
    expect((await post(`${running.url}/v1/logs`, otlp(records(1, 'tok')), { origin: 'http://localhost:5173', ...auth })).status).toBe(403);
    expect(await upgrade(running.url, 'http://localhost:5173', '?token=t0k')).toBe(403);
    expect((await preflight(running.url, 'http://localhost:3000')).status).toBe(204);
    expect((await post(`${running.url}/v1/logs`, otlp(records(1, 'tok')), { origin: 'http://localhost:3000', ...auth })).status).toBe(200);
    expect(await upgrade(running.url, 'http://localhost:3000', '?token=t0k')).toBe(101);
  });

  it('a collector beyond loopback does not let loopback pages in', () => {
    const gate = new OriginGate([], false, () => {});
    expect(gate.allows('http://localhost:5173')).toBe(false);
    expect(gate.allows(undefined)).toBe(true);
  });
});

describe('refused origins', () => {
  it('are named once each in the terminal, with the flag that accepts them', async () => {
    listen();
    running = await collector();
    const origin = 'http://app.test:8080';
    expect((await preflight(running.url, origin)).status).toBe(403);
    const refused = await post(`${running.url}/v1/logs`, otlp(records(1, 'once')), { origin });
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ error: 'refused a request from origin http://app.test:8080; to accept it, start the collector with --cors http://app.test:8080' });
    expect(await upgrade(running.url, origin)).toBe(403);
    expect(await upgrade(running.url, 'https://other.test')).toBe(403);
    expect(reports).toEqual([
      'isolog collect: refused a request from origin http://app.test:8080; to accept it, start the collector with --cors http://app.test:8080',
      'isolog collect: refused a request from origin https://other.test; to accept it, start the collector with --cors https://other.test',
    ]);
  });

  it('say what to do about null, and escape a value that is no origin', async () => {
    listen();
    running = await collector();
    expect((await preflight(running.url, 'null')).status).toBe(403);
    expect(reports).toEqual(['isolog collect: refused a request from origin null (a page from file:// or a sandboxed frame); serve the page over http:// from an origin passed to --cors']);
    // Node's HTTP parser refuses control characters in headers; the gate escapes them all the same
    const gate = new OriginGate([], true, () => {});
    expect(gate.refusal('http://a.test/\u001b[31mred')).toBe('refused a request whose Origin header "http://a.test/\\x1b[31mred" is not an origin (scheme://host[:port])');
  });

  it('stop being named after 1,000 different origins, with one last note', () => {
    const printed: string[] = [];
    const gate = new OriginGate([], true, (text) => printed.push(text));
    for (let i = 0; i < 5000; i++) expect(gate.admits(`http://client${i}.test`)).toBe(false);
    for (let i = 0; i < 10; i++) gate.admits('http://client0.test');
    expect(printed).toHaveLength(1001);
    expect(printed[999]).toContain('--cors http://client999.test');
    expect(printed[1000]).toBe('isolog collect: refused requests from 1000 different origins; not naming any more of them');
  });
});

/** A request as a reverse proxy forwards it: the browser's Origin, and `host` (and any other headers) set by the proxy. */
function proxied(url: string, path: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string; allowOrigin: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, allowOrigin: res.headers['access-control-allow-origin'] as string | undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('same-origin pages', () => {
  it('behind a proxy that passes the Host on are taken with no --cors, with or without a token', async () => {
    for (const token of [undefined, 't0k']) {
      running = await collector({ allowHost: ['logs.example.com'], token });
      const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      for (const [origin, host] of [['https://logs.example.com', 'logs.example.com'], ['https://logs.example.com', 'logs.example.com:443'], ['http://logs.example.com:8080', 'logs.example.com:8080']]) {
        const res = await proxied(running.url, '/v1/logs', 'POST', { origin, host, ...auth }, otlp(records(1, 'same')));
        expect(res.status, `${origin} ${host}`).toBe(200);
        expect(await upgrade(running.url, origin, token ? `?token=${token}` : '', host), `${origin} ${host}`).toBe(101);
      }
      await running.close();
      running = undefined;
    }
  });

  it('are the pages whose Origin names the Host, scheme\'s port included: another port or name is refused', async () => {
    running = await collector({ allowHost: ['logs.example.com'], token: 't0k' });
    const auth = { authorization: 'Bearer t0k' };
    for (const origin of ['https://logs.example.com:8443', 'https://app.example.com', 'http://logs.example.com']) {
      const res = await proxied(running.url, '/v1/logs', 'POST', { origin, host: 'logs.example.com:443', ...auth }, otlp(records(1, 'other')));
      expect(res.status, origin).toBe(403);
    }
    // the collector's own page, with a token: same origin as the collector itself
    const own = `http://127.0.0.1:${running.port}`;
    expect((await post(`${running.url}/v1/logs`, otlp(records(1, 'own')), { origin: own, ...auth })).status).toBe(200);
  });

  it('over a proxy that rewrites the Host are refused, and the 403 says what to change', async () => {
    listen();
    running = await collector();
    const res = await proxied(running.url, '/v1/logs', 'POST', { origin: 'https://logs.example.com', 'x-forwarded-host': 'logs.example.com' }, otlp(records(1, 'fwd')));
    expect(res.status).toBe(403);
    const why = 'refused a request from origin https://logs.example.com; to accept it, start the collector with --cors https://logs.example.com, or, as a proxy forwarded it for logs.example.com (the same origin), have the proxy pass that Host header on (nginx: proxy_set_header Host $host) and start the collector with --allow-host logs.example.com';
    expect(JSON.parse(res.body)).toEqual({ error: why });
    expect(reports).toEqual([`isolog collect: ${why}`]);
  });

  it('do not reopen DNS rebinding: a rebound name fails the Host check before the Origin is compared', async () => {
    running = await collector({ token: 't0k' });
    const evil = `evil.example:${running.port}`;
    const res = await proxied(running.url, '/v1/logs', 'POST', { origin: `http://${evil}`, host: evil, authorization: 'Bearer t0k' }, otlp(records(1, 'rebind')));
    expect(res.status).toBe(421);
  });
});

describe('--cors values', () => {
  it('are origins as a browser sends them: scheme://host[:port], or *', () => {
    expect(corsOrigin('*', '--cors')).toBe('*');
    expect(corsOrigin('http://localhost:5173', '--cors')).toBe('http://localhost:5173');
    expect(corsOrigin('HTTPS://App.Example:443/', '--cors')).toBe('https://app.example');
    expect(corsOrigin('chrome-extension://abcdefgh', '--cors')).toBe('chrome-extension://abcdefgh');
  });

  it('without a scheme, with a path, or null, are refused saying what to pass', () => {
    expect(() => corsOrigin('localhost:5173', '--cors')).toThrow('--cors localhost:5173: an origin needs its scheme, e.g. --cors http://localhost:5173');
    expect(() => corsOrigin('app.example', '--cors')).toThrow('e.g. --cors http://app.example');
    expect(() => corsOrigin('http://a.com/x', '--cors')).toThrow('--cors http://a.com/x: an origin is scheme://host[:port], with no path; pass --cors http://a.com');
    expect(() => corsOrigin('http://a.com?x', '--cors')).toThrow('scheme://host[:port]');
    expect(() => corsOrigin('null', '--cors')).toThrow('--cors null: pages from file://');
  });

  it('are checked by startCollector too, as ConfigError', async () => {
    await expect(startCollector({ port: 0, dir: tempDir(), cors: ['localhost:5173'] })).rejects.toThrow(
      expect.objectContaining({ name: 'ConfigError', message: 'cors localhost:5173: an origin needs its scheme, e.g. --cors http://localhost:5173' }),
    );
  });
});
