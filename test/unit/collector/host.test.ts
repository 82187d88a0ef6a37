// DNS rebinding: a page whose name resolves to this machine has its requests sent with that name in
// Host. The collector answers only to its own addresses and to the names given with --allow-host.
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startCollector } from '../../../src/collector/index.js';
import { allowedHostName, HostGate } from '../../../src/collector/host.js';
import { parseArgs } from '../../../src/collector/cli.js';
import { setInternalErrorSink } from '../../../src/core/internal-error.js';
import { collector, otlp, post, records, tempDir } from './helpers.js';

let running: Awaited<ReturnType<typeof collector>> | undefined;
let reports: string[] = [];
afterEach(async () => {
  await running?.close();
  running = undefined;
  setInternalErrorSink(null);
  reports = [];
});

/** A request with the Host header a browser would write for `host`: the status and the body. */
function ask(url: string, host: string, path = '/healthz', method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers: { host, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d; });
      // /events does not end: its first bytes are enough
      res.once('data', () => { if (path.startsWith('/events')) { resolve({ status: res.statusCode ?? 0, body: text }); req.destroy(); } });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The status a WebSocket upgrade to /v1/logs with this Host gets: 101 when it opens. */
function upgrade(url: string, host: string): Promise<number> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/logs`, { headers: { host } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => { ws.close(); resolve(101); });
    ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
    ws.once('error', reject);
  });
}

describe('the Host header', () => {
  it('of a rebound name gets 421 on every route, the live view\'s stream included, saying what to pass', async () => {
    setInternalErrorSink((text) => reports.push(text));
    running = await collector();
    await post(`${running.url}/v1/logs`, otlp(records(1, 'secret')));
    const evil = `evil.example:${running.port}`;
    const refusal = `refused a request for host ${evil}: the collector answers only to IP addresses and localhost, so that no web page can reach it by rebinding its own name to this machine; if evil.example is how the collector is reached (a proxy's name, a LAN name), start it with --allow-host evil.example`;
    for (const [path, method] of [['/events', 'GET'], ['/', 'GET'], ['/healthz', 'GET'], ['/favicon.ico', 'GET'], ['/v1/logs', 'OPTIONS'], ['/nowhere', 'GET']]) {
      expect(await ask(running.url, evil, path, method), `${method} ${path}`).toEqual({ status: 421, body: JSON.stringify({ error: refusal }) });
    }
    expect(await ask(running.url, evil, '/v1/logs', 'POST', otlp(records(1, 'rebound')))).toEqual({ status: 421, body: JSON.stringify({ error: refusal }) });
    expect(await upgrade(running.url, evil)).toBe(421);
    expect((running.receiver.totals.accepted)).toBe(1);
    expect(reports).toEqual([`isolog collect: ${refusal}`]);
  });

  it('of an IP address or localhost is answered on any port, as a proxy on this machine forwards it', async () => {
    running = await collector();
    for (const host of [`127.0.0.1:${running.port}`, 'localhost:5173', 'LocalHost', '[::1]:8080', '10.1.2.3:80', '[fe80::1]']) {
      expect((await ask(running.url, host)).status, host).toBe(200);
      expect(await upgrade(running.url, host), host).toBe(101);
    }
    for (const host of [`localhost.:${running.port}`, `127.0.0.1.evil.example:${running.port}`, `localhost.evil.example:${running.port}`, 'a.localhost', 'mybox:4318']) {
      expect((await ask(running.url, host)).status, host).toBe(421);
    }
  });

  it('may be missing, as from HTTP/1.0 tools (browsers always send it)', async () => {
    running = await collector();
    const socket = connect(running.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d: Buffer) => { answer += d; });
    await new Promise((r) => { socket.once('end', r); socket.write('GET /healthz HTTP/1.0\r\n\r\n'); });
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('of a name given with --allow-host is answered on any port, as a proxy forwards it', async () => {
    running = await collector({ allowHost: ['logs.example.com', 'collector_1'] });
    for (const host of ['logs.example.com', 'logs.example.com:8443', 'LOGS.example.com', 'collector_1:4318']) {
      expect((await ask(running.url, host)).status, host).toBe(200);
    }
    expect(await upgrade(running.url, 'logs.example.com')).toBe(101);
    expect((await ask(running.url, 'other.example.com')).status).toBe(421);
  });

  it('of the name the collector listens on (--host) is answered', () => {
    const named = new HostGate('mybox.lan', [], () => {});
    expect(named.allows('mybox.lan:4318')).toBe(true);
    expect(named.allows('other.lan:4318')).toBe(false);
    expect(new HostGate('0.0.0.0', [], () => {}).describe()).toBe('IP addresses and localhost');
    expect(new HostGate('mybox.lan', ['logs.example.com'], () => {}).describe()).toBe('IP addresses, localhost, mybox.lan and logs.example.com');
  });
});

describe('--allow-host', () => {
  it('takes host names, several at once, from a flag or the config file', () => {
    expect(parseArgs(['--allow-host', 'Logs.Example.com', 'box.lan'])).toEqual({ allowHost: ['logs.example.com', 'box.lan'] });
    const file = join(tempDir(), 'collector.json');
    writeFileSync(file, JSON.stringify({ 'allow-host': ['a.example'] }));
    expect(parseArgs(['--config', file])).toEqual({ allowHost: ['a.example'] });
    writeFileSync(file, JSON.stringify({ allowHost: 'a.example:80' }));
    expect(() => parseArgs(['--config', file])).toThrow(`--config ${file}: allowHost a.example:80: a host name, without a port (any port is answered); pass --allow-host a.example`);
    expect(allowedHostName('*', '--allow-host')).toBe('*');
    expect(allowedHostName('[::1]', '--allow-host')).toBe('[::1]');
  });

  it('refuses a URL or a port, saying what to pass', () => {
    expect(() => parseArgs(['--allow-host', 'https://logs.example.com/'])).toThrow('--allow-host https://logs.example.com/: a host name, not a URL; pass --allow-host logs.example.com');
    expect(() => parseArgs(['--allow-host', 'logs.example.com:443'])).toThrow('--allow-host logs.example.com:443: a host name, without a port (any port is answered); pass --allow-host logs.example.com');
    expect(() => parseArgs(['--allow-host', 'a/b'])).toThrow('--allow-host a/b: expected a host name, such as logs.example.com');
  });

  it('* answers any host, and only with a token', async () => {
    await expect(startCollector({ port: 0, dir: tempDir(), allowHost: ['*'] })).rejects.toThrow('--allow-host * answers any Host header');
    running = await collector({ allowHost: ['*'], token: 't0k' });
    expect((await ask(running.url, 'anything.example')).status).toBe(200);
  });
});

describe('the live view with a token', () => {
  it('needs the token for the page and its stream, and the page passes ?token= on to /events', async () => {
    running = await collector({ token: 't0k' });
    const host = `127.0.0.1:${running.port}`;
    expect((await ask(running.url, host, '/')).status).toBe(401);
    expect((await ask(running.url, host, '/events')).status).toBe(401);
    const page = await ask(running.url, host, '/?token=t0k');
    expect(page.status).toBe(200);
    expect(page.body).toContain("new EventSource('/events' + (token ? '?token=' + encodeURIComponent(token) : ''))");
    expect((await ask(running.url, host, '/events?token=t0k')).status).toBe(200);
  });
});
