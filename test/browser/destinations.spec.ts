// One origin, two destinations: tabs that send to different collectors (or with other tokens) have
// a queue and a flusher each.
import { expect, test } from '@playwright/test';
import { FaultyCollector, lossAndDuplicates, newRun, openPipeline, PAGE_ORIGIN, pipelineSuite } from './harness.js';

const suite = pipelineSuite();
const { open } = suite;

test('two tabs of one origin sending to two collectors (one with a token): each destination has its own queue and flusher', async ({ context }) => {
  // each collector stores into its own folder (a logging tree of its own); the proxies in front of
  // them tell what each was sent
  const other = await FaultyCollector.start([PAGE_ORIGIN], { token: 'tok-b' });
  suite.collector.capture = other.capture = true;
  try {
    const a = await context.newPage();
    await open(a);
    const b = await context.newPage();
    await openPipeline(b, other, { token: 'tok-b' });
    const run = newRun('two-collectors');
    await a.evaluate((r) => window.isologTest.log(r, 0, 200), run);
    await b.evaluate((r) => window.isologTest.log(r, 200, 400), run);
    expect(await a.evaluate(() => window.isologTest.flush(30_000))).toBe('ok');
    expect(await b.evaluate(() => window.isologTest.flush(30_000))).toBe('ok');
    // each collector was sent its own tab's records, with its own token, and none of the other's
    const ns = (c: FaultyCollector) => [...new Set(c.seen(run).map((s) => s.attributes.n as number))].sort((x, y) => x - y);
    expect(ns(suite.collector)).toEqual([...Array(200).keys()]);
    expect(ns(other)).toEqual([...Array(200).keys()].map((n) => n + 200));
    expect(new Set(other.seen(run).map((s) => s.headers.authorization))).toEqual(new Set(['Bearer tok-b']));
    expect(suite.collector.seen(run).filter((s) => s.headers.authorization !== undefined)).toEqual([]);
    expect(lossAndDuplicates([...suite.collector.stored(run), ...other.stored(run)], 400)).toEqual({ missing: [], duplicates: 0, uidDuplicates: 0 });
    expect(other.stored(run).every((r) => (r.attributes as { n: number }).n >= 200)).toBe(true);
    // one flusher per destination, so both tabs flush
    expect(await Promise.all([a, b].map((p) => p.evaluate(() => window.isologTest.stats().then((s) => s.flushing))))).toEqual([true, true]);
    // two queues, named without the token
    const names = (await a.evaluate(() => window.isologTest.databases())).filter((n) => n.startsWith('isolog-'));
    expect(names).toHaveLength(2);
    expect(names.join(' ')).not.toContain('tok-b');
  } finally {
    suite.collector.capture = false;
    await other.close();
  }
});
