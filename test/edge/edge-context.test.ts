// isolog/edge's error context and remote levels inside real workerd, against the real collector.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import { collector, stored } from '../unit/collector/helpers.js';
import type { Collector } from '../../src/collector/index.js';
import { startWorker } from './workerd.js';

const entry = new URL('./workers/context.ts', import.meta.url).pathname;
type Stored = { uid: string; logger: string; levelname: string; message: string; attributes: Record<string, unknown> };
const TOKEN = 'edge-ctx';

async function arrived(dir: string, count: number, match: (r: Stored) => boolean, ms = 15_000): Promise<Stored[]> {
  const deadline = Date.now() + ms;
  let found: Stored[] = [];
  while (Date.now() < deadline) {
    found = (stored(dir) as Stored[]).filter(match);
    if (found.length >= count) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  return found;
}

describe('withLogging({ errorContext, remoteLevels }) in workerd', () => {
  let c: Collector & { dir: string };
  let mf: Miniflare;
  beforeAll(async () => {
    c = await collector({ token: TOKEN });
    mf = await startWorker(entry, { flags: ['nodejs_compat'], bindings: { LOG_URL: `${c.url}/v1/logs`, LOG_TOKEN: TOKEN } });
  });
  afterAll(async () => { await mf?.dispose(); await c?.close(); });

  it('a request without an error ships its WARNING and its access record, which counts the quiet records dropped', async () => {
    expect(await (await mf.dispatchFetch('http://worker.test/?n=3&warn&tag=quiet1')).text()).toBe('ok');
    const access = await arrived(c.dir, 1, (r) => r.logger === 'isolog.access' && r.attributes['context.dropped'] !== undefined && stored(c.dir).some((w) => w.message === 'slow quiet1'));
    expect(access).toHaveLength(1);
    const mine = (stored(c.dir) as Stored[]).filter((r) => r.attributes['request.id'] === access[0].attributes['request.id']);
    expect(mine.map((r) => `${r.levelname} ${r.message}`).sort()).toEqual(['INFO GET / 200 ' + String(access[0].attributes.duration_ms) + 'ms', 'WARNING slow quiet1'].sort());
    expect(access[0].attributes['context.dropped']).toBe(3);
  });

  it('a request with an error ships its quiet records before it, marked as its context; 20 at once never mix', async () => {
    const tags = Array.from({ length: 20 }, (_, i) => `mix${i}`);
    await Promise.all(tags.map((tag, i) => mf.dispatchFetch(`http://worker.test/?n=${3 + (i % 3)}&warn&tag=${tag}${i % 2 ? '&fail' : ''}`).then((r) => r.text())));
    const errors = await arrived(c.dir, 10, (r) => r.levelname === 'ERROR' && r.message.startsWith('failed mix'));
    expect(errors).toHaveLength(10);
    const all = stored(c.dir) as Stored[];
    for (const error of errors) {
      const i = Number(error.message.slice('failed mix'.length));
      const context = all.filter((r) => r.attributes.contextOf === error.uid);
      expect(context.map((r) => r.message)).toEqual(Array.from({ length: 3 + (i % 3) }, (_, s) => `step ${s} of mix${i}`));
      expect(context.every((r) => r.attributes['request.id'] === error.attributes['request.id'])).toBe(true);
      expect(error.attributes.contextRecords).toBe(3 + (i % 3));
    }
    // every request's WARNING has come (each in its request's one batch): those without an error shipped none of their steps
    await arrived(c.dir, 20, (r) => /^slow mix\d+$/.test(r.message));
    expect((stored(c.dir) as Stored[]).filter((r) => /^step \d of mix\d*[02468]$/.test(r.message))).toEqual([]);
  });

  it('the capacity bounds what ships with an error', async () => {
    await mf.dispatchFetch('http://worker.test/?n=8&fail&tag=cap');
    const [error] = await arrived(c.dir, 1, (r) => r.message === 'failed cap');
    const context = (stored(c.dir) as Stored[]).filter((r) => r.attributes.contextOf === error.uid);
    expect(context.map((r) => r.message)).toEqual(['step 3 of cap', 'step 4 of cap', 'step 5 of cap', 'step 6 of cap', 'step 7 of cap']);
  });

  it("follows the collector's levels: set with PUT, applied from a later request on", async () => {
    expect(await (await mf.dispatchFetch('http://worker.test/level?n=0&tag=lv0')).text()).toBe('20');
    const res = await fetch(`${c.url}/v1/levels`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ levels: { 'api.lv': 'DEBUG' } }) });
    expect(res.status).toBe(200);
    let level = '';
    for (let i = 0; i < 50 && level !== '10'; i++) {
      level = await (await mf.dispatchFetch(`http://worker.test/level?n=0&tag=lv${i + 1}`)).text();
      if (level !== '10') await new Promise((r) => setTimeout(r, 50));
    }
    expect(level).toBe('10');
    // the next request's DEBUG record is logged, and (below WARNING) waits in its ring: an error ships it
    await mf.dispatchFetch('http://worker.test/level?n=0&fail&tag=lvdebug');
    const debug = await arrived(c.dir, 1, (r) => r.message === 'debug lvdebug');
    expect(debug[0].levelname).toBe('DEBUG');
  });
});

describe('withLogging({ sampling }) in workerd', () => {
  let c: Collector & { dir: string };
  let mf: Miniflare;
  beforeAll(async () => {
    c = await collector();
    mf = await startWorker(new URL('./workers/sampled.ts', import.meta.url).pathname, { flags: ['nodejs_compat'], bindings: { LOG_URL: `${c.url}/v1/logs` } });
  });
  afterAll(async () => { await mf?.dispose(); await c?.close(); });

  it('keeps whole requests by their trace id, and says how many records it suppressed', async () => {
    // trace ids whose first 32 bits fall on either side of the half
    const traces = Array.from({ length: 16 }, (_, i) => `${(i * 0x10000000 + 0x1234567).toString(16).padStart(8, '0')}${'ab'.repeat(12)}`);
    for (const [i, id] of traces.entries()) {
      await mf.dispatchFetch(`http://worker.test/?n=3&tag=t${i}`, { headers: { traceparent: `00-${id}-00f067aa0ba902b7-01` } });
    }
    await arrived(c.dir, 16, (r) => r.message.startsWith('always t'));
    // past the window: the next request's first record brings the report
    await new Promise((r) => setTimeout(r, 400));
    await mf.dispatchFetch('http://worker.test/?n=0&tag=after');
    await arrived(c.dir, 1, (r) => r.message === 'always after');
    // one report a window: the requests may have spanned more than one
    const reports = (stored(c.dir) as Stored[]).filter((r) => r.logger === 'isolog.sampling');
    const steps = (stored(c.dir) as (Stored & { traceId: string })[]).filter((r) => r.message.startsWith('step '));
    const kept = new Set(steps.map((r) => r.traceId));
    expect([...kept].sort()).toEqual(traces.filter((id) => parseInt(id.slice(0, 8), 16) < 0x80000000).sort());
    for (const id of kept) expect(steps.filter((r) => r.traceId === id)).toHaveLength(3);
    expect(reports.length).toBeGreaterThan(0);
    for (const report of reports) {
      expect(report.levelname).toBe('WARNING');
      expect(report.message).toMatch(/^suppressed (\d+) records from api\.sampled in the last \d+ s \(\1 sampled out \(0\.5 kept\)\)$/);
    }
    expect(reports.reduce((n, r) => n + (r.attributes.suppressed as number), 0)).toBe(24);
  });
});
