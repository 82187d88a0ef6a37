// The faults of "Nothing lost, nothing twice", each in Chromium against the real collector, counting
// records by uid: none lost beyond the drops that were counted and reported, none stored twice.
import { expect, test } from '@playwright/test';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { expectSentByBeacon, lossAndDuplicates, newRun, PAGE_ORIGIN, pipelineSuite, withoutKeepaliveFetch } from './harness.js';

const suite = pipelineSuite();
const { open } = suite;

test('under a 1 MiB IndexedDB quota with the collector down, the oldest records are dropped just enough, counted, told in a WARNING that arrives, and by flush()', async ({ page }) => {
  await open(page);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: PAGE_ORIGIN, quotaSize: 1024 * 1024 });
  const run = newRun('quota');
  await suite.collector.down();
  // in one task: 30 batches of 1,000 reach the worker together, more than the quota holds even when empty
  await page.evaluate((r) => window.isologTest.logPadded(r, 0, 30_000, 100), run);
  await expect.poll(() => page.evaluate(() => window.isologTest.stats().then((s) => s.durable)), { timeout: 30_000 }).toBe(30_000);
  await suite.collector.up();
  const first = await page.evaluate(() => window.isologTest.flush(60_000));
  const stats = await page.evaluate(() => window.isologTest.stats());
  const dropped = stats.dropped.quota ?? 0;
  const stored = suite.collector.stored(run);
  // every record is stored once or counted as dropped, never both
  expect(lossAndDuplicates(stored, 0)).toMatchObject({ duplicates: 0, uidDuplicates: 0 });
  expect(stored.length + dropped).toBe(30_000);
  // the oldest went first, and only as many as the quota needed: about 1 MiB of records is left
  const ns = stored.map((r) => (r.attributes as { n: number }).n).sort((a, b) => a - b);
  expect(ns[0]).toBe(30_000 - stored.length);
  expect(stored.length).toBeGreaterThanOrEqual(5000);
  // the WARNING records that say so arrived, and add up to the count
  const warnings = suite.collector.all().filter((r) => r.logger === 'isolog' && String(r.message).startsWith('isolog dropped'));
  expect(warnings.reduce((n, w) => n + (w.attributes as { dropped: number }).dropped, 0)).toBe(dropped);
  expect(String(warnings[0]?.message)).toMatch(/^isolog dropped \d+ records: storage was full \(QuotaExceededError/);
  // flush() did not claim a delivery that did not happen; it tells each drop once
  expect(first).toBe(`FlushError: isolog: ${dropped} records dropped (quota: ${dropped})`);
  expect(await page.evaluate(() => window.isologTest.flush(10_000))).toBe('ok');
  expect((await page.evaluate(() => window.isologTest.errors)).filter((e) => e.includes('storage was full'))).toHaveLength(1);
});

test('under the quota with a slow collector, a batch on its way is not dropped: no record is both stored and counted as dropped', async ({ page }) => {
  await open(page);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: PAGE_ORIGIN, quotaSize: 1024 * 1024 });
  const run = newRun('quota-slow');
  // the first batch stored goes out at once and stays in flight while the rest make room
  suite.collector.fault = { kind: 'delay', ms: 3000 };
  await page.evaluate((r) => window.isologTest.logPadded(r, 0, 30_000, 100), run);
  const flushed = await page.evaluate(() => window.isologTest.flush(60_000));
  const dropped = (await page.evaluate(() => window.isologTest.stats())).dropped.quota ?? 0;
  expect(dropped).toBeGreaterThan(0);
  expect(flushed).toBe(`FlushError: isolog: ${dropped} records dropped (quota: ${dropped})`);
  const stored = suite.collector.stored(run);
  expect(lossAndDuplicates(stored, 0)).toMatchObject({ duplicates: 0, uidDuplicates: 0 });
  expect(stored.length + dropped).toBe(30_000);
});

test('a worker that keeps refusing: the page offers the batches again, then delivers them itself, and flush() resolves only once they went', async ({ page }) => {
  await page.goto('/pipeline.html');
  await page.evaluate((url) => window.isologTest.start({ collector: url, send: { retryBaseMs: 100 } } as never, { workerUrl: '/refusing-worker.js' }), suite.collector.url);
  const run = newRun('refusing');
  await page.evaluate((r) => window.isologTest.log(r, 0, 50), run);
  expect(await page.evaluate(() => window.isologTest.flush(30_000))).toBe('ok');
  // flush() resolved: they are stored now, each once
  expect(lossAndDuplicates(suite.collector.stored(run), 50)).toEqual({ missing: [], duplicates: 0, uidDuplicates: 0 });
  expect(await page.evaluate(() => window.isologTest.stats())).toMatchObject({ acknowledged: 50 });
  expect(await page.evaluate(() => window.isologTest.errors.filter((e) => e.includes('could not store')).length)).toBe(1);
});

test('flush() rejects with the count when neither the worker nor the collector takes the records, and resolves once they went', async ({ page }) => {
  await page.goto('/pipeline.html');
  await page.evaluate((url) => window.isologTest.start({ collector: url, send: { retryBaseMs: 100 } } as never, { workerUrl: '/refusing-worker.js' }), suite.collector.url);
  const run = newRun('refusing-down');
  await suite.collector.down();
  await page.evaluate((r) => window.isologTest.log(r, 0, 50), run);
  expect(await page.evaluate(() => window.isologTest.flush(4000))).toBe('FlushError: isolog: flush timed out after 4000 ms with 50 records not delivered');
  await suite.collector.up();
  expect(await page.evaluate(() => window.isologTest.flush(60_000))).toBe('ok');
  expect(lossAndDuplicates(suite.collector.stored(run), 50)).toEqual({ missing: [], duplicates: 0, uidDuplicates: 0 });
});

test('a 200 whose partialSuccess rejected records: they are counted as dropped with the collector\'s reason, reported, and flush() says so', async ({ page }) => {
  await open(page);
  const run = newRun('partial');
  suite.collector.fault = { kind: 'reject', marker: `REJECT-${run}` };
  await page.evaluate((r) => {
    window.isologTest.log(r, 0, 10);
    window.isologTest.log(r, 10, 13, { flag: `REJECT-${r}` });
    window.isologTest.log(r, 13, 20);
  }, run);
  expect(await page.evaluate(() => window.isologTest.flush(30_000))).toBe('FlushError: isolog: 3 records dropped (rejected: 3)');
  expect(lossAndDuplicates(suite.collector.stored(run), 20)).toEqual({ missing: [10, 11, 12], duplicates: 0, uidDuplicates: 0 });
  const stats = await page.evaluate(() => window.isologTest.stats());
  expect(stats.dropped).toEqual({ rejected: 3 });
  expect(stats.acknowledged).toBe(17);
  const reason = /rejected 3 of them: timeUnixNano is not a number of nanoseconds/;
  expect(stats.lastError).toMatch(reason);
  expect((await page.evaluate(() => window.isologTest.errors)).filter((e) => reason.test(e))).toHaveLength(1);
});

test('a WebSocket ack with partialSuccess: the rejected records are counted as dropped, with the reason', async ({ page }) => {
  // a collector that acks every batch and says it rejected all of its records
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { batchId: string; resourceLogs: { scopeLogs: { logRecords: unknown[] }[] }[] };
    const count = message.resourceLogs.flatMap((rl) => rl.scopeLogs).reduce((n, sl) => n + sl.logRecords.length, 0);
    socket.send(JSON.stringify({ ack: message.batchId, partialSuccess: { rejectedLogRecords: String(count), errorMessage: 'no room for these' } }));
  }));
  try {
    await open(page, { collector: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/logs`, transport: 'websocket' });
    const run = newRun('ws-partial');
    await page.evaluate((r) => window.isologTest.log(r, 0, 5), run);
    expect(await page.evaluate(() => window.isologTest.flush(30_000))).toBe('FlushError: isolog: 5 records dropped (rejected: 5)');
    const stats = await page.evaluate(() => window.isologTest.stats());
    expect(stats).toMatchObject({ dropped: { rejected: 5 }, acknowledged: 0 });
    expect(stats.lastError).toMatch(/rejected 5 of them: no room for these/);
  } finally {
    await page.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a page whose clock reads 1970 (fake timers at 0): its records go with the time the worker observed them, and all are stored', async ({ page }) => {
  // Date in the page only: the worker keeps the real clock
  await page.clock.setFixedTime(0);
  await open(page);
  expect(await page.evaluate(() => Date.now())).toBe(0);
  const run = newRun('clock-0');
  const before = Date.now();
  await page.evaluate((r) => window.isologTest.log(r, 0, 50), run);
  expect(await page.evaluate(() => window.isologTest.flush(30_000))).toBe('ok');
  await suite.expectAll(run, 50);
  for (const r of suite.collector.stored(run)) expect(Date.parse(String(r.time))).toBeGreaterThanOrEqual(before - 1000);
});

test('OTLP exception.type and exception.message name the error logged, not the oldest cause of its chain', async ({ page }) => {
  await open(page);
  suite.collector.capture = true;
  try {
    const run = newRun('exception');
    await page.evaluate((r) => {
      const t = window.isologTest;
      t.logException(r, 0, new TypeError('card declined', { cause: new Error('gateway 502') }));
      t.logException(r, 1, new AggregateError([new RangeError('a'), new Error('b', { cause: new Error('c') })], 'all failed', { cause: new Error('root') }));
      t.logException(r, 2, new Error('line one\nline two', { cause: new SyntaxError('bad input') }));
      // only the text, as a record whose exc_text was set elsewhere carries it
      t.logExcText(r, 3, 'Error: gateway 502\n    at a\n\nThe above exception was the direct cause of the following exception:\n\nTypeError: card declined\n    at b');
      t.logExcText(r, 4, 'Error: first\n\nDuring handling of the above exception, another exception occurred:\n\nKeyError: \'sku\'');
    }, run);
    expect(await page.evaluate(() => window.isologTest.flush(30_000))).toBe('ok');
    const byN = new Map(suite.collector.seen(run).map((s) => [s.attributes.n as number, s.attributes]));
    const fields = (n: number) => [byN.get(n)?.['exception.type'], byN.get(n)?.['exception.message']];
    expect(fields(0)).toEqual(['TypeError', 'card declined']);
    expect(fields(1)).toEqual(['AggregateError', 'all failed']);
    expect(fields(2)).toEqual(['Error', 'line one\nline two']);
    expect(fields(3)).toEqual(['TypeError', 'card declined']);
    expect(fields(4)).toEqual(['KeyError', "'sku'"]);
    // the text is the whole chain, oldest first, as before
    expect(String(byN.get(0)?.['exception.stacktrace'])).toMatch(/^Error: gateway 502[\s\S]*direct cause[\s\S]*TypeError: card declined/);
    // and each record is stored once
    expect(lossAndDuplicates(suite.collector.stored(run), 5)).toEqual({ missing: [], duplicates: 0, uidDuplicates: 0 });
  } finally {
    suite.collector.capture = false;
  }
});

test('a closing page sends what is not durable as OTLP JSON by fetch keepalive, its token as a header, and it arrives', async ({ context }) => {
  suite.collector.capture = true;
  try {
    const page = await context.newPage();
    await page.goto('/pipeline.html');
    // a worker that never stores: only what the page sends as it closes can arrive
    await page.evaluate((url) => window.isologTest.start({ collector: url, token: 'tok-leaving' } as never, { workerUrl: '/stuck-worker.js' }), suite.collector.url);
    const run = newRun('keepalive-json');
    await page.evaluate((r) => window.isologTest.log(r, 0, 100), run);
    await page.close({ runBeforeUnload: false });
    await suite.expectAll(run, 100, 10_000);
    const seen = suite.collector.seen(run);
    expect(new Set(seen.map((s) => s.headers['content-type']))).toEqual(new Set(['application/json']));
    expect(new Set(seen.map((s) => s.headers.authorization))).toEqual(new Set(['Bearer tok-leaving']));
    expect(seen.filter((s) => s.url.includes('token'))).toEqual([]);
  } finally {
    suite.collector.capture = false;
  }
});

test('where fetch cannot go keepalive, the closing page falls back to sendBeacon: text/plain, the token in the query', async ({ context }) => {
  suite.collector.capture = true;
  try {
    const page = await context.newPage();
    await withoutKeepaliveFetch(page);
    await page.goto('/pipeline.html');
    await page.evaluate((url) => window.isologTest.start({ collector: url, token: 'tok-leaving' } as never, { workerUrl: '/stuck-worker.js' }), suite.collector.url);
    const run = newRun('beacon-fallback');
    await page.evaluate((r) => window.isologTest.log(r, 0, 100), run);
    await page.close({ runBeforeUnload: false });
    await suite.expectAll(run, 100, 10_000);
    expectSentByBeacon(suite.collector, run, 'tok-leaving');
  } finally {
    suite.collector.capture = false;
  }
});
