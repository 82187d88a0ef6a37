// startBrowserLogging({ sampling }) in Chromium: whole traces kept by their id, the rest counted and said.
import { expect, test } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector, type Collector } from '../../src/collector/index.js';
import { PAGE_ORIGIN } from './harness.js';

let collector: Collector;
let dir: string;
test.beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isolog-sampling-'));
  collector = await startCollector({ port: 0, rate: 0, dir, cors: [PAGE_ORIGIN] });
});
test.afterEach(async () => { await collector.close(); });

type Stored = { logger: string; message: string; traceId?: string; attributes: Record<string, unknown> };
const stored = (): Stored[] => {
  const file = join(dir, 'isolog.ndjson');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
};

test('a sampled page keeps whole traces by their id and reports what it suppressed', async ({ page }) => {
  await page.goto('/levels.html');
  await page.evaluate((url) => window.levelsTest.startSampled({ collector: url }, { rules: { 'shop.metrics': { sample: 0.25 } } }), `${collector.url}/v1/logs`);
  const ids = await page.evaluate(() => window.levelsTest.logTraced('shop.metrics', 40, 3));
  await page.evaluate(() => window.levelsTest.log('shop.cart', 20, 'not sampled'));
  await page.evaluate(() => window.levelsTest.stop());
  const wanted = ids.filter((id) => parseInt(id.slice(0, 8), 16) < 0.25 * 2 ** 32);
  const steps = stored().filter((r) => r.logger === 'shop.metrics');
  expect([...new Set(steps.map((r) => r.traceId))].sort()).toEqual([...wanted].sort());
  expect(steps).toHaveLength(wanted.length * 3);
  expect(stored().some((r) => r.message === 'not sampled')).toBe(true);
  // stop() says what the window had suppressed so far
  const reports = stored().filter((r) => r.logger === 'isolog.sampling');
  expect(reports.map((r) => r.attributes.suppressed)).toEqual([3 * (40 - wanted.length)]);
});

test('a sampled page says in a WARNING how many records each rule suppressed', async ({ page }) => {
  await page.goto('/levels.html');
  await page.evaluate((url) => window.levelsTest.startSampled({ collector: url }, { rules: { 'shop.api': { rate: 5, burst: 5 } }, windowSeconds: 0.2 }), `${collector.url}/v1/logs`);
  await page.evaluate(() => { for (let i = 0; i < 30; i++) window.levelsTest.log('shop.api', 20, `hit ${i}`); });
  // the report comes from the window's timer, or with the first record after it
  await expect.poll(async () => {
    await page.evaluate(() => window.levelsTest.flush());
    return stored().filter((r) => r.logger === 'isolog.sampling').length;
  }, { timeout: 10_000 }).toBeGreaterThan(0);
  await page.evaluate(() => window.levelsTest.stop());
  const hits = stored().filter((r) => r.logger === 'shop.api');
  const reports = stored().filter((r) => r.logger === 'isolog.sampling');
  expect(hits.length + reports.reduce((n, r) => n + (r.attributes.suppressed as number), 0)).toBe(30);
  expect(reports[0].message).toMatch(/^suppressed \d+ records from shop\.api in the last \d+ s \(\d+ over 5\/s\)$/);
});
