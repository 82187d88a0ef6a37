// The faults of "Nothing lost, nothing twice", each in Chromium against the real collector, counting
// records by uid: none lost beyond the drops that were counted and reported, none stored twice.
import { expect, test } from '@playwright/test';
import { lossAndDuplicates, newRun, PAGE_ORIGIN, pipelineSuite } from './harness.js';

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
