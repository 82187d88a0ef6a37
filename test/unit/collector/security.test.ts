import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector } from '../../../src/collector/index.js';
import { escapeControl, tokensMatch } from '../../../src/collector/guard.js';
import { collector, otlp, post, records, stored, tempDir } from './helpers.js';

let running: Awaited<ReturnType<typeof collector>> | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await running?.close();
  running = undefined;
});

/**
 * POSTs `total` bytes with node:http, 64 KiB at a time as fast as the socket takes them, reading the
 * answer whenever it comes: its status and body, or the error the client saw instead.
 */
function streamPost(url: string, total: number, declareLength: boolean): Promise<{ status?: number; body?: string; error?: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (declareLength) headers['content-length'] = String(total);
  const req = request(`${url}/v1/logs`, { method: 'POST', headers });
  cleanups.push(() => req.destroy());
  return new Promise((resolve) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    const chunk = Buffer.alloc(64 * 1024, 32);
    let sent = 0;
    const pump = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/**
 * POSTs `total` bytes over a raw socket and reads the answer only once all are sent, as HTTP/1.1
 * clients such as Python's requests do: what came back, or the error the writes ran into.
 */
function sendThenRead(url: string, total: number, declareLength: boolean): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  cleanups.push(() => socket.destroy());
  socket.pause();
  return new Promise((resolve) => {
    let answer = '';
    socket.on('data', (d: Buffer) => { answer += d; });
    socket.on('end', () => resolve(answer));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(`${err.code}, having read ${JSON.stringify(answer)}`));
    const framing = declareLength ? `content-length: ${total}` : 'transfer-encoding: chunked';
    socket.write(`POST /v1/logs HTTP/1.1\r\nhost: ${hostname}:${port}\r\nconnection: close\r\ncontent-type: application/json\r\n${framing}\r\n\r\n`);
    const spaces = Buffer.alloc(64 * 1024, 32);
    const chunk = declareLength ? spaces : Buffer.concat([Buffer.from(`${spaces.length.toString(16)}\r\n`), spaces, Buffer.from('\r\n')]);
    let sent = 0;
    const pump = (): void => {
      while (sent < total) {
        sent += spaces.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      if (!declareLength) socket.write('0\r\n\r\n');
      socket.resume();
    };
    pump();
  });
}

describe('security', () => {
  it('refuses to listen beyond loopback without a token', async () => {
    await expect(startCollector({ host: '0.0.0.0', port: 0, dir: tempDir() })).rejects.toThrow(/without a token/);
  });

  it('checks the token in constant time, from the header or the query string', async () => {
    expect(tokensMatch('abc', 'abc')).toBe(true);
    expect(tokensMatch('abd', 'abc')).toBe(false);
    expect(tokensMatch('a', 'abc')).toBe(false);
    expect(tokensMatch(null, 'abc')).toBe(false);
    running = await collector({ token: 'right' });
    const body = otlp(records(1, 'auth'));
    expect((await post(`${running.url}/v1/logs`, body, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(`${running.url}/v1/logs`, body, { authorization: 'Bearer right' })).status).toBe(200);
    expect((await fetch(`${running.url}/events`)).status).toBe(401);
  });

  it('answers CORS only for the listed origins', async () => {
    running = await collector({ cors: ['https://app.example'] });
    const pre = await fetch(`${running.url}/v1/logs`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const denied = await fetch(`${running.url}/v1/logs`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    const body = otlp(records(1, 'cors'));
    expect((await post(`${running.url}/v1/logs`, body, { origin: 'https://evil.example' })).status).toBe(403);
    const ok = await post(`${running.url}/v1/logs`, body, { origin: 'https://app.example' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });

  it('answers 413 beyond the body limit, before and after gzip, and keeps running', async () => {
    running = await collector({ bodyLimit: 64 * 1024 });
    const big = otlp(records(1, 'big', { message: 'x'.repeat(100 * 1024) }));
    expect((await post(`${running.url}/v1/logs`, big)).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 32));
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect((await post(`${running.url}/v1/logs`, bomb, { 'content-encoding': 'gzip' })).status).toBe(413);
    expect((await post(`${running.url}/v1/logs`, otlp(records(1, 'after')))).status).toBe(200);
  });

  it('lets a client that sends its whole body before it reads see its 413, not EPIPE', async () => {
    running = await collector({ bodyLimit: 64 * 1024 });
    for (const declared of [true, false]) {
      const answer = await sendThenRead(running.url, 20 * 1024 * 1024, declared);
      expect(answer, declared ? 'content-length' : 'chunked').toMatch(/^HTTP\/1\.1 413 [^]*\r\n\r\n[^]*\{"error":"body over 65536 bytes"\}/);
    }
  }, 30_000);

  it('answers at once, and closes, when the declared body is more than it would read to throw away', async () => {
    running = await collector({ bodyLimit: 64 * 1024 });
    const { hostname, port } = new URL(running.url);
    const socket = connect(Number(port), hostname);
    cleanups.push(() => socket.destroy());
    let answer = '';
    socket.on('data', (d: Buffer) => { answer += d; });
    const ended = new Promise((r) => socket.once('end', r));
    socket.write(`POST /v1/logs HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\ncontent-length: ${200 * 1024 * 1024}\r\n\r\n`);
    await ended;
    expect(answer).toMatch(/^HTTP\/1\.1 413 [^]*connection: close\r\n[^]*\{"error":"body over 65536 bytes"\}/i);
  });

  it('lets a client that streams a body over the limit read its 413, with node:http or fetch', async () => {
    running = await collector({ bodyLimit: 64 * 1024 });
    const error = { error: 'body over 65536 bytes' };
    for (const declared of [true, false]) {
      const answer = await streamPost(running.url, 20 * 1024 * 1024, declared);
      expect(answer, declared ? 'content-length' : 'chunked').toEqual({ status: 413, body: JSON.stringify(error) });
    }
    const res = await fetch(`${running.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array(20 * 1024 * 1024).fill(32) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual(error);
    expect((await post(`${running.url}/v1/logs`, otlp(records(1, 'after-413')))).status).toBe(200);
  }, 30_000);

  it('limits each client\'s rate with 429 and Retry-After', async () => {
    running = await collector({ rate: 2 });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const res = await post(`${running.url}/v1/logs`, otlp(records(1, `rate${i}`)));
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(4);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('is not polluted by __proto__, constructor or prototype keys', async () => {
    running = await collector();
    const request = JSON.parse(otlp(records(1, 'proto')));
    const attributes = request.resourceLogs[0].scopeLogs[0].logRecords[0].attributes;
    attributes.push({ key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } } });
    attributes.push({ key: 'constructor', value: { stringValue: 'x' } }, { key: 'prototype', value: { stringValue: 'y' } });
    const text = JSON.stringify(request).replace('"resourceLogs"', '"__proto__":{"polluted":true},"resourceLogs"');
    expect((await post(`${running.url}/v1/logs`, text)).status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const [line] = stored(running.dir);
    expect(Object.keys(line.attributes as object)).toEqual([]);
  });

  it('escapes control characters and newlines in text output, so lines cannot be forged', async () => {
    const dir = tempDir();
    const file = join(dir, 'text.log');
    running = Object.assign(await startCollector({
      port: 0, rate: 0, dir,
      logging: { version: 1, formatters: { t: { format: '%(levelname)s %(name)s %(message)s' } }, handlers: { f: { class: 'FileHandler', filename: file, formatter: 't' } }, root: { level: 'NOTSET', handlers: ['f'] } },
    }), { dir });
    const forged = records(1, 'forge', { message: 'ok\nCRITICAL app.admin password changed\u2028\u001b[31m', msg: '' });
    await post(`${running.url}/v1/logs`, otlp(forged));
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(1);
    expect(text).toContain('ok\\nCRITICAL app.admin password changed\\u2028\\x1b[31m');
    expect(escapeControl('a\tb\r\n')).toBe('a\\tb\\r\\n');
  });

  it('keeps NDJSON one line per record, U+2028 included', async () => {
    running = await collector();
    await post(`${running.url}/v1/logs`, otlp(records(1, 'ls', { message: 'a\u2028b\nc' })));
    const raw = readFileSync(join(running.dir, 'isolog.ndjson'), 'utf8');
    expect(raw.split('\n').filter(Boolean)).toHaveLength(1);
    expect(raw).not.toContain('\u2028');
    expect(stored(running.dir)[0].message).toBe('a\u2028b\nc');
  });
});
