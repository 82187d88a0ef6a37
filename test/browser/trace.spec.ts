// One trace from the page to the server it calls: the page's records of a user action reach the
// collector with the traceId of the traceparent its fetch sent, by every road the page pipeline has
// (the worker over HTTP and WebSocket, the closing page's keepalive requests and its sendBeacon
// fallback, the page's own sends), and the live view shows that trace's records, the page's and
// the server's, together.
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { startCollector } from '../../src/collector/index.js';
import { continueTrace, parseTraceparent } from '../../src/core/trace-context.js';
import { encodeRecords } from '../../src/transport/otlp.js';
import { readmeBlocks } from '../readme-blocks.js';
import { newRun, pipelineSuite, PAGE_ORIGIN } from './harness.js';
import type { ActionResult } from './pages/trace.js';

const suite = pipelineSuite();

/**
 * The server the page calls, standing in for a Worker behind isolog/edge: it records the headers it
 * got and, as `withLogging` does, continues the traceparent and logs a record of its own with it.
 */
interface ApiCall { headers: IncomingHttpHeaders; run: string }
let api: Server;
let apiUrl: string;
const calls: ApiCall[] = [];

test.beforeAll(async () => {
  api = createServer((req, res) => {
    const cors = { 'access-control-allow-origin': PAGE_ORIGIN, 'access-control-allow-headers': 'content-type, traceparent, x-run', 'access-control-allow-methods': 'POST' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      return void res.end();
    }
    let body = '';
    req.on('data', (c: Buffer) => { body += c; });
    req.on('end', async () => {
      const run = String(req.headers['x-run']);
      calls.push({ headers: req.headers, run });
      const span = continueTrace(req.headers.traceparent as string | undefined);
      const record = {
        name: 'edge.api', msg: `POST /pay for ${JSON.parse(body).run}`, levelno: 20, levelname: 'INFO', created: Date.now() / 1000,
        uid: `edge-${run}`, exc_text: null, stack_info: null, run, n: 100, traceId: span.traceId, spanId: span.spanId,
      };
      await fetch(`${suite.collector.collector.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(encodeRecords([record], { 'service.name': 'edge' })) });
      res.writeHead(201, cors);
      res.end('paid');
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/pay`;
});
test.afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));

/** Opens the trace page on `workerUrl`, runs one action of `run`, and checks what the server received. */
async function act(page: Page, run: string, workerUrl = '/worker.js', collector = suite.collector.url): Promise<ActionResult> {
  await page.goto('/trace.html');
  await page.evaluate(([url, worker]) => window.isologTrace.start({ collector: url, send: { retryBaseMs: 100 } } as never, worker), [collector, workerUrl]);
  const result = await page.evaluate(([r, url]) => window.isologTrace.action(r, url), [run, apiUrl]);
  expect(result.status).toBe(201);
  const call = calls.find((c) => c.run === run);
  const received = parseTraceparent(call?.headers.traceparent as string | undefined);
  // the request carried a child span of the action's trace, and the caller's own headers
  expect(received?.traceId).toBe(result.traceId);
  expect(received?.parentSpanId).not.toBe(result.spanId);
  expect(call?.headers['content-type']).toBe('application/json');
  return result;
}

/** Waits for the run's five page records and the server's one, then checks their trace ids by n. */
async function expectTraced(run: string, trace: ActionResult): Promise<void> {
  await expect.poll(() => suite.collector.stored(run).length, { timeout: 20_000 }).toBe(6);
  const byN = new Map(suite.collector.stored(run).map((r) => [(r.attributes as { n: number }).n, r]));
  for (const n of [0, 1, 2, 3]) {
    expect(byN.get(n), `record ${n}`).toMatchObject({ traceId: trace.traceId, spanId: trace.spanId });
    // the ids are the record's trace context, not attributes
    expect(Object.keys(byN.get(n)?.attributes as object)).not.toContain('traceId');
  }
  expect(byN.get(1)?.exception).toContain('card declined');
  expect(byN.get(4)?.traceId).toBeUndefined();
  expect(byN.get(4)?.spanId).toBeUndefined();
  // the server's record: the same trace, a span of its own
  expect(byN.get(100)?.traceId).toBe(trace.traceId);
  expect(byN.get(100)?.spanId).not.toBe(trace.spanId);
}

/** The OTLP the page sent for `run` carried the ids as the log records' traceId/spanId. */
function expectOtlp(run: string, trace: ActionResult): void {
  const seen = suite.collector.seen(run) as unknown as { record: { traceId?: string; spanId?: string }; attributes: { n: number } }[];
  const traced = seen.filter((s) => s.attributes.n < 4);
  expect(traced.length).toBeGreaterThanOrEqual(4);
  for (const s of traced) expect(s.record).toMatchObject({ traceId: trace.traceId, spanId: trace.spanId });
  expect(seen.filter((s) => s.attributes.n === 4).every((s) => s.record.traceId === undefined)).toBe(true);
}

test('through the worker: the page\'s records of an action carry the traceId its fetch sent, in OTLP and in the NDJSON', async ({ page }) => {
  suite.collector.capture = true;
  try {
    const run = newRun('trace-worker');
    const trace = await act(page, run);
    expect(await page.evaluate(() => window.isologTrace.flush(20_000))).toBe('ok');
    await expectTraced(run, trace);
    expectOtlp(run, trace);
    expect(await page.evaluate(() => window.isologTrace.errors)).toEqual([]);
  } finally {
    suite.collector.capture = false;
  }
});

test('through the worker over the WebSocket transport: the NDJSON has the ids', async ({ page }) => {
  const run = newRun('trace-ws');
  const trace = await act(page, run, '/worker.js', suite.collector.wsUrl);
  expect(await page.evaluate(() => window.isologTrace.flush(20_000))).toBe('ok');
  await expectTraced(run, trace);
});

test('through the closing page\'s keepalive requests: a worker that never stores, the tab closed, the ids arrive', async ({ context }) => {
  suite.collector.capture = true;
  try {
    const page = await context.newPage();
    const run = newRun('trace-leaving');
    const trace = await act(page, run, '/stuck-worker.js');
    await page.close({ runBeforeUnload: false });
    await expectTraced(run, trace);
    expectOtlp(run, trace);
  } finally {
    suite.collector.capture = false;
  }
});

test('through sendBeacon, where fetch cannot go keepalive: the ids arrive', async ({ context }) => {
  suite.collector.capture = true;
  try {
    const page = await context.newPage();
    await page.addInitScript(() => {
      const real = window.fetch.bind(window);
      window.fetch = (input, init) => {
        if (init?.keepalive) throw new TypeError('keepalive is not supported here');
        return real(input, init);
      };
    });
    const run = newRun('trace-beacon');
    const trace = await act(page, run, '/stuck-worker.js');
    await page.close({ runBeforeUnload: false });
    await expectTraced(run, trace);
    expectOtlp(run, trace);
    expect(new Set(suite.collector.seen(run).map((s) => s.headers['content-type']))).toEqual(new Set(['text/plain;charset=utf-8']));
  } finally {
    suite.collector.capture = false;
  }
});

test('through the page\'s own sends: a worker that refuses every batch, flush() resolves, the ids arrive', async ({ page }) => {
  suite.collector.capture = true;
  try {
    const run = newRun('trace-direct');
    const trace = await act(page, run, '/refusing-worker.js');
    expect(await page.evaluate(() => window.isologTrace.flush(30_000))).toBe('ok');
    await expectTraced(run, trace);
    expectOtlp(run, trace);
  } finally {
    suite.collector.capture = false;
  }
});

test('the live view\'s trace filter, from ?trace= or a click, shows the page\'s and the server\'s records of that trace only', async ({ page, context }) => {
  const first = newRun('trace-view-a');
  const second = newRun('trace-view-b');
  const a = await act(page, first);
  expect(await page.evaluate(() => window.isologTrace.flush(20_000))).toBe('ok');
  const b = await act(page, second);
  expect(await page.evaluate(() => window.isologTrace.flush(20_000))).toBe('ok');
  await expect.poll(() => suite.collector.stored(first).length + suite.collector.stored(second).length, { timeout: 20_000 }).toBe(12);

  const view = await context.newPage();
  await view.goto(`${suite.collector.collector.url}/?trace=${a.traceId}`);
  await expect(view.locator('#status')).toHaveText('live');
  await expect(view.locator('#trace')).toHaveValue(a.traceId);
  const rows = view.locator('#records .r');
  // the page's four records of the action and the server's one, nothing of the other trace
  await expect(rows).toHaveCount(5);
  await expect(rows.filter({ hasText: 'edge.api: POST /pay for ' + first })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'pay clicked in run ' + first })).toHaveCount(1);
  await expect(rows.filter({ hasText: second })).toHaveCount(0);
  await expect(rows.filter({ hasText: 'outside any trace' })).toHaveCount(0);
  // each row shows the trace's short form, the whole id in its title
  const badge = rows.first().locator('a.t');
  await expect(badge).toHaveText(a.traceId.slice(0, 8));
  await expect(badge).toHaveAttribute('title', new RegExp(`^trace ${a.traceId}\\n`));

  // the filter off: every record, traced or not; then a click on a row of the second trace
  await view.fill('#trace', '');
  await expect(view).toHaveURL(`${suite.collector.collector.url}/`);
  await expect(rows.filter({ hasText: 'outside any trace' })).not.toHaveCount(0);
  await rows.filter({ hasText: 'edge.api: POST /pay for ' + second }).locator('a.t').click();
  await expect(view.locator('#trace')).toHaveValue(b.traceId);
  await expect(view).toHaveURL(`${suite.collector.collector.url}/?trace=${b.traceId}`);
  await expect(rows).toHaveCount(5);
  await expect(rows.filter({ hasText: first })).toHaveCount(0);

  // the first digits, typed, are enough; the other filters still apply on top
  await view.fill('#trace', b.traceId.slice(0, 8).toUpperCase());
  await expect(rows).toHaveCount(5);
  await view.selectOption('#level', '40');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('card check failed');
  await view.selectOption('#level', '0');
  await view.fill('#logger', 'edge');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('edge.api');
});

test('the live view of a collector with a token keeps the token in its trace links and its address', async ({ page }) => {
  const guarded = await startCollector({ port: 0, rate: 0, token: 'trace-t0k', dir: mkdtempSync(join(tmpdir(), 'isolog-trace-view-')) });
  try {
    const span = continueTrace();
    const record = { name: 'edge.api', msg: 'traced behind a token', levelno: 20, levelname: 'INFO', created: Date.now() / 1000, uid: 'guarded-1', exc_text: null, stack_info: null, traceId: span.traceId, spanId: span.spanId };
    const res = await fetch(`${guarded.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer trace-t0k' }, body: JSON.stringify(encodeRecords([record])) });
    expect(res.status).toBe(200);
    await page.goto(`${guarded.url}/?token=trace-t0k&trace=${span.traceId}`);
    await expect(page.locator('#status')).toHaveText('live');
    await expect(page.locator('#records .r')).toHaveCount(1);
    await expect(page.locator('#records a.t')).toHaveAttribute('href', `/?token=trace-t0k&trace=${span.traceId}`);
    await page.fill('#trace', '');
    await expect(page).toHaveURL(`${guarded.url}/?token=trace-t0k`);
  } finally {
    await guarded.close();
  }
});

// README.md's "One trace from the page to the Worker" example, once the README has it
const TRACE_EXAMPLE = readmeBlocks().find((b) => b.kind === 'example' && b.name === 'trace');
const repo = new URL('../../', import.meta.url).pathname;

test('the README\'s trace example: a click\'s records and the traceparent its fetch sent share one traceId', async ({ page }) => {
  test.skip(TRACE_EXAMPLE === undefined, 'README.md has no <!-- example: trace --> block yet');
  const example = (TRACE_EXAMPLE as { code: string }).code;
  expect(example).toContain("'http://127.0.0.1:4318/v1/logs'");
  const alias = { isolog: join(repo, 'src/index.ts'), 'isolog/browser': join(repo, 'src/runtime/browser.ts') };
  const app = (await build({
    stdin: { contents: example.replace("'http://127.0.0.1:4318/v1/logs'", JSON.stringify(suite.collector.url)), resolveDir: repo, loader: 'ts', sourcefile: 'app.ts' },
    bundle: true, format: 'esm', target: 'es2022', write: false, alias, logLevel: 'warning',
  })).outputFiles[0].text;
  const worker = (await build({ entryPoints: [join(repo, 'src/runtime/worker.ts')], bundle: true, format: 'esm', target: 'es2022', write: false, logLevel: 'warning' })).outputFiles[0].text;
  const received: string[] = [];
  // the app at /app/main.js finds the worker beside it as dist/pipeline/page/ does; /api/pay is its server
  const server = createServer((req, res) => {
    if (req.url === '/api/pay') {
      received.push(String(req.headers.traceparent));
      return void res.end('paid');
    }
    if (req.url === '/app/main.js' || req.url === '/worker.js') {
      res.setHeader('content-type', 'text/javascript');
      return void res.end(req.url === '/worker.js' ? worker : app);
    }
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><meta charset="utf-8"><title>trace</title><button id="pay">Pay</button><script type="module" src="/app/main.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    // the button does something once startBrowserLogging has resolved
    await expect(async () => {
      await page.click('#pay');
      await expect.poll(() => received.length, { timeout: 1000 }).toBeGreaterThan(0);
    }).toPass({ timeout: 20_000 });
    const traceId = parseTraceparent(received[0])?.traceId;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await expect.poll(() => suite.collector.all().filter((r) => r.traceId === traceId).map((r) => r.message).sort(), { timeout: 20_000 })
      .toEqual(['paid: HTTP 200', 'pay clicked']);
    expect(errors).toEqual([]);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
