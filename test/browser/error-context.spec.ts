// The page's error context in Chromium: quiet records wait in the worker's IndexedDB ring and reach
// the collector only with an error, once, marked as its context; a closed tab still ships them.
import { expect, test } from '@playwright/test';
import { newRun, pipelineSuite } from './harness.js';

const suite = pipelineSuite();
const { open } = suite;

type Stored = { message: string; levelname: string; uid: string; attributes: { n: number; contextOf?: string; contextRecords?: number } };
const stored = (run: string): Stored[] => suite.collector.stored(run) as unknown as Stored[];

test('quiet records ship only with an error, each once, marked as its context; loud ones go at once', async ({ page }) => {
  await open(page, { errorContext: true });
  const run = newRun('context');
  await page.evaluate((r) => { window.isologTest.log(r, 0, 5); window.isologTest.logValue(r, 50, 'loud'); }, run);
  expect(await page.evaluate(() => window.isologTest.flush())).toBe('ok');
  // the WARNING went; the five INFO records wait
  await expect.poll(() => stored(run).length).toBe(1);
  expect(stored(run)[0].levelname).toBe('WARNING');
  await page.evaluate((r) => window.isologTest.logException(r, 100, new Error('boom')), run);
  expect(await page.evaluate(() => window.isologTest.flush())).toBe('ok');
  await expect.poll(() => stored(run).length).toBe(7);
  const error = stored(run).find((r) => r.attributes.n === 100) as Stored;
  expect(error.attributes.contextRecords).toBe(5);
  const context = stored(run).filter((r) => r.levelname === 'INFO');
  expect(context.map((r) => r.attributes.n).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
  expect(context.every((r) => r.attributes.contextOf === error.uid)).toBe(true);
  // the next error ships only what came since (in its own batch: those never waited in the ring)
  await page.evaluate((r) => { window.isologTest.log(r, 5, 7); window.isologTest.logException(r, 101, new Error('again')); }, run);
  expect(await page.evaluate(() => window.isologTest.flush())).toBe('ok');
  await expect.poll(() => stored(run).length).toBe(10);
  const second = stored(run).find((r) => r.attributes.n === 101) as Stored;
  expect(stored(run).filter((r) => r.attributes.contextOf === second.uid).map((r) => r.attributes.n).sort()).toEqual([5, 6]);
  expect(new Set(stored(run).map((r) => r.uid)).size).toBe(10);
  expect((await page.evaluate(() => window.isologTest.stats())).context).toEqual({ kept: 5, shipped: 7, agedOut: 0, pushedOut: 0 });
});

test('the tab closed right after an error, the collector down: the next tab ships the error with its context', async ({ context }) => {
  const page = await context.newPage();
  await open(page, { errorContext: true });
  const run = newRun('crash');
  await suite.collector.down();
  await page.evaluate((r) => { window.isologTest.log(r, 0, 4); }, run);
  await page.evaluate((r) => window.isologTest.logException(r, 10, new Error('boom')), run);
  // the worker has stored the error and its context in its queue
  await expect.poll(() => page.evaluate(() => window.isologTest.stats()).then((s) => s.durable)).toBe(5);
  await page.close({ runBeforeUnload: false });
  await suite.collector.up();
  const next = await context.newPage();
  await open(next, { errorContext: true });
  await expect.poll(() => stored(run).length, { timeout: 30_000 }).toBe(5);
  const error = stored(run).find((r) => r.attributes.n === 10) as Stored;
  expect(stored(run).filter((r) => r.attributes.contextOf === error.uid)).toHaveLength(4);
});

test('the ring keeps `capacity` records and drops what is older than maxAgeSeconds, counted', async ({ page }) => {
  await open(page, { errorContext: { capacity: 3, maxAgeSeconds: 0.5 } });
  const run = newRun('ring');
  await page.evaluate((r) => window.isologTest.log(r, 0, 4), run);
  expect(await page.evaluate(() => window.isologTest.flush())).toBe('ok');
  // past the age: the next quiet record pushes the four out as too old
  await page.waitForTimeout(700);
  await page.evaluate((r) => window.isologTest.log(r, 4, 9), run);
  expect(await page.evaluate(() => window.isologTest.flush())).toBe('ok');
  await page.evaluate((r) => window.isologTest.logException(r, 100, new Error('boom')), run);
  expect(await page.evaluate(() => window.isologTest.flush())).toBe('ok');
  await expect.poll(() => stored(run).length).toBe(4);
  expect(stored(run).filter((r) => r.levelname === 'INFO').map((r) => r.attributes.n).sort()).toEqual([6, 7, 8]);
  expect((await page.evaluate(() => window.isologTest.stats())).context).toEqual({ kept: 9, shipped: 3, agedOut: 4, pushedOut: 2 });
});

test('errorContext with a level above the trigger is refused with the reason', async ({ page }) => {
  await page.goto('/pipeline.html');
  const error = await page.evaluate((url) => window.isologTest.start({ collector: url, errorContext: { passLevel: 'CRITICAL', triggerLevel: 'ERROR' } }).then(() => 'started', (e: Error) => e.message), suite.collector.url);
  expect(error).toBe('errorContext.passLevel (50) must not be above triggerLevel (40)');
});
