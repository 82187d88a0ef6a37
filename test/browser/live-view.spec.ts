import { expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector, type Collector } from '../../src/collector/index.js';
import type { PlainRecord } from '../../src/core/fields.js';
import { encodeRecords } from '../../src/transport/otlp.js';

let collector: Collector;
test.beforeAll(async () => {
  collector = await startCollector({ port: 0, rate: 0, dir: mkdtempSync(join(tmpdir(), 'isolog-live-')) });
});
test.afterAll(async () => { await collector.close(); });

let n = 0;
// every record in one minute, so the per-minute counts have one row to read
const minuteStart = Date.UTC(2026, 10, 22, 10, 20, 0) / 1000;
function record(name: string, levelno: number, levelname: string, message: string): PlainRecord {
  return { name, levelno, levelname, created: minuteStart + n, uid: `live-${process.pid}-${n++}`, msg: message, exc_text: null, stack_info: null };
}

async function send(records: PlainRecord[]): Promise<void> {
  const res = await fetch(`${collector.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(encodeRecords(records)) });
  expect(res.status).toBe(200);
}

test('the live view streams records and filters them by level, logger and text', async ({ page }) => {
  await send([record('shop.cart', 20, 'INFO', 'cart opened before the page')]);
  await page.goto(`${collector.url}/`);
  await expect(page.locator('#status')).toHaveText('live');
  await expect(page.locator('#records .r')).toHaveCount(1);
  await send([
    record('shop.cart', 10, 'DEBUG', 'cart debug'),
    record('shop.pay', 40, 'ERROR', 'card declined <b>bold?</b>'),
    record('auth', 30, 'WARNING', 'slow login'),
  ]);
  await expect(page.locator('#records .r')).toHaveCount(4);
  await expect(page.locator('#records b')).toHaveCount(0);

  await page.selectOption('#level', '30');
  await expect(page.locator('#records .r')).toHaveCount(2);
  await page.fill('#logger', 'shop');
  await expect(page.locator('#records .r')).toHaveCount(1);
  await expect(page.locator('#records .r').first()).toContainText('card declined <b>bold?</b>');
  await page.selectOption('#level', '0');
  await page.fill('#logger', '');
  await page.fill('#search', 'slow');
  await expect(page.locator('#records .r')).toHaveCount(1);
  await expect(page.locator('#records .r').first()).toContainText('auth: slow login');

  const row = page.locator('#counts tbody tr').first();
  await expect(row.locator('td').nth(1)).toHaveText('1');
  await expect(row.locator('td').nth(2)).toHaveText('1');
  await expect(row.locator('td').nth(3)).toHaveText('1');
  await expect(row.locator('td').nth(4)).toHaveText('1');
});

test('the live view has an icon, and its content security policy lets it load', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  await page.goto(`${collector.url}/`);
  // an image from the icon's address is checked against the same img-src as the tab's icon
  const width = await page.evaluate(() => new Promise<number>((resolve) => {
    const img = new Image();
    img.onload = () => resolve(img.naturalWidth);
    img.onerror = () => resolve(-1);
    img.src = (document.querySelector('link[rel="icon"]') as HTMLLinkElement).href;
  }));
  expect(width).toBe(16);
  expect(violations).toEqual([]);
});

test('the live view of a collector with a token takes it as ?token= and streams with it', async ({ page }) => {
  const guarded = await startCollector({ port: 0, rate: 0, token: 'view-t0k', dir: mkdtempSync(join(tmpdir(), 'isolog-live-')) });
  try {
    const res = await fetch(`${guarded.url}/v1/logs`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer view-t0k' },
      body: JSON.stringify(encodeRecords([record('shop.cart', 20, 'INFO', 'seen with the token')])),
    });
    expect(res.status).toBe(200);
    expect((await page.goto(`${guarded.url}/`))?.status()).toBe(401);
    await page.goto(`${guarded.url}/?token=view-t0k`);
    await expect(page.locator('#status')).toHaveText('live');
    await expect(page.locator('#records .r')).toHaveCount(1);
    await expect(page.locator('#records .r').first()).toContainText('seen with the token');
  } finally {
    await guarded.close();
  }
});

test('the live view sets the levels the collector gives its clients, and shows a refusal with its reason', async ({ page }) => {
  const guarded = await startCollector({ port: 0, rate: 0, token: 'lv-t0k', dir: mkdtempSync(join(tmpdir(), 'isolog-live-')) });
  try {
    await page.goto(`${guarded.url}/?token=lv-t0k`);
    await expect(page.locator('#levels')).toHaveText('none set');
    await page.fill('#level-logger', 'shop.cart');
    await page.selectOption('#level-value', 'DEBUG');
    await page.click('#levels-form button');
    await expect(page.locator('#level-result')).toHaveText('set (version 1)');
    await expect(page.locator('#levels')).toHaveText('shop.cart=DEBUG');
    const served = await fetch(`${guarded.url}/v1/levels`, { headers: { authorization: 'Bearer lv-t0k' } });
    expect(await served.json()).toEqual({ version: 1, levels: { 'shop.cart': 'DEBUG' } });
    await page.fill('#level-logger', 'shop..cart');
    await page.click('#levels-form button');
    await expect(page.locator('#level-result')).toHaveText('refused: "shop..cart": not a logger name (dots separate its parts)');
    await page.fill('#level-logger', 'shop.cart');
    await page.selectOption('#level-value', '');
    await page.click('#levels-form button');
    await expect(page.locator('#levels')).toHaveText('none set');
  } finally {
    await guarded.close();
  }
});
