// Thousands of malformed, truncated, deeply nested, huge and hostile bodies, mixed with valid batches:
// the collector keeps answering, never crashes, and stores every valid record exactly once.
import { gzipSync } from 'node:zlib';
import { afterEach, expect, it } from 'vitest';
import { collector, otlp, records, stored } from './helpers.js';

let running: Awaited<ReturnType<typeof collector>> | undefined;
afterEach(async () => { await running?.close(); running = undefined; });

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hostileBodies(random: () => number, valid: string): (string | Buffer)[] {
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
  const nested = (depth: number, open: string, close: string) => open.repeat(depth) + close.repeat(depth);
  const makers: (() => string | Buffer)[] = [
    () => valid.slice(0, Math.floor(random() * valid.length)),
    () => valid.replace(/"/g, () => (random() < 0.05 ? '' : '"')),
    () => nested(1 + Math.floor(random() * 50_000), '[', ']'),
    () => `{"resourceLogs":${nested(2000, '[', ']')}}`,
    () => JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: JSON.parse(`${'{"kvlistValue":{"values":[{"key":"k","value":'.repeat(200)}{"stringValue":"deep"}${'}]}}'.repeat(200)}`) }] }] }] }),
    () => JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: pick([-1, 'NaN', 1e400, '99999999999999999999999', null, {}, []]), severityNumber: pick([-5, 1e9, 'x', null]), body: pick([{}, { intValue: 'x' }, { arrayValue: 5 }, null, 'str']), attributes: pick(['nope', [null, 1, { key: 5 }], [{ key: '__proto__', value: { stringValue: 'p' } }]]) }] }] }] }),
    () => JSON.stringify({ resourceLogs: pick([null, 1, 'x', {}, [1], [{ scopeLogs: 'x' }], [{ scopeLogs: [{ logRecords: {} }] }]]) }),
    () => Buffer.from(Array.from({ length: 1 + Math.floor(random() * 2000) }, () => Math.floor(random() * 256))),
    () => '\u0000'.repeat(1000) + '{}',
    () => `{"resourceLogs":[{"scopeLogs":[{"scope":{"name":"${'a.'.repeat(2000)}"},"logRecords":[]}]}]}`,
    () => JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: Array.from({ length: 500 }, () => ({ body: { stringValue: 'x'.repeat(100) } })) }] }] }).slice(0, 30_000),
  ];
  return Array.from({ length: 2500 }, () => pick(makers)());
}

it('survives hostile input and stores every valid record exactly once', async () => {
  running = await collector({ bodyLimit: 1024 * 1024 });
  const random = rng(20261122);
  const validBatches = Array.from({ length: 60 }, (_, i) => records(5, `fuzz${i}`));
  const sample = otlp(records(3, 'sample'));
  const bodies = hostileBodies(random, sample);
  const url = `${running.url}/v1/logs`;
  const statuses = new Map<number, number>();
  let sent = 0;
  const send = async (body: string | Buffer, headers: Record<string, string>) => {
    const res = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
    await res.arrayBuffer();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    return res.status;
  };
  // eight clients at a time, valid batches interleaved (and each valid batch sent twice)
  const jobs: (() => Promise<unknown>)[] = [];
  bodies.forEach((body, i) => {
    const gz = random() < 0.2;
    jobs.push(() => send(gz && random() < 0.5 ? gzipSync(body) : body, { 'content-type': random() < 0.1 ? 'text/plain' : 'application/json', ...(gz ? { 'content-encoding': 'gzip' } : {}) }));
    if (i % 40 === 0) {
      const batch = validBatches[(i / 40) % validBatches.length];
      jobs.push(async () => { expect(await send(otlp(batch), { 'content-type': 'application/json' })).toBe(200); sent++; });
    }
  });
  for (let i = 0; i < jobs.length; i += 8) await Promise.all(jobs.slice(i, i + 8).map((j) => j()));
  for (const batch of validBatches) expect(await send(gzipSync(otlp(batch)), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).toBe(200);

  const health = await fetch(`${running.url}/healthz`);
  expect(health.status).toBe(200);
  expect(sent).toBeGreaterThan(0);
  expect([...statuses.keys()].every((s) => [200, 400, 413, 415].includes(s))).toBe(true);
  expect(statuses.get(400)).toBeGreaterThan(500);
  const expected = validBatches.flat().map((r) => r.uid);
  const uids = stored(running.dir).map((r) => r.uid).filter((u) => typeof u === 'string' && u.startsWith('fuzz'));
  expect(uids.length).toBe(expected.length);
  expect(new Set(uids)).toEqual(new Set(expected));
}, 120_000);
