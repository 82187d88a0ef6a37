// A real collector on 127.0.0.1 behind a proxy that injects faults: refused connections, 5xx, 429
// with Retry-After, 400 for a poison record. Tests count what the collector stored.
import { expect, test, type Page } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { startCollector, type Collector, type CollectorOptions } from '../../src/collector/index.js';

export const PAGE_ORIGIN = `http://127.0.0.1:${Number(process.env.ISOLOG_TEST_PORT)}`;

export type Fault =
  | { kind: 'pass' }
  | { kind: 'status'; status: number; times: number; retryAfter?: string; match?: string }
  | { kind: 'poison'; marker: string }
  /** Records whose OTLP holds `marker` reach the collector with a time it rejects: a 200 with partialSuccess. */
  | { kind: 'reject'; marker: string }
  /** Every POST waits `ms` before it goes on to the collector: a slow collector, requests long in flight. */
  | { kind: 'delay'; ms: number }
  /** Every POST is held, never answered nor forwarded: a request in flight for as long as the client keeps it. */
  | { kind: 'hang' };

/** The proxy in front of the collector; `down()` refuses connections until `up()`. */
/** An OTLP log record as a request carried it, with that request's headers. */
export interface SeenRecord {
  record: { timeUnixNano?: string; observedTimeUnixNano?: string; body?: { stringValue?: string }; attributes?: { key: string; value: Record<string, unknown> }[] };
  attributes: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  url: string;
}

export class FaultyCollector {
  fault: Fault = { kind: 'pass' };
  requests = 0;
  /** While true, every POST's body (gunzipped) and headers are kept in `posts`. */
  capture = false;
  readonly posts: { headers: IncomingMessage['headers']; url: string; text: string }[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(readonly collector: Collector, readonly dir: string) {}

  static async start(origins: string[] = [PAGE_ORIGIN], options: CollectorOptions = {}): Promise<FaultyCollector> {
    const dir = mkdtempSync(join(tmpdir(), 'isolog-pipeline-'));
    const collector = await startCollector({ port: 0, rate: 0, dir, cors: origins, ...options });
    const faulty = new FaultyCollector(collector, dir);
    await faulty.up();
    return faulty;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/v1/logs`;
  }

  get wsUrl(): string {
    return this.collector.url.replace('http', 'ws') + '/v1/logs';
  }

  async up(): Promise<void> {
    this.server = createServer((req, res) => this.onRequest(req, res));
    this.server.on('connection', (s: Socket) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    await new Promise<void>((r) => (this.server as Server).listen(this.port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops listening: connections are refused until up(). */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => server?.close(r));
  }

  private cors(req: IncomingMessage): Record<string, string> {
    return { 'access-control-allow-origin': String(req.headers.origin ?? '*'), 'access-control-expose-headers': 'retry-after' };
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST') this.requests++;
      // captured before it is forwarded: a test that reads seen() once the collector acknowledged finds it
      if (req.method === 'POST' && this.capture) this.posts.push({ headers: req.headers, url: String(req.url), text: decodeTextNow(body, req.headers['content-encoding']) });
      const forward = (): void => {
        const upstream = request(`${this.collector.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', () => { res.writeHead(502, this.cors(req)); res.end(); });
        upstream.end(body);
      };
      const fault = this.fault;
      if (req.method === 'POST' && fault.kind === 'status' && fault.times > 0) {
        void decodeText(body, req.headers['content-encoding']).then((text) => {
          // a fault scoped to one test's run leaves other pages' requests (a closing tab's beacon) alone
          if (fault.match && !text.includes(fault.match)) return forward();
          if (fault.times <= 0) return forward();
          fault.times--;
          res.writeHead(fault.status, { ...this.cors(req), ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}) });
          res.end();
        });
        return;
      }
      if (req.method === 'POST' && fault.kind === 'hang') return;
      if (req.method === 'POST' && fault.kind === 'delay') {
        setTimeout(forward, fault.ms);
        return;
      }
      if (req.method === 'POST' && fault.kind === 'reject') {
        void decodeText(body, req.headers['content-encoding']).then((text) => {
          const otlp = JSON.parse(text) as { resourceLogs: { scopeLogs: { logRecords: { timeUnixNano?: string }[] }[] }[] };
          for (const rl of otlp.resourceLogs) for (const sl of rl.scopeLogs) for (const lr of sl.logRecords) {
            if (JSON.stringify(lr).includes(fault.marker)) lr.timeUnixNano = 'not a time';
          }
          const changed = Buffer.from(JSON.stringify(otlp));
          const headers = { ...req.headers, 'content-length': String(changed.length) };
          delete headers['content-encoding'];
          const upstream = request(`${this.collector.url}${req.url}`, { method: 'POST', headers }, (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          });
          upstream.on('error', () => { res.writeHead(502, this.cors(req)); res.end(); });
          upstream.end(changed);
        });
        return;
      }
      if (req.method === 'POST' && fault.kind === 'poison') {
        void decodeText(body, req.headers['content-encoding']).then((text) => {
          if (text.includes(fault.marker)) {
            res.writeHead(400, this.cors(req));
            return void res.end('{"error":"poison"}');
          }
          forward();
        });
        return;
      }
      forward();
    });
  }

  /** Stored records of one run, by the `run` attribute the test page sets. */
  stored(run: string): Record<string, unknown>[] {
    const file = join(this.dir, 'isolog.ndjson');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
      .filter((r) => (r.attributes as Record<string, unknown>)?.run === run);
  }

  /** The OTLP records of one run that POSTs carried through this proxy while `capture` was on (duplicates included). */
  seen(run: string): SeenRecord[] {
    const out: SeenRecord[] = [];
    for (const { headers, url, text } of this.posts) {
      let request: { resourceLogs?: { scopeLogs?: { logRecords?: SeenRecord['record'][] }[] }[] };
      try { request = JSON.parse(text); } catch { continue; }
      for (const rl of request.resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) for (const record of sl.logRecords ?? []) {
        const attributes = Object.fromEntries((record.attributes ?? []).map((kv) => [kv.key, Object.values(kv.value)[0]]));
        if (attributes.run === run) out.push({ record, attributes, headers, url });
      }
    }
    return out;
  }

  /** Every stored record, for checks across runs (warnings from isolog itself included). */
  all(): Record<string, unknown>[] {
    const file = join(this.dir, 'isolog.ndjson');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }

  async close(): Promise<void> {
    await this.down();
    await this.collector.close();
  }
}

function decodeTextNow(body: Buffer, encoding: string | string[] | undefined): string {
  try {
    return (encoding === 'gzip' ? gunzipSync(body) : body).toString('utf8');
  } catch {
    return '';
  }
}

async function decodeText(body: Buffer, encoding: string | string[] | undefined): Promise<string> {
  return decodeTextNow(body, encoding);
}

/** The n values a run stored: each must appear once, and all of 0..count-1 must be there. */
export function lossAndDuplicates(records: Record<string, unknown>[], count: number): { missing: number[]; duplicates: number; uidDuplicates: number } {
  const ns = records.map((r) => (r.attributes as { n: number }).n);
  const seen = new Set(ns);
  const missing: number[] = [];
  for (let n = 0; n < count; n++) if (!seen.has(n)) missing.push(n);
  const uids = records.map((r) => r.uid);
  return { missing, duplicates: ns.length - seen.size, uidDuplicates: uids.length - new Set(uids).size };
}

let runs = 0;
/** A name for one test's records, so counts never mix across tests. */
export function newRun(name: string): string {
  return `${name}-${Date.now().toString(36)}-${runs++}`;
}

/** Opens the pipeline page and starts logging to `collector`, retrying fast. */
export async function openPipeline(page: Page, collector: FaultyCollector, options: Record<string, unknown> = {}): Promise<void> {
  await page.goto('/pipeline.html');
  await page.evaluate((o) => window.isologTest.start(o as never), { collector: collector.url, send: { retryBaseMs: 100 }, ...options });
}

/** Makes `page`'s fetch throw for keepalive requests, as where fetch cannot go keepalive: a leaving page falls back to sendBeacon. */
export async function withoutKeepaliveFetch(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const real = window.fetch.bind(window);
    window.fetch = (input, init) => {
      if (init?.keepalive) throw new TypeError('keepalive is not supported here');
      return real(input, init);
    };
  });
}

/** Expects every request that carried records of `run` to have been a beacon: text/plain, `token` in its query. */
export function expectSentByBeacon(collector: FaultyCollector, run: string, token: string): void {
  const seen = collector.seen(run);
  expect(new Set(seen.map((s) => s.headers['content-type']))).toEqual(new Set(['text/plain;charset=utf-8']));
  expect(seen.every((s) => s.url.includes(`token=${token}`))).toBe(true);
}

/** Waits until every record 0..count-1 of `run` is stored, then checks none is stored twice. */
export async function expectAll(collector: FaultyCollector, run: string, count: number, timeout = 30_000): Promise<void> {
  await expect.poll(() => new Set(collector.stored(run).map((r) => (r.attributes as { n: number }).n)).size, { timeout }).toBe(count);
  expect(lossAndDuplicates(collector.stored(run), count)).toEqual({ missing: [], duplicates: 0, uidDuplicates: 0 });
}

/**
 * The spec file's collector behind the fault proxy: started before its tests, faults cleared before
 * each, closed after; `open` and `expectAll` work against it.
 */
export function pipelineSuite(): {
  readonly collector: FaultyCollector;
  open(page: Page, options?: Record<string, unknown>): Promise<void>;
  expectAll(run: string, count: number, timeout?: number): Promise<void>;
} {
  let collector: FaultyCollector | undefined;
  const started = (): FaultyCollector => {
    if (!collector) throw new Error('the collector starts in beforeAll: use it inside a test');
    return collector;
  };
  test.beforeAll(async () => { collector = await FaultyCollector.start(); });
  test.afterAll(async () => { await collector?.close(); });
  test.beforeEach(() => { started().fault = { kind: 'pass' }; });
  return {
    get collector() { return started(); },
    open: (page, options = {}) => openPipeline(page, started(), options),
    expectAll: (run, count, timeout) => expectAll(started(), run, count, timeout),
  };
}
