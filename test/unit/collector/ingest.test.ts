import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Handler } from '../../../src/core/handler.js';
import { setInternalErrorSink } from '../../../src/core/internal-error.js';
import { JsonFormatter } from '../../../src/core/json-formatter.js';
import type { LogRecord } from '../../../src/core/record.js';
import { FileHandler } from '../../../src/handlers/file.js';
import { collector, otlp, post, records, stored, tempDir } from './helpers.js';

let running: Awaited<ReturnType<typeof collector>> | undefined;
afterEach(async () => { await running?.close(); running = undefined; setInternalErrorSink(null); });

describe('ingest', () => {
  it('stores a record sent without a uid under a uid of its own, every time it is sent', async () => {
    running = await collector();
    const body = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ scope: { name: 'otel.app' }, logRecords: [{ timeUnixNano: '1795342830123000000', severityNumber: 9, body: { stringValue: 'no uid' } }] }] }] });
    expect((await post(`${running.url}/v1/logs`, body)).status).toBe(200);
    expect((await post(`${running.url}/v1/logs`, body)).status).toBe(200);
    const uids = stored(running.dir).map((r) => r.uid as string);
    expect(uids).toHaveLength(2);
    for (const uid of uids) expect(uid).toMatch(/^[0-9a-f]{16}-[0-9a-z]+$/);
    expect(new Set(uids).size).toBe(2);
  });

  it('stores OTLP JSON records as NDJSON lines with the documented fields', async () => {
    running = await collector();
    const batch = records(3, 'fields', { requestId: 'r-1', exc_text: 'TypeError: boom\n    at x (y.js:1:1)', traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' });
    const res = await post(`${running.url}/v1/logs`, otlp(batch));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({});
    const lines = stored(running.dir);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({
      uid: batch[0].uid, time: '2025-11-22T10:20:30.123Z', timeUnixNano: '1763806830123000000', level: 20, levelname: 'INFO',
      logger: 'app.test', message: 'record 0', attributes: { requestId: 'r-1' }, resource: { 'service.name': 'test' },
      traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', exception: 'TypeError: boom\n    at x (y.js:1:1)',
    });
  });

  it('takes gzip bodies', async () => {
    running = await collector();
    const res = await post(`${running.url}/v1/logs`, gzipSync(otlp(records(5, 'gz'))), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(stored(running.dir)).toHaveLength(5);
  });

  it('takes beacons: text/plain with the token in the query string', async () => {
    running = await collector({ token: 'sekret' });
    const body = otlp(records(2, 'beacon'));
    expect((await post(`${running.url}/v1/logs`, body, { 'content-type': 'text/plain;charset=UTF-8' })).status).toBe(401);
    expect((await post(`${running.url}/v1/logs?token=sekret`, body, { 'content-type': 'text/plain;charset=UTF-8' })).status).toBe(200);
    expect(stored(running.dir)).toHaveLength(2);
  });

  it('answers partialSuccess when some records are bad and stores the rest', async () => {
    running = await collector();
    const request = JSON.parse(otlp(records(2, 'partial')));
    request.resourceLogs[0].scopeLogs[0].logRecords.push({ timeUnixNano: 'yesterday', body: { stringValue: 'bad' } }, 'not a record');
    const res = await post(`${running.url}/v1/logs`, JSON.stringify(request));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ partialSuccess: { rejectedLogRecords: 2 } });
    expect(stored(running.dir)).toHaveLength(2);
  });

  it('answers 400 to what is not OTLP JSON, 415 to protobuf, 404 and 405 elsewhere', async () => {
    running = await collector();
    expect((await post(`${running.url}/v1/logs`, '{"resourceLogs":')).status).toBe(400);
    expect((await post(`${running.url}/v1/logs`, '{"logs":[]}')).status).toBe(400);
    expect((await post(`${running.url}/v1/logs`, Buffer.from([1, 2, 3]), { 'content-type': 'application/x-protobuf' })).status).toBe(415);
    expect((await post(`${running.url}/v1/traces`, '{}')).status).toBe(404);
    expect((await fetch(`${running.url}/v1/logs`)).status).toBe(405);
    const health = await (await fetch(`${running.url}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', accepted: 0 });
  });
});

/** An OTLP request of `n` small records without uids, as any OTLP client may send. */
function tinyRecords(n: number): string {
  return `{"resourceLogs":[{"scopeLogs":[{"logRecords":[${Array(n).fill('{"body":{"stringValue":"r"}}').join(',')}]}]}]}`;
}

describe('records per request', () => {
  it('refuses more than 50,000 in one request with 413 saying what to do, storing none of them', async () => {
    running = await collector();
    const refused = await post(`${running.url}/v1/logs`, tinyRecords(50_001));
    expect(refused.status).toBe(413);
    expect(refused.json).toEqual({ error: '50001 records in one request; the collector takes at most 50000 (--max-records): send them in smaller batches' });
    expect(stored(running.dir)).toHaveLength(0);
    expect((await post(`${running.url}/v1/logs`, otlp(records(2, 'after-cap')))).status).toBe(200);
  });

  it('counts records across resources and scopes, and takes --max-records', async () => {
    running = await collector({ maxRecords: 5 });
    const request = JSON.parse(otlp(records(3, 'cap-a')));
    request.resourceLogs.push(...JSON.parse(otlp(records(3, 'cap-b'))).resourceLogs);
    expect((await post(`${running.url}/v1/logs`, JSON.stringify(request))).status).toBe(413);
    expect((await post(`${running.url}/v1/logs`, otlp(records(5, 'cap-c')))).status).toBe(200);
    const ws = new WebSocket(`${running.url.replace('http', 'ws')}/v1/logs`);
    await new Promise((r) => ws.once('open', r));
    const reply = new Promise<Record<string, unknown>>((r) => ws.once('message', (d) => r(JSON.parse(String(d)))));
    ws.send(JSON.stringify({ batchId: 'too-many', ...request }));
    expect(await reply).toMatchObject({ nack: 'too-many', status: 413 });
    ws.close();
    expect(stored(running.dir).map((r) => r.uid as string).every((uid) => uid.startsWith('cap-c'))).toBe(true);
  });

  it('answers /healthz while it stores a request of 50,000 records, and stores them all, in order', async () => {
    running = await collector();
    const url = running.url;
    const answered: string[] = [];
    let health: Promise<void> | undefined;
    // the first record handed to the collector's logging tree asks for /healthz: it is answered between slices
    class AskHealth extends Handler {
      emit(): void {
        health ??= fetch(`${url}/healthz`).then(async (res) => { expect(res.status).toBe(200); await res.text(); answered.push('healthz'); });
      }
    }
    const probe = new AskHealth();
    running.logging.root.addHandler(probe);
    try {
      const request = JSON.parse(tinyRecords(50_000));
      request.resourceLogs[0].scopeLogs[0].logRecords.forEach((r: { body: { stringValue: string } }, i: number) => { r.body.stringValue = `r${i}`; });
      const big = post(`${url}/v1/logs`, JSON.stringify(request)).then((res) => { expect(res.status).toBe(200); answered.push('post'); });
      await Promise.all([big, (async () => { await expect.poll(() => health !== undefined, { timeout: 30_000 }).toBe(true); await health; })()]);
    } finally {
      running.logging.root.removeHandler(probe);
    }
    expect(answered).toEqual(['healthz', 'post']);
    const lines = stored(running.dir);
    expect(lines).toHaveLength(50_000);
    expect(lines.every((line, i) => line.message === `r${i}`)).toBe(true);
  }, 60_000);
});

describe('dedupe', () => {
  it('stores a record once, however often it is sent, within and across batches', async () => {
    running = await collector();
    const batch = records(4, 'dup');
    const twice = otlp([...batch, batch[0]]);
    await post(`${running.url}/v1/logs`, twice);
    const again = await post(`${running.url}/v1/logs`, otlp(batch));
    expect(again.status).toBe(200);
    expect(stored(running.dir).map((r) => r.uid)).toEqual(batch.map((r) => r.uid));
  });

  it('remembers uids across a restart of the collector', async () => {
    const first = await collector();
    const batch = records(3, 'restart');
    await post(`${first.url}/v1/logs`, otlp(batch));
    await first.close();
    running = await collector({ dir: first.dir });
    await post(`${running.url}/v1/logs`, otlp([...batch, ...records(1, 'restart-new')]));
    const uids = stored(first.dir).map((r) => r.uid);
    expect(uids).toHaveLength(4);
    expect(new Set(uids).size).toBe(4);
  });
});

describe('WebSocket', () => {
  it('acknowledges each batch by id after storing it, gzip binary too, and nacks garbage', async () => {
    running = await collector();
    const ws = new WebSocket(`${running.url.replace('http', 'ws')}/v1/logs`);
    const replies: Record<string, unknown>[] = [];
    await new Promise((r) => ws.once('open', r));
    ws.on('message', (d) => replies.push(JSON.parse(String(d))));
    const a = records(3, 'ws-a');
    const b = records(2, 'ws-b');
    ws.send(JSON.stringify({ batchId: 'b1', ...JSON.parse(otlp(a)) }));
    ws.send(gzipSync(JSON.stringify({ batchId: 'b2', ...JSON.parse(otlp(b)) })));
    ws.send('{not json');
    ws.send(JSON.stringify({ batchId: 'b3', resourceLogs: 'nope' }));
    await expect.poll(() => replies.length, { timeout: 5000 }).toBe(4);
    ws.close();
    expect(replies).toContainEqual({ ack: 'b1' });
    expect(replies).toContainEqual({ ack: 'b2' });
    expect(replies).toContainEqual(expect.objectContaining({ nack: null, status: 400 }));
    expect(replies).toContainEqual(expect.objectContaining({ nack: 'b3', status: 400 }));
    expect(stored(running.dir)).toHaveLength(5);
  });

  it('decodes, bounds and reports a message as it does an HTTP body: 413 past the limit after gunzip, the same 400s', async () => {
    running = await collector({ bodyLimit: 64 * 1024 });
    const ws = new WebSocket(`${running.url.replace('http', 'ws')}/v1/logs`);
    const replies: Record<string, unknown>[] = [];
    await new Promise((r) => ws.once('open', r));
    ws.on('message', (d) => replies.push(JSON.parse(String(d))));
    const nack = async (message: string | Buffer): Promise<Record<string, unknown>> => {
      const seen = replies.length;
      ws.send(message);
      await expect.poll(() => replies.length, { timeout: 5000 }).toBe(seen + 1);
      return replies[seen];
    };
    const answered = async (body: string | Buffer, headers: Record<string, string> = {}): Promise<Record<string, unknown>> => {
      const res = await post(`${running?.url}/v1/logs`, body, headers);
      return { nack: null, status: res.status, error: (res.json as { error: string }).error };
    };
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 32));
    expect(await nack(bomb)).toEqual(await answered(bomb, { 'content-encoding': 'gzip' }));
    expect(await nack(bomb)).toMatchObject({ nack: null, status: 413 });
    expect(await nack(Buffer.from('not gzip'))).toEqual(await answered(Buffer.from('not gzip'), { 'content-encoding': 'gzip' }));
    expect(await nack('{not json')).toEqual(await answered('{not json'));
    expect(await nack(JSON.stringify({ batchId: 'b4', resourceLogs: 'nope' })))
      .toEqual({ ...(await answered(JSON.stringify({ resourceLogs: 'nope' }))), nack: 'b4' });
    ws.close();
  });

  it('names the batch it nacks as rate-limited, read from the message before it is parsed', async () => {
    running = await collector({ rate: 1 });
    const ws = new WebSocket(`${running.url.replace('http', 'ws')}/v1/logs`);
    const replies: Record<string, unknown>[] = [];
    await new Promise((r) => ws.once('open', r));
    ws.on('message', (d) => replies.push(JSON.parse(String(d))));
    for (const id of ['r1', 'r2', 'r3']) ws.send(`{"batchId":"${id}",${otlp(records(1, id)).slice(1)}`);
    await expect.poll(() => replies.length, { timeout: 5000 }).toBe(3);
    ws.close();
    expect(replies).toContainEqual({ ack: 'r1' });
    expect(replies).toContainEqual({ ack: 'r2' });
    expect(replies).toContainEqual({ nack: 'r3', status: 429, retryAfterMs: expect.any(Number), error: 'too many requests' });
  });

  it('names the batch it nacks when the rest of the message cannot be read, text or gzip', async () => {
    running = await collector();
    const ws = new WebSocket(`${running.url.replace('http', 'ws')}/v1/logs`);
    const replies: Record<string, unknown>[] = [];
    await new Promise((r) => ws.once('open', r));
    ws.on('message', (d) => replies.push(JSON.parse(String(d))));
    ws.send('{"batchId":"t1","resourceLogs":[{"scopeLogs":');
    ws.send(' { "batchId" : 42 , "resourceLogs": nope');
    ws.send(gzipSync(`{"batchId":"g1","resourceLogs":[${'{"scopeLogs":[{"logRecords":[{}]}]},'.repeat(5000)}`));
    await expect.poll(() => replies.length, { timeout: 5000 }).toBe(3);
    ws.close();
    for (const id of ['t1', 42, 'g1']) expect(replies).toContainEqual(expect.objectContaining({ nack: id, status: 400 }));
  });

  it('refuses a WebSocket without the token', async () => {
    running = await collector({ token: 't0k' });
    const denied = new WebSocket(`${running.url.replace('http', 'ws')}/v1/logs`);
    const error = await new Promise<string>((r) => denied.once('unexpected-response', (_req, res) => r(String(res.statusCode))).once('error', (e) => r(String(e))));
    expect(error).toContain('401');
    const ok = new WebSocket(`${running.url.replace('http', 'ws')}/v1/logs?token=t0k`);
    await new Promise((r, j) => { ok.once('open', r); ok.once('error', j); });
    ok.close();
  });
});

describe('rotation', () => {
  it('rotates isolog.ndjson at --max-bytes, keeping --backup-count files and every record once', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const { join } = await import('node:path');
    running = await collector({ maxBytes: 4000, backupCount: 3 });
    const sent = records(100, 'rot');
    for (let i = 0; i < sent.length; i += 5) await post(`${running.url}/v1/logs`, otlp(sent.slice(i, i + 5)));
    const dir = running.dir;
    const files = readdirSync(dir).filter((f) => f.startsWith('isolog.ndjson')).sort();
    expect(files).toEqual(['isolog.ndjson', 'isolog.ndjson.1', 'isolog.ndjson.2', 'isolog.ndjson.3']);
    for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThan(4000);
    const kept = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).uid as string));
    expect(new Set(kept).size).toBe(kept.length);
    // the newest records are in the current file; the oldest rotated away beyond backupCount
    expect(kept).toContain(sent[sent.length - 1].uid);
    expect(stored(dir).at(-1)?.uid).toBe(sent[sent.length - 1].uid);
  });
});

describe('records that cannot be written', () => {
  const withTime = (batch: ReturnType<typeof records>, at: number, time: unknown): string => {
    const request = JSON.parse(otlp(batch));
    request.resourceLogs[0].scopeLogs[0].logRecords[at].timeUnixNano = time;
    return JSON.stringify(request);
  };

  it('rejects a time past OTLP\'s 2^64-1 ns (1e22, 20 digits too many) with a reason, and does not remember its uid', async () => {
    running = await collector();
    for (const time of [1e22, '99999999999999999999', '18446744073709551616']) {
      const batch = records(3, 'far');
      const res = await post(`${running.url}/v1/logs`, withTime(batch, 1, time));
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ partialSuccess: { rejectedLogRecords: 1, errorMessage: 'timeUnixNano is not a number of nanoseconds from 0 to 2^64-1' } });
      // sent again with a time it can hold, the record is stored: its uid was not taken as stored
      expect((await post(`${running.url}/v1/logs`, otlp(batch))).json).toEqual({});
      expect(stored(running.dir).slice(-3).map((r) => r.uid)).toEqual([batch[0].uid, batch[2].uid, batch[1].uid]);
    }
    const last = await post(`${running.url}/v1/logs`, withTime(records(1, 'edge'), 0, '18446744073709551615'));
    expect(last.json).toEqual({});
    expect(stored(running.dir).at(-1)).toMatchObject({ time: '2554-07-21T23:34:33.709Z', timeUnixNano: '18446744073709551615' });
  });

  it('rejects, and does not remember, a record whose formatter throws in a file handler, storing the rest of its batch', async () => {
    const dir = tempDir();
    const formatter = new JsonFormatter();
    const picky = { '()': () => Object.assign(Object.create(formatter) as JsonFormatter, {
      format: (r: LogRecord) => { if (r.msg === 'record 1') throw new RangeError('Invalid time value'); return formatter.format(r); },
    }) };
    running = await collector({ dir, logging: {
      version: 1, formatters: { picky },
      handlers: { file: { class: 'FileHandler', filename: join(dir, 'isolog.ndjson'), formatter: 'picky' } },
      root: { level: 'NOTSET', handlers: ['file'] },
    } });
    const reports: string[] = [];
    setInternalErrorSink((text) => reports.push(text));
    const batch = records(3, 'picky');
    const res = await post(`${running.url}/v1/logs`, otlp(batch));
    expect(res.json).toEqual({ partialSuccess: { rejectedLogRecords: 1, errorMessage: `a record could not be written by FileHandler ${join(dir, 'isolog.ndjson')}: RangeError: Invalid time value` } });
    expect(stored(dir).map((r) => r.uid)).toEqual([batch[0].uid, batch[2].uid]);
    expect(reports.join('')).toContain('RangeError: Invalid time value');
    expect((await post(`${running.url}/v1/logs`, otlp(batch))).json).toMatchObject({ partialSuccess: { rejectedLogRecords: 1 } });
    expect(stored(dir)).toHaveLength(2);
    expect((await (await fetch(`${running.url}/healthz`)).json())).toMatchObject({ accepted: 2, rejected: 2, duplicates: 2 });
  });
});

describe('a batch that cannot be stored', () => {
  it('is answered 503 and left in no file, however many files it went to; sent again, it is stored once in each', async () => {
    const dir = tempDir();
    let refuse = true;
    // "a" writes first and refuses the first batch, as a full disk would; "b" has the batch pending by then
    const refusing = { '()': () => new (class extends FileHandler {
      override flush(): void {
        if (refuse && this.pending) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        super.flush();
      }
    })(join(dir, 'a.ndjson')), formatter: 'json' };
    running = await collector({ dir, logging: {
      version: 1, formatters: { json: { class: 'JsonFormatter' } },
      handlers: { a: refusing, b: { class: 'FileHandler', filename: join(dir, 'b.ndjson'), formatter: 'json' } },
      root: { level: 'NOTSET', handlers: ['a', 'b'] },
    } });
    setInternalErrorSink(() => {});
    const batch = records(3, 'refused');
    expect((await post(`${running.url}/v1/logs`, otlp(batch))).status).toBe(503);
    refuse = false;
    expect((await post(`${running.url}/v1/logs`, otlp(batch))).json).toEqual({});
    const uids = (file: string) => readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).uid);
    expect(uids('a.ndjson')).toEqual(batch.map((r) => r.uid));
    expect(uids('b.ndjson')).toEqual(batch.map((r) => r.uid));
  });
});
