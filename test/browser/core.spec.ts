import { expect, test } from '@playwright/test';
import { CORE_EXPECTED } from '../runtime/core-checks.js';

test('the core runs in a Chromium page', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('/core-page.html');
  const results = await page.evaluate(() => window.coreResults);
  expect(results).toEqual(CORE_EXPECTED);
  expect(errors).toEqual([]);
});

test('the core runs in a module Web Worker', async ({ page }) => {
  await page.goto('/core-page.html');
  const reply = await page.evaluate(() => new Promise((resolve) => {
    const worker = new Worker('/core-worker.js', { type: 'module' });
    worker.onmessage = (event) => resolve(event.data);
    worker.onerror = (event) => resolve({ error: event.message });
  }));
  expect(reply).toEqual({ results: CORE_EXPECTED });
});
