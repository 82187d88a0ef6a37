import { chromium, expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumLaunchOptions } from './chromium-options.js';
import { newRun, PAGE_ORIGIN, pipelineSuite } from './harness.js';

const suite = pipelineSuite();
const { expectAll } = suite;

test('the queue survives a browser restart (persistent profile)', async () => {
  const profile = mkdtempSync(join(tmpdir(), 'isolog-profile-'));
  const run = newRun('restart');
  await suite.collector.down();
  const first = await chromium.launchPersistentContext(profile, chromiumLaunchOptions);
  const page = await first.newPage();
  await page.goto(`${PAGE_ORIGIN}/pipeline.html`);
  await page.evaluate((url) => window.isologTest.start({ collector: url } as never), suite.collector.url);
  await page.evaluate((r) => window.isologTest.log(r, 0, 250), run);
  await expect.poll(() => page.evaluate(() => window.isologTest.stats().then((s) => s.durable))).toBe(250);
  await first.close();
  expect(suite.collector.stored(run)).toHaveLength(0);

  await suite.collector.up();
  const second = await chromium.launchPersistentContext(profile, chromiumLaunchOptions);
  const again = await second.newPage();
  await again.goto(`${PAGE_ORIGIN}/pipeline.html`);
  await again.evaluate((url) => window.isologTest.start({ collector: url } as never), suite.collector.url);
  await expectAll(run, 250);
  await second.close();
});

test("sets the root logger to INFO by default (Python's WARNING would drop info()), to level when given, and not at all with level null", async ({ page }) => {
  await page.goto('/pipeline.html');
  expect(await page.evaluate(() => window.isologTest.rootLevel())).toBe(30);
  await page.evaluate((url) => window.isologTest.start({ collector: url } as never), suite.collector.url);
  expect(await page.evaluate(() => window.isologTest.rootLevel())).toBe(20);
  const run = newRun('level');
  await page.evaluate((r) => window.isologTest.log(r, 0, 3), run);
  await expectAll(run, 3);

  await page.goto('/pipeline.html');
  await page.evaluate(() => window.isologTest.rootLevel(40));
  await page.evaluate((url) => window.isologTest.start({ collector: url, level: null } as never), suite.collector.url);
  expect(await page.evaluate(() => window.isologTest.rootLevel())).toBe(40);

  await page.goto('/pipeline.html');
  await page.evaluate((url) => window.isologTest.start({ collector: url, level: 'DEBUG' } as never), suite.collector.url);
  expect(await page.evaluate(() => window.isologTest.rootLevel())).toBe(10);
});

test('with workers forbidden by CSP the page stores and sends itself, and says so once', async ({ page }) => {
  await page.goto('/pipeline.html?csp=no-worker');
  await page.evaluate((url) => window.isologTest.start({ collector: url, send: { retryBaseMs: 100 } } as never), suite.collector.url);
  const run = newRun('csp');
  await page.evaluate((r) => window.isologTest.log(r, 0, 150), run);
  expect(await page.evaluate(() => window.isologTest.flush(30_000))).toBe('ok');
  await expectAll(run, 150);
  const errors = await page.evaluate(() => window.isologTest.errors);
  expect(errors.filter((e) => e.includes('no worker'))).toHaveLength(1);
  expect(await page.evaluate(() => window.isologTest.stats().then((s) => s.durableStorage))).toBe(true);
});

test('a worker URL that does not load: the page names it and what to pass, then stores and sends itself', async ({ page }) => {
  await page.goto('/pipeline.html');
  await page.evaluate((url) => window.isologTest.start({ collector: url, workerUrl: '/no-such-worker.js', send: { retryBaseMs: 100 } } as never), suite.collector.url);
  const run = newRun('no-worker-url');
  await page.evaluate((r) => window.isologTest.log(r, 0, 20), run);
  expect(await page.evaluate(() => window.isologTest.flush(30_000))).toBe('ok');
  await expectAll(run, 20);
  const errors = await page.evaluate(() => window.isologTest.errors);
  expect(errors.filter((e) => e.includes(`no worker (${PAGE_ORIGIN}/no-such-worker.js failed to load; serve isolog's dist/worker.js there, or pass workerUrl or createWorker)`))).toHaveLength(1);
});

test('uncaught errors and unhandled rejections become ERROR records with stacks and causes', async ({ page }) => {
  await page.goto('/pipeline.html');
  await page.evaluate((url) => window.isologTest.start({ collector: url } as never), suite.collector.url);
  const marker = newRun('uncaught');
  await page.evaluate((m) => {
    setTimeout(() => { throw new Error(`boom ${m}`, { cause: new RangeError('root cause') }); });
    void Promise.reject(new TypeError(`rejected ${m}`));
  }, marker);
  await page.waitForTimeout(200);
  expect(await page.evaluate(() => window.isologTest.flush(30_000))).toBe('ok');
  const records = suite.collector.all().filter((r) => String(r.message).includes(marker));
  const uncaught = records.find((r) => String(r.message).startsWith('Uncaught'));
  const rejected = records.find((r) => String(r.message).startsWith('Unhandled promise rejection'));
  expect(uncaught).toMatchObject({ level: 40, logger: 'window' });
  expect(String(uncaught?.exception)).toContain('RangeError: root cause');
  expect(String(uncaught?.exception)).toContain('The above exception was the direct cause');
  expect(rejected).toMatchObject({ level: 40, logger: 'window' });
  expect(String(rejected?.exception)).toContain(`TypeError: rejected ${marker}`);
});

test('values under keys like password, token and authorization are masked before they leave the page', async ({ page }) => {
  await page.goto('/pipeline.html');
  await page.evaluate((url) => window.isologTest.start({ collector: url, storage: { database: 'isolog-redact' } } as never), suite.collector.url);
  // the collector is down, so the batches stay in IndexedDB, where the test reads them
  await suite.collector.down();
  const run = newRun('redact');
  await page.evaluate((r) => {
    window.isologTest.log(r, 0, 1, { password: 'hunter2', user: 'ann', headers: { Authorization: 'Bearer abc', accept: 'json' }, apiKey: 'k' });
    window.isologTest.logArgs('login %(user)s with %(password)s ' + r, { user: 'bob', password: 'hunter3' });
    window.isologTest.logArgs('form %s ' + r, { user: 'cy', token: 'hunter4', nested: [{ secret: 'hunter5' }] });
  }, run);
  await expect.poll(async () => (await page.evaluate(() => window.isologTest.stats())).durable).toBeGreaterThanOrEqual(3);
  const atRest = await page.evaluate(() => window.isologTest.storedText('isolog-redact'));
  expect(atRest).toContain(run);
  expect(atRest).not.toMatch(/hunter|Bearer abc/);
  await suite.collector.up();
  expect(await page.evaluate(() => window.isologTest.flush(30_000))).toBe('ok');
  const stored = suite.collector.all().filter((r) => String(r.message).includes(run));
  expect(stored).toHaveLength(3);
  expect(stored.find((r) => r.attributes && (r.attributes as { n?: number }).n === 0)?.attributes).toMatchObject({ password: '[REDACTED]', user: 'ann', headers: { Authorization: '[REDACTED]', accept: 'json' }, apiKey: '[REDACTED]' });
  const messages = stored.map((r) => String(r.message));
  expect(messages).toContain(`login bob with [REDACTED] ${run}`);
  expect(messages).toContain(`form {'user': 'cy', 'token': '[REDACTED]', 'nested': [{'secret': '[REDACTED]'}]} ${run}`);
  expect(JSON.stringify(stored)).not.toMatch(/hunter|Bearer abc/);
});
