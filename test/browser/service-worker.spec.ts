// isolog/service-worker in Chromium: the listener inside a Service Worker (pages/pipeline-sw.ts),
// against the real collector behind the fault proxy, every record counted by uid. The DevTools
// protocol stops the Service Worker and dispatches Background Sync events as the browser would.
import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { expectSentByBeacon, lossAndDuplicates, newRun, pipelineSuite, PAGE_ORIGIN, withoutKeepaliveFetch } from './harness.js';

const suite = pipelineSuite();

interface Version { versionId: string; registrationId: string; scriptURL: string; runningStatus: string; status: string }

/** The DevTools protocol's view of the origin's Service Workers: their latest versions, by id. */
async function serviceWorkers(page: Page): Promise<{ cdp: CDPSession; active(): Version; activated(): Promise<Version> }> {
  const cdp = await page.context().newCDPSession(page);
  const versions = new Map<string, Version>();
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions: updated }: { versions: Version[] }) => {
    for (const v of updated) versions.set(v.versionId, v);
  });
  await cdp.send('ServiceWorker.enable');
  const found = () => [...versions.values()].filter((v) => v.scriptURL.includes('/pipeline-sw.js') && v.status === 'activated');
  const active = (): Version => {
    const activated = found();
    if (activated.length === 0) throw new Error('no activated Service Worker seen');
    return activated[activated.length - 1];
  };
  return {
    cdp,
    active,
    /** active(), once the protocol has told of it (its first updates come after enable). */
    async activated() {
      await expect.poll(() => found().length).toBeGreaterThan(0);
      return active();
    },
  };
}

async function openWithServiceWorker(page: Page, query = ''): Promise<void> {
  await page.goto('/sw-page.html');
  await page.evaluate((q) => window.swTest.register(q), `collector=${encodeURIComponent(suite.collector.url)}${query}`);
}

const command = (page: Page, test: Record<string, unknown>): Promise<unknown> => page.evaluate((t) => window.swTest.command(t), test);

/** The test Service Worker's stats, with the events it saw and isolog's internal error reports. */
type SwStats = { seen: { sync: number; periodicsync: number; beaconsSeen: number; collectorRequests: number }; errors: string[]; durable: number };
const swStats = async (page: Page): Promise<SwStats> => (await command(page, { command: 'stats' })) as SwStats;

test('records logged in the Service Worker reach the collector exactly once', async ({ page }) => {
  await openWithServiceWorker(page);
  const run = newRun('sw-own');
  await command(page, { command: 'log', run, from: 0, to: 300 });
  await suite.expectAll(run, 300);
  expect(await command(page, { command: 'flush' })).toBe('flushed');
  expect(await command(page, { command: 'stats' })).toMatchObject({ logged: 300, durable: 300, acknowledged: 300, dropped: {} });
});

test('stop() in the Service Worker flushes first: everything logged before it is delivered, once', async ({ page }) => {
  await openWithServiceWorker(page);
  const run = newRun('sw-stop');
  await command(page, { command: 'log', run, from: 0, to: 100 });
  expect(await command(page, { command: 'stop' })).toBe('stopped');
  expect(lossAndDuplicates(suite.collector.stored(run), 100)).toEqual({ missing: [], duplicates: 0, uidDuplicates: 0 });
  expect(await command(page, { command: 'stats' })).toMatchObject({ acknowledged: 100, flushing: false });
});

test('logged offline in the Service Worker, the page closed: the Background Sync it registered delivers everything once online', async ({ page, context }) => {
  await openWithServiceWorker(page);
  const run = newRun('sw-sync');
  await context.setOffline(true);
  await command(page, { command: 'log', run, from: 0, to: 200 });
  await page.close();
  // Chromium holds a sync while the network is emulated offline, and fires it when it is back
  await context.setOffline(false);
  await suite.expectAll(run, 200);
  const next = await context.newPage();
  await next.goto('/sw-page.html');
  expect(((await command(next, { command: 'stats' })) as { seen: { sync: number } }).seen.sync).toBeGreaterThan(0);
});

test('a sync event dispatched through the DevTools protocol delivers what was logged offline, and nothing goes before it', async ({ page, context }) => {
  // no registration of its own (?sync=0): only the dispatched event flushes
  await openWithServiceWorker(page, '&sync=0');
  const { active } = await serviceWorkers(page);
  const run = newRun('sw-dispatched');
  await context.setOffline(true);
  await command(page, { command: 'log', run, from: 0, to: 200 });
  const { registrationId } = active();
  // a page outside the Service Worker's scope (about:blank) to speak the protocol: it makes no fetch event
  const other = await context.newPage();
  await page.close();
  await context.setOffline(false);
  const cdp = await other.context().newCDPSession(other);
  await cdp.send('ServiceWorker.enable');
  // online again, and no event: nothing is sent until the sync comes (a short look, not a timing)
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(suite.collector.stored(run)).toHaveLength(0);
  await cdp.send('ServiceWorker.dispatchSyncEvent', { origin: PAGE_ORIGIN, registrationId, tag: 'isolog-flush', lastChance: false });
  await suite.expectAll(run, 200);
});

test('a periodicsync event dispatched through the DevTools protocol flushes what was logged offline', async ({ page, context }) => {
  await openWithServiceWorker(page, '&sync=0');
  const { active } = await serviceWorkers(page);
  const run = newRun('sw-periodic');
  await context.setOffline(true);
  await command(page, { command: 'log', run, from: 0, to: 100 });
  const { registrationId } = active();
  const other = await context.newPage();
  await page.close();
  await context.setOffline(false);
  const cdp = await other.context().newCDPSession(other);
  await cdp.send('ServiceWorker.enable');
  expect(suite.collector.stored(run)).toHaveLength(0);
  await cdp.send('ServiceWorker.dispatchPeriodicSyncEvent', { origin: PAGE_ORIGIN, registrationId, tag: 'isolog-flush' });
  await suite.expectAll(run, 100);
});

/** Grants the page's origin Periodic Background Sync in the page's browser context, as installing the app does. */
async function grantPeriodicSync(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const { targetInfo } = await cdp.send('Target.getTargetInfo');
  await cdp.send('Browser.setPermission', { permission: { name: 'periodic-background-sync' }, setting: 'granted', origin: PAGE_ORIGIN, browserContextId: targetInfo.browserContextId });
}

const periodicTags = (page: Page): Promise<string[]> => page.evaluate(async () => {
  const registration = await navigator.serviceWorker.ready as ServiceWorkerRegistration & { periodicSync: { getTags(): Promise<string[]> } };
  return registration.periodicSync.getTags();
});

test('periodicSync where granted: registered in the first activate and again when the Service Worker restarts, and its event delivers what was logged offline', async ({ page, context }) => {
  await grantPeriodicSync(page);
  await openWithServiceWorker(page, '&sync=0&periodic=43200000');
  const { cdp, active } = await serviceWorkers(page);
  expect(await command(page, { command: 'periodicSync' })).toBe('registered');
  expect(await periodicTags(page)).toEqual(['isolog-flush']);
  // a later life finds an active worker and registers at once
  await cdp.send('ServiceWorker.stopWorker', { versionId: active().versionId });
  await expect.poll(() => active().runningStatus).toBe('stopped');
  expect(await command(page, { command: 'periodicSync' })).toBe('registered');
  const run = newRun('sw-periodic-registered');
  await context.setOffline(true);
  await command(page, { command: 'log', run, from: 0, to: 100 });
  const { registrationId } = active();
  const other = await context.newPage();
  await page.close();
  await context.setOffline(false);
  const otherCdp = await other.context().newCDPSession(other);
  await otherCdp.send('ServiceWorker.enable');
  expect(suite.collector.stored(run)).toHaveLength(0);
  await otherCdp.send('ServiceWorker.dispatchPeriodicSyncEvent', { origin: PAGE_ORIGIN, registrationId, tag: 'isolog-flush' });
  await suite.expectAll(run, 100);
});

test('periodicSync where refused (an app not installed): nothing registered, nothing reported, and the Service Worker sends as without it', async ({ page }) => {
  await openWithServiceWorker(page, '&periodic=43200000');
  expect(await command(page, { command: 'periodicSync' })).toBe('not allowed');
  expect(await periodicTags(page)).toEqual([]);
  const run = newRun('sw-periodic-refused');
  await command(page, { command: 'log', run, from: 0, to: 100 });
  await suite.expectAll(run, 100);
  expect((await swStats(page)).errors).toEqual([]);
});

test('without the periodicSync option nothing is registered', async ({ page }) => {
  await grantPeriodicSync(page);
  await openWithServiceWorker(page);
  expect(await command(page, { command: 'periodicSync' })).toBe('off');
  expect(await periodicTags(page)).toEqual([]);
});

test('a flush budget too small for the queue sends what fits and leaves the rest stored; the sync it registers brings the rest', async ({ page }) => {
  // one request of 50 records per pass: 500 records need ten passes, each in its own event
  await openWithServiceWorker(page, '&budget=1&maxRecords=50');
  const run = newRun('sw-budget');
  const requests = suite.collector.requests;
  await command(page, { command: 'log', run, from: 0, to: 500, chunk: 50 });
  await suite.expectAll(run, 500);
  expect(suite.collector.requests - requests).toBeGreaterThanOrEqual(10);
  expect(((await command(page, { command: 'stats' })) as { seen: { sync: number } }).seen.sync).toBeGreaterThan(0);
});

test('without Background Sync, the next message or fetch event after the network is back delivers what was logged offline', async ({ page, context }) => {
  await openWithServiceWorker(page, '&sync=0');
  const run = newRun('sw-fallback');
  await context.setOffline(true);
  await command(page, { command: 'log', run, from: 0, to: 150 });
  await page.close();
  await context.setOffline(false);
  const next = await context.newPage();
  // a navigation in the Service Worker's scope is a fetch event
  await next.goto('/sw-page.html');
  await next.evaluate(() => fetch('/sw-ping').then((r) => r.text()));
  await suite.expectAll(run, 150);
});

test('a Service Worker stopped mid-flush and started again keeps its queue: nothing lost, nothing stored twice', async ({ page }) => {
  await openWithServiceWorker(page);
  const { cdp, active } = await serviceWorkers(page);
  const run = newRun('sw-stopped');
  // every request is held at the proxy: the first one is in flight when the Service Worker stops,
  // and never reaches the collector
  suite.collector.fault = { kind: 'hang' };
  const requests = suite.collector.requests;
  await command(page, { command: 'log', run, from: 0, to: 500 });
  await expect.poll(() => suite.collector.requests).toBeGreaterThan(requests);
  await cdp.send('ServiceWorker.stopWorker', { versionId: active().versionId });
  await expect.poll(() => active().runningStatus).toBe('stopped');
  suite.collector.fault = { kind: 'pass' };
  // a message starts it again; its first event flushes what the last life left stored
  expect(await command(page, { command: 'ping' })).toBe('pong');
  await suite.expectAll(run, 500);
});

test('records the Service Worker logs outside any event (a timer) are stored and sent inside a Background Sync event of their own', async ({ page }) => {
  await openWithServiceWorker(page);
  const syncs = (await swStats(page)).seen.sync;
  const run = newRun('sw-timer');
  // answered at once: the records come after this message event is over, with no event to extend
  expect(await command(page, { command: 'logLater', run, from: 0, to: 100, delayMs: 300 })).toBe('scheduled');
  await suite.expectAll(run, 100);
  // what kept the Service Worker alive for them: the sync it registered (while a window is open)
  await expect.poll(async () => (await swStats(page)).seen.sync).toBeGreaterThan(syncs);
  expect((await swStats(page)).errors).toEqual([]);
});

test('records the Service Worker logs outside any event with no page open are stored and sent, once, and nothing is reported', async ({ page, context }) => {
  await openWithServiceWorker(page);
  const run = newRun('sw-timer-alone');
  expect(await command(page, { command: 'logLater', run, from: 0, to: 100, delayMs: 500 })).toBe('scheduled');
  // no window: Chromium refuses a Background Sync, and the pass runs while the Service Worker lives
  await page.close();
  await suite.expectAll(run, 100);
  const next = await context.newPage();
  await next.goto('/sw-page.html');
  expect((await swStats(next)).errors).toEqual([]);
});

test('records logged in the install, activate, fetch and push handlers reach the collector once each', async ({ page }) => {
  const run = newRun('sw-events');
  await openWithServiceWorker(page, `&events=${run}`);
  const { cdp, activated } = await serviceWorkers(page);
  expect(await page.evaluate((r) => fetch(`/sw-log?run=${r}&n=2`).then((res) => res.text()), run)).toBe('logged');
  const { registrationId } = await activated();
  await cdp.send('ServiceWorker.deliverPushMessage', { origin: PAGE_ORIGIN, registrationId, data: JSON.stringify({ run, n: 3 }) });
  await suite.expectAll(run, 4);
});

test('records logged at the top level of the Service Worker\'s script are stored and sent once', async ({ page }) => {
  const run = newRun('sw-top');
  await openWithServiceWorker(page, `&topLevel=${run}`);
  await suite.expectAll(run, 10);
});

test('without Background Sync, records logged outside any event are sent while the Service Worker lives', async ({ page }) => {
  await openWithServiceWorker(page, '&sync=0');
  const run = newRun('sw-timer-nosync');
  expect(await command(page, { command: 'logLater', run, from: 0, to: 50, delayMs: 300 })).toBe('scheduled');
  await page.close();
  await suite.expectAll(run, 50);
});

test("logging.fetch() makes a failed request a WARNING record: the URL without its query, the status or the error, the duration", async ({ page }) => {
  await openWithServiceWorker(page);
  const run = newRun('sw-fetch');
  const missing = `${PAGE_ORIGIN}/missing-${run}`;
  const refused = `http://127.0.0.1:9/refused-${run}`;
  await page.evaluate(async ([a, b]) => {
    await fetch(`/sw-fetch?to=${encodeURIComponent(`${a}?token=secret`)}`);
    await fetch(`/sw-fetch?to=${encodeURIComponent(`${b}?token=secret`)}`).catch(() => undefined);
  }, [missing, refused]);
  expect(await command(page, { command: 'flush' })).toBe('flushed');
  const warnings = () => suite.collector.all().filter((r) => r.logger === 'serviceworker.fetch' && JSON.stringify(r).includes(run));
  await expect.poll(() => warnings().length).toBe(2);
  const [answered, failed] = [missing, refused].map((url) => warnings().find((r) => (r.attributes as Record<string, unknown>)['url.full'] === url) as Record<string, unknown>);
  expect(answered).toMatchObject({ levelname: 'WARNING', attributes: { 'http.response.status_code': 404, 'http.request.method': 'GET' } });
  expect(failed).toMatchObject({ levelname: 'WARNING', attributes: { 'error.type': 'TypeError' } });
  expect(typeof (failed.attributes as Record<string, unknown>).duration_ms).toBe('number');
  expect(JSON.stringify(warnings())).not.toContain('secret');
});

/** The pipeline page, controlled by the test Service Worker (`swQuery`: more of its script's query), logging through startBrowserLogging with `options` (and `own`'s worker). */
async function openPipelineWithServiceWorker(page: Page, options: Record<string, unknown>, swQuery = '', own?: { workerUrl: string }): Promise<void> {
  await page.goto('/pipeline.html');
  await page.evaluate(async (query) => {
    await navigator.serviceWorker.register(`/pipeline-sw.js?${query}`, { type: 'module', scope: '/' });
    await navigator.serviceWorker.ready;
  }, `collector=${encodeURIComponent(suite.collector.url)}${swQuery}`);
  await page.evaluate(([o, w]) => window.isologTest.start(o as never, w), [{ collector: suite.collector.url, send: { retryBaseMs: 100 }, ...options }, own] as const);
}

/** Each record of `run` the proxy saw on the wire, counted: none may have been sent twice. */
function sentTwice(run: string): number {
  const uids = suite.collector.seen(run).map((r) => r.attributes['log.record.uid']);
  return uids.length - new Set(uids).size;
}

test("a page whose listener is the Service Worker ships its records through it, each once", async ({ page }) => {
  suite.collector.capture = true;
  try {
    await openPipelineWithServiceWorker(page, { listener: 'service-worker' });
    const run = newRun('sw-page');
    await page.evaluate((r) => window.isologTest.log(r, 0, 400), run);
    expect(await page.evaluate(() => window.isologTest.flush())).toBe('ok');
    await suite.expectAll(run, 400);
    expect(sentTwice(run)).toBe(0);
    // the page holds no worker of its own: its records were stored by the Service Worker
    expect(page.workers()).toHaveLength(0);
  } finally {
    suite.collector.capture = false;
  }
});

test('a page on the Service Worker and a second tab on a dedicated worker at once: one flusher, nothing sent twice', async ({ page, context }) => {
  suite.collector.capture = true;
  try {
    await openPipelineWithServiceWorker(page, { listener: 'service-worker' });
    const second = await context.newPage();
    await openPipelineWithServiceWorker(second, {});
    const run = newRun('sw-two-tabs');
    await Promise.all([
      page.evaluate((r) => { for (let i = 0; i < 10; i++) window.isologTest.log(r, i * 100, i * 100 + 50); }, run),
      second.evaluate((r) => { for (let i = 0; i < 10; i++) window.isologTest.log(r, i * 100 + 50, i * 100 + 100); }, run),
    ]);
    expect(await page.evaluate(() => window.isologTest.flush())).toBe('ok');
    expect(await second.evaluate(() => window.isologTest.flush())).toBe('ok');
    await suite.expectAll(run, 1000);
    expect(sentTwice(run)).toBe(0);
    const flushing = [(await page.evaluate(() => window.isologTest.stats())).flushing, (await second.evaluate(() => window.isologTest.stats())).flushing];
    expect(flushing.filter(Boolean).length).toBeLessThanOrEqual(1);
  } finally {
    suite.collector.capture = false;
  }
});

test('without a Service Worker in control, listener: service-worker fails saying what to do', async ({ page }) => {
  await page.goto('/pipeline.html');
  const error = await page.evaluate((url) => window.isologTest.start({ collector: url, listener: 'service-worker' } as never).then(() => 'started', (err: Error) => err.message), suite.collector.url);
  expect(error).toContain('startServiceWorkerLogging');
  expect(error).toContain('navigator.serviceWorker.register');
  // nothing of the failed start stays on the root logger
  expect(await page.evaluate(() => window.isologTest.rootHandlers())).toBe(0);
});

test('the Service Worker keeps sending a closed page\'s records: logged with the collector down, the page closed, the collector up', async ({ page, context }) => {
  await openPipelineWithServiceWorker(page, { listener: 'service-worker' });
  const run = newRun('sw-page-closed');
  await suite.collector.down();
  try {
    await page.evaluate((r) => window.isologTest.log(r, 0, 300), run);
    // durable in the Service Worker (its stats, through the page's link), and then the page goes
    await expect.poll(async () => (await page.evaluate(() => window.isologTest.stats())).durable).toBeGreaterThanOrEqual(300);
    await page.close();
  } finally {
    await suite.collector.up();
  }
  // no page of the origin is open: what sends is the Service Worker's pass, retrying within its event
  expect(context.pages()).toHaveLength(0);
  await suite.expectAll(run, 300);
});

/**
 * Holds a readwrite transaction on the origin's isolog queue from `page` (the same IndexedDB as the
 * Service Worker's) until the returned function is called: meanwhile the Service Worker cannot store.
 */
async function holdTheQueue(page: Page): Promise<() => Promise<void>> {
  await page.evaluate(async () => {
    const name = (await indexedDB.databases()).map((d) => String(d.name)).find((n) => n.startsWith('isolog-'));
    if (!name) throw new Error('no isolog database yet');
    await new Promise<void>((resolve, reject) => {
      const open = indexedDB.open(name);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const store = db.transaction('batches', 'readwrite').objectStore('batches');
        const held = window as unknown as { release?: () => void };
        let released = false;
        held.release = () => { released = true; };
        // a transaction lives while it has requests: one after another until released
        const next = (first: boolean) => {
          const request = store.count();
          request.onsuccess = () => { if (first) resolve(); if (!released) next(false); else db.close(); };
          request.onerror = () => reject(request.error);
        };
        next(true);
      };
    });
  });
  return () => page.evaluate(() => (window as unknown as { release: () => void }).release());
}

for (const collectorAtClose of ['up', 'down'] as const) {
  test(`the page closes before the Service Worker has stored its records (collector ${collectorAtClose} then): every record arrives, stored once by uid`, async ({ page, context }) => {
    await openPipelineWithServiceWorker(page, { listener: 'service-worker' });
    const holder = await context.newPage();
    await holder.goto('/sw-page.html');
    const release = await holdTheQueue(holder);
    const run = newRun(`sw-close-unstored-${collectorAtClose}`);
    let restored = false;
    suite.collector.capture = true;
    try {
      const durable = (await page.evaluate(() => window.isologTest.stats())).durable;
      await page.evaluate((r) => window.isologTest.log(r, 0, 300), run);
      // the Service Worker has them (its stats answer after the puts) and has stored none
      expect((await page.evaluate(() => window.isologTest.stats())).durable).toBe(durable);
      // down: the page's pagehide send fails, and only the Service Worker's copy can deliver
      if (collectorAtClose === 'down') await suite.collector.down();
      await page.close({ runBeforeUnload: false });
      // up: pagehide sends what its keepalive budget holds; the Service Worker later sends all of
      // them again, and the collector keeps each uid once
      if (collectorAtClose === 'up') await expect.poll(() => suite.collector.stored(run).length, { timeout: 15_000 }).toBeGreaterThan(0);
      else expect(suite.collector.stored(run)).toHaveLength(0);
      await release();
      if (collectorAtClose === 'down') {
        // stored by the Service Worker now, with no page of the logging left
        await expect.poll(async () => (await swStats(holder)).durable).toBeGreaterThanOrEqual(durable + 300);
        await suite.collector.up();
        restored = true;
      }
      await suite.expectAll(run, 300);
      // up: both copies went on the wire, which the collector's dedupe made one
      if (collectorAtClose === 'up') expect(sentTwice(run)).toBeGreaterThan(0);
    } finally {
      suite.collector.capture = false;
      if (!restored && collectorAtClose === 'down') await suite.collector.up();
    }
  });
}

// Chromium sends a controlled page's keepalive POST through the Service Worker's fetch event; one
// that no listener answers falls back to the network from the page's side, which is gone. A listener
// of the app's before isolog's holds the Service Worker's thread while the page closes, so that the
// fallback comes too late every time, and the relay answers only once the page is gone.
for (const relay of [true, false]) {
  test(relay
    ? 'a closing page\'s beacon is sent by the Service Worker (relayBeacons): it arrives though a listener before isolog\'s holds the thread until the page is gone, and the listeners after isolog\'s never see it'
    : 'relayBeacons: false: that beacon falls back to the network once the page is gone, and Chromium never sends it; the Service Worker\'s copy delivers every record once', async ({ page, context }) => {
    await openPipelineWithServiceWorker(page, { listener: 'service-worker' }, `&slowCollector=1000${relay ? '' : '&relay=0'}`);
    const holder = await context.newPage();
    await holder.goto('/sw-page.html');
    const release = await holdTheQueue(holder);
    const run = newRun(`sw-relay-${relay}`);
    suite.collector.capture = true;
    try {
      await page.evaluate((r) => window.isologTest.log(r, 0, 300), run);
      // the Service Worker has them, unstored
      await page.evaluate(() => window.isologTest.stats());
      await page.close({ runBeforeUnload: false });
      if (relay) {
        await expect.poll(() => suite.collector.stored(run).length, { timeout: 15_000 }).toBeGreaterThan(0);
        const seen = (await swStats(holder)).seen;
        expect(seen.beaconsSeen).toBe(0);
        expect(seen.collectorRequests).toBeGreaterThan(0);
      } else {
        await expect.poll(async () => (await swStats(holder)).seen.beaconsSeen).toBeGreaterThan(0);
        await new Promise((resolve) => setTimeout(resolve, 2000));
        expect(suite.collector.stored(run)).toHaveLength(0);
      }
      await release();
      await suite.expectAll(run, 300);
      if (relay) expect(sentTwice(run)).toBeGreaterThan(0);
      else expect(sentTwice(run)).toBe(0);
    } finally {
      suite.collector.capture = false;
    }
  });
}

test('where fetch cannot go keepalive, the closing page\'s sendBeacon is relayed too (text/plain, the token in its query) while a listener before isolog\'s holds the thread', async ({ page, context }) => {
  await withoutKeepaliveFetch(page);
  // the page's own listener is a worker that never stores: only the beacon can deliver
  await openPipelineWithServiceWorker(page, { token: 'tok-leaving' }, '&slowCollector=1000', { workerUrl: '/stuck-worker.js' });
  const holder = await context.newPage();
  await holder.goto('/sw-page.html');
  const run = newRun('sw-relay-sendbeacon');
  suite.collector.capture = true;
  try {
    await page.evaluate((r) => window.isologTest.log(r, 0, 100), run);
    await page.close({ runBeforeUnload: false });
    await suite.expectAll(run, 100, 10_000);
    expectSentByBeacon(suite.collector, run, 'tok-leaving');
    const swSeen = (await swStats(holder)).seen;
    expect(swSeen.beaconsSeen).toBe(0);
    expect(swSeen.collectorRequests).toBeGreaterThan(0);
  } finally {
    suite.collector.capture = false;
  }
});

test('three controlled pages on workers that never store close at once: the Service Worker relays all their beacons, more than one keepalive budget together', async ({ context }) => {
  const pages = [await context.newPage(), await context.newPage(), await context.newPage()];
  for (const page of pages) await openPipelineWithServiceWorker(page, {}, '', { workerUrl: '/stuck-worker.js' });
  const run = newRun('sw-relay-three');
  // about 50 KB of beacon a page (within its own 60 KiB), 150 KB in all: past the 64 KiB that the
  // keepalive requests of one context share (relayed as keepalive, 150 arrive). No listener holds
  // the thread here: held 300 ms on each, the third page's beacon was lost once in CI
  for (const [i, page] of pages.entries()) await page.evaluate(([r, from]) => window.isologTest.log(r, from, from + 150), [run, i * 150] as const);
  await Promise.all(pages.map((page) => page.close({ runBeforeUnload: false })));
  await suite.expectAll(run, 450, 15_000);
});
