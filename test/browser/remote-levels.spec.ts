// Levels set remotely reach a page in Chromium: `isolog levels`' PUT applied with setLevel by a
// page started with remoteLevels, its records at the new level shipped; a bad change refused.
import { expect, test } from '@playwright/test';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector, type Collector } from '../../src/collector/index.js';
import { PAGE_ORIGIN } from './harness.js';

const TOKEN = 'levels-page';
let collector: Collector;
let dir: string;
test.beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isolog-levels-'));
  collector = await startCollector({ port: 0, rate: 0, dir, token: TOKEN, cors: [PAGE_ORIGIN] });
});
test.afterEach(async () => { await collector.close(); });

const put = (levels: Record<string, string | null>) => fetch(`${collector.url}/v1/levels`, {
  method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ levels }),
});

function stored(): { logger: string; message: string; levelname: string }[] {
  const file = join(dir, 'isolog.ndjson');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

for (const transport of ['fetch', 'websocket'] as const) {
  test(`a level set on the collector reaches a running page (${transport} transport) and its records follow it`, async ({ page }) => {
    await page.goto('/levels.html');
    const url = transport === 'fetch' ? `${collector.url}/v1/logs` : `${collector.url.replace('http', 'ws')}/v1/logs`;
    await page.evaluate(([u, t, token]) => window.levelsTest.start({ collector: u, transport: t, token, remoteLevels: { intervalMs: 200 } }), [url, transport, TOKEN] as const);
    await page.evaluate(() => window.levelsTest.log('shop.cart', 10, 'debug before'));
    expect((await put({ 'shop.cart': 'DEBUG' })).status).toBe(200);
    await expect.poll(() => page.evaluate(() => window.levelsTest.levelOf('shop.cart')), { timeout: 10_000 }).toBe(10);
    await page.evaluate(() => window.levelsTest.log('shop.cart', 10, 'debug after'));
    // a bad change is refused at the collector, and the page keeps what it has
    const bad = await put({ 'shop.cart': 'debug' });
    expect(bad.status).toBe(400);
    await page.evaluate(() => window.levelsTest.flush());
    expect(await page.evaluate(() => window.levelsTest.levelOf('shop.cart'))).toBe(10);
    const messages = stored().map((r) => `${r.logger} ${r.levelname} ${r.message}`);
    expect(messages).toContain('shop.cart DEBUG debug after');
    expect(messages).not.toContain('shop.cart DEBUG debug before');
    expect(messages).toContain('isolog.levels INFO levels from the collector (version 1): set shop.cart=DEBUG');
    // removed: the logger's own level back
    await put({ 'shop.cart': null });
    await expect.poll(() => page.evaluate(() => window.levelsTest.levelOf('shop.cart')), { timeout: 10_000 }).toBe(0);
    await page.evaluate(() => window.levelsTest.stop());
    expect(await page.evaluate(() => window.levelsTest.errors)).toEqual([]);
  });
}

test('a page without remoteLevels never asks for them', async ({ page }) => {
  await put({ 'shop.cart': 'DEBUG' });
  const asked: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/v1/levels')) asked.push(r.url()); });
  await page.goto('/levels.html');
  await page.evaluate(([u, token]) => window.levelsTest.start({ collector: u, token }), [`${collector.url}/v1/logs`, TOKEN] as const);
  await page.evaluate(() => window.levelsTest.log('shop.cart', 20, 'info'));
  await page.evaluate(() => window.levelsTest.flush());
  expect(asked).toEqual([]);
  expect(await page.evaluate(() => window.levelsTest.levelOf('shop.cart'))).toBe(0);
  await page.evaluate(() => window.levelsTest.stop());
});
