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

test('the core runs in a Service Worker', async ({ page }) => {
  await page.goto('/core-page.html');
  const reply = await page.evaluate(async () => {
    const timeout = new Promise((resolve) => setTimeout(() => resolve({ error: 'no answer in 10 s' }), 10_000));
    const answer = (async () => {
      await navigator.serviceWorker.register('/core-sw.js', { type: 'module', scope: '/' });
      const registration = await navigator.serviceWorker.ready;
      return new Promise((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => resolve(event.data);
        (registration.active as ServiceWorker).postMessage('run', [channel.port2]);
      });
    })();
    return Promise.race([answer, timeout]);
  });
  expect(reply).toEqual({ results: CORE_EXPECTED });
});
