import { expect, test } from '@playwright/test';
import { lossAndDuplicates, newRun, pipelineSuite } from './harness.js';

const suite = pipelineSuite();
const { open, expectAll } = suite;

test('delivers every record once, and flush() resolves after the collector acknowledged them', async ({ page }) => {
  await open(page);
  const run = newRun('basic');
  await page.evaluate((r) => window.isologTest.log(r, 0, 500), run);
  expect(await page.evaluate(() => window.isologTest.flush())).toBe('ok');
  expect(lossAndDuplicates(suite.collector.stored(run), 500)).toEqual({ missing: [], duplicates: 0, uidDuplicates: 0 });
  const stats = await page.evaluate(() => window.isologTest.stats());
  expect(stats).toMatchObject({ logged: 500, durable: 500, acknowledged: 500, durableStorage: true });
});

test('ships the records logged while startBrowserLogging still loads the pipeline and starts the worker, once each', async ({ page }) => {
  await page.goto('/pipeline.html');
  const run = newRun('starting');
  await page.evaluate(({ r, url }) => window.isologTest.startWhileLogging({ collector: url }, r, 0, 300), { r: run, url: suite.collector.url });
  await page.evaluate((r) => window.isologTest.log(r, 300, 400), run);
  expect(await page.evaluate(() => window.isologTest.flush())).toBe('ok');
  expect(lossAndDuplicates(suite.collector.stored(run), 400)).toEqual({ missing: [], duplicates: 0, uidDuplicates: 0 });
  expect(await page.evaluate(() => window.isologTest.stats())).toMatchObject({ logged: 400, acknowledged: 400 });
});

test('drops nothing while the collector refuses connections, then comes up', async ({ page }) => {
  await open(page);
  const run = newRun('refused');
  await suite.collector.down();
  await page.evaluate((r) => window.isologTest.log(r, 0, 300), run);
  await page.waitForTimeout(1500);
  expect(await page.evaluate(() => window.isologTest.flush(500))).toMatch(/flush timed out.*network/);
  await suite.collector.up();
  expect(await page.evaluate(() => window.isologTest.flush(30_000))).toBe('ok');
  await expectAll(run, 300);
  expect((await page.evaluate(() => window.isologTest.stats())).retries).toBeGreaterThan(0);
});

test('drops nothing when the collector answers 503 several times, then 200', async ({ page }) => {
  await open(page);
  const run = newRun('503');
  suite.collector.fault = { kind: 'status', status: 503, times: 3, match: run };
  await page.evaluate((r) => window.isologTest.log(r, 0, 200), run);
  expect(await page.evaluate(() => window.isologTest.flush(30_000))).toBe('ok');
  await expectAll(run, 200);
  expect((await page.evaluate(() => window.isologTest.stats())).retries).toBeGreaterThanOrEqual(3);
});

test('waits as long as 429 Retry-After says, then delivers', async ({ page }) => {
  await open(page);
  const run = newRun('429');
  suite.collector.fault = { kind: 'status', status: 429, times: 1, retryAfter: '2', match: run };
  const started = Date.now();
  await page.evaluate((r) => window.isologTest.log(r, 0, 50), run);
  expect(await page.evaluate(() => window.isologTest.flush(30_000))).toBe('ok');
  expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  await expectAll(run, 50);
});

test('drops nothing while the browser is offline', async ({ page, context }) => {
  await open(page);
  const run = newRun('offline');
  await context.setOffline(true);
  await page.evaluate((r) => window.isologTest.log(r, 0, 200), run);
  await page.waitForTimeout(1500);
  await context.setOffline(false);
  expect(await page.evaluate(() => window.isologTest.flush(30_000))).toBe('ok');
  await expectAll(run, 200);
});

test('isolates a poison record answered 400: only it is dropped, and counted', async ({ page }) => {
  await open(page);
  const run = newRun('poison');
  suite.collector.fault = { kind: 'poison', marker: 'POISON-PILL' };
  await page.evaluate((r) => {
    window.isologTest.log(r, 0, 20);
    window.isologTest.logValue(r, 20, 'POISON-PILL');
    window.isologTest.log(r, 21, 40);
  }, run);
  expect(await page.evaluate(() => window.isologTest.flush(30_000))).toBe('FlushError: isolog: 1 record dropped (rejected: 1)');
  const stored = suite.collector.stored(run);
  expect(stored.map((r) => (r.attributes as { n: number }).n).sort((a, b) => a - b)).toEqual([...Array(40).keys()].filter((n) => n !== 20));
  expect((await page.evaluate(() => window.isologTest.stats())).dropped).toMatchObject({ rejected: 1 });
});

test('logs circular references, BigInt, an Error with a cause and a 1 MB string safely', async ({ page }) => {
  await open(page);
  const run = newRun('values');
  await page.evaluate((r) => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    window.isologTest.logValue(r, 0, circular);
    window.isologTest.logValue(r, 1, 12345678901234567890n);
    window.isologTest.logValue(r, 2, new Error('outer', { cause: new TypeError('inner') }));
    window.isologTest.logValue(r, 3, 'x'.repeat(1024 * 1024));
  }, run);
  expect(await page.evaluate(() => window.isologTest.flush(30_000))).toBe('ok');
  const byN = new Map(suite.collector.stored(run).map((rec) => [(rec.attributes as { n: number }).n, (rec.attributes as { value: unknown }).value]));
  expect(byN.get(0)).toEqual({ name: 'loop', self: '[Circular]' });
  expect(byN.get(1)).toBe('12345678901234567890');
  expect(byN.get(2)).toMatchObject({ name: 'Error', message: 'outer', cause: { name: 'TypeError', message: 'inner' } });
  expect(String(byN.get(3)).length).toBeLessThan(20_000);
  expect(String(byN.get(3))).toContain('more chars]');
});
