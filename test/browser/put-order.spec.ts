// Storing never waits behind sending: while the worker's flusher prepares a large request (decoding,
// OTLP encoding, gzip), the page's puts are stored and answered before it goes. Seen in the order of
// the worker's answers, not in durations.
import { expect, test } from '@playwright/test';
import { FaultyCollector } from './harness.js';

let collector: FaultyCollector;
test.beforeAll(async () => { collector = await FaultyCollector.start(); });
test.afterAll(async () => { await collector.close(); });

test('a put that comes while the flusher prepares a request of 9,000 records is stored and answered before that request is sent', async ({ page }) => {
  collector.capture = true;
  await page.goto('/put-order.html');
  await page.waitForFunction(() => window.putOrder !== undefined);
  const { rounds, firstSent, durableBefore, sentBefore } = await page.evaluate((url) => window.putOrder.run(url, 9000, 5), collector.url);
  // the backlog was stored while the page held the flusher back
  expect({ durableBefore, sentBefore }).toEqual({ durableBefore: 9000, sentBefore: 0 });
  expect(firstSent).toBeGreaterThanOrEqual(0);
  // the first request: the backlog and the rounds stored before the flusher read the queue
  await expect.poll(() => collector.posts.length, { timeout: 30_000 }).toBeGreaterThan(0);
  const first = JSON.parse(collector.posts[0].text) as { resourceLogs: { scopeLogs: { logRecords: { body: { stringValue: string } }[] }[] }[] };
  const bodies = first.resourceLogs.flatMap((rl) => rl.scopeLogs).flatMap((sl) => sl.logRecords).map((r) => r.body.stringValue);
  expect(bodies.filter((b) => b.endsWith(' of backlog'))).toHaveLength(9000);
  const inFirst = new Set(bodies.filter((b) => b.endsWith(' of round')).map((b) => Number(b.split(' ')[1])));
  // rounds that the flusher's read missed came while it prepared the request, or after it was sent;
  // some of them were answered before any stats() answer said the request was sent. With encoding
  // in one long task they all waited: a stats() queued meanwhile answered first.
  const storedWhilePreparing = rounds.filter((r) => !inFirst.has(r.n) && r.putAnswer < firstSent);
  expect(storedWhilePreparing.length).toBeGreaterThan(0);
});
