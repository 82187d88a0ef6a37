// The demo as an offline PWA (demo/server.mjs, demo/sw.ts): its Service Worker caches the app and is
// the listener of the pages it controls; logging offline and reloading offline work, and the records
// arrive once the network is back, after the page has closed.
import { expect, test } from '@playwright/test';
// @ts-expect-error demo/server.mjs is plain JavaScript without declarations
import { startDemo } from '../../demo/server.mjs';
import { FaultyCollector } from './harness.js';

let collector: FaultyCollector;
let demo: { url: string; close(): Promise<void> };
test.beforeAll(async () => {
  collector = await FaultyCollector.start();
  demo = await startDemo({ port: 0, collector: collector.url });
});
test.afterAll(async () => {
  await demo?.close();
  await collector?.close();
});

const records = (message: string) => collector.all().filter((r) => r.message === message && (r.resource as Record<string, unknown>)?.['service.name'] === 'isolog-demo');

test('the demo installs its Service Worker, reloads offline from its cache, and what was logged offline arrives once online', async ({ page, context }) => {
  test.setTimeout(90_000);
  const manifest = await (await fetch(new URL('/manifest.webmanifest', demo.url))).json() as { start_url: string; display: string; icons: unknown[] };
  expect(manifest).toMatchObject({ start_url: '/', display: 'standalone' });
  expect(manifest.icons.length).toBeGreaterThan(0);
  await page.goto(demo.url);
  // the first load runs on a dedicated worker; from the next one on the Service Worker controls the page
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
  });
  await page.reload();
  await expect.poll(() => records('demo loaded').filter((r) => (r.attributes as Record<string, unknown>).listener === 'service-worker').length, { timeout: 30_000 }).toBeGreaterThan(0);

  await context.setOffline(true);
  await page.reload();
  await expect(page.locator('#log')).toBeVisible();
  await page.click('#log');
  await page.click('#log');
  await expect(page.locator('#out')).toContainText('Logged 2');
  // the Service Worker stores the page's batches as they come; a moment for the last one
  await page.waitForTimeout(500);
  await page.close();
  expect(records('button clicked 2 times')).toHaveLength(0);

  await context.setOffline(false);
  await expect.poll(() => records('button clicked 2 times').length, { timeout: 30_000 }).toBe(1);
  expect(records('button clicked 1 time').length).toBe(1);
  // the page loaded offline said so, and its record came through as well
  expect(records('demo loaded').filter((r) => (r.attributes as Record<string, unknown>).online === false)).toHaveLength(1);
});
