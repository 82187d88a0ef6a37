// The collector's scanner of OTLP bodies (src/collector/otlp-scan.ts) against what it stands in
// for: decodeRequest(JSON.parse(body)) for the records, and the default JsonFormatter's
// formatFields for each line, on bodies made to be odd (a seeded generator: the same bodies each run).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { lineText } from '../../../src/collector/line-bytes.js';
import { detach, scanRequest } from '../../../src/collector/otlp-scan.js';
import type { PlainRecord } from '../../../src/core/fields.js';
import { JsonFormatter } from '../../../src/core/json-formatter.js';
import { encodeBody } from '../../../src/transport/otlp-body.js';
import { decodeRequest, encodeRecords } from '../../../src/transport/otlp.js';

/** mulberry32: a small seeded generator, so that a failure comes back on every run. */
function generator(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = ['', 'plain', 'say "hi"', 'back\\slash', 'line\nbreak', 'tab\t', 'é', '日本語', '😀 emoji', 'sep\u2028arator', 'para\u2029graph',
  '\u0001ctl', '</script>', 'x'.repeat(40), 'y'.repeat(16_385), 'a/b'];
const KEYS = ['route', 'user', 'status', 'name', 'msg', 'traceId', 'resource', 'attr.x', 'attr.name', '__proto__', 'constructor', '1', '42x', 'exception.type',
  'code.stacktrace', 'nodeType', 'nodeName', 'toJSON', 'log.record.uid', 'é-key', 'key "quoted"', 'k\u2028'];
const VALUES: unknown[] = [0, -0, 1, -5, 200, 2 ** 53, 2 ** 60, 1.5, -2.25e-7, 1e21, true, false, null, [1, 'a', null], { a: { b: [true] } }, []];

function body(random: () => number): { records: PlainRecord[]; resource: Record<string, unknown> } {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const records: PlainRecord[] = [];
  const count = 1 + Math.floor(random() * 12);
  for (let i = 0; i < count; i++) {
    const record: PlainRecord = {
      name: pick(['app', 'app.db', '', 'é.logger', 'x'.repeat(300)]),
      msg: pick(STRINGS), levelno: pick([10, 20, 30, 40, 50, 0, 25]), levelname: pick(['INFO', 'DEBUG', '', 'CUSTOM', 'L'.repeat(70)]),
      created: pick([1_700_000_000.123, 0, 1_700_000_000, 86_400.5]), uid: pick([`u-${i}-${Math.floor(random() * 1e9)}`, '', 'has space', 'z'.repeat(300), 'short']),
      exc_text: random() < 0.1 ? 'Error: boom\n    at f (a.js:1:1)' : null, stack_info: null,
    };
    const extras = Math.floor(random() * 6);
    for (let k = 0; k < extras; k++) record[pick(KEYS)] = random() < 0.5 ? pick(STRINGS) : pick(VALUES);
    if (random() < 0.2) record.traceId = pick(['0af7651916cd43dd8448eb211c80319c', 'ABCDEF', 'not-hex', '']);
    if (random() < 0.2) record.spanId = pick(['b7ad6b7169203331', 'B7AD', 'zz']);
    if (random() < 0.1) for (let k = 0; k < 201; k++) record[`many${k}`] = k;
    records.push(record);
  }
  const resource = pick<Record<string, unknown>>([{ 'service.name': 'shop' }, {}, { 'service.name': 'é', n: 1, ok: true }, { nested: { a: 1 } }, { nodeType: 1, nodeName: 'DIV' }]);
  return { records, resource };
}

/** Text made from an encoded body: the body itself, or changed so that the scanner must give way or refuse. */
function variants(json: string, random: () => number): string[] {
  const cut = Math.floor(random() * json.length);
  return [
    json,
    `{"batchId":${Math.floor(random() * 1000)},${json.slice(1)}`,
    `{"batchId":"b-${cut}",${json.slice(1)}`,
    JSON.stringify(JSON.parse(json), null, 1),
    json.slice(0, cut),
    `${json}x`,
    `${json.slice(0, cut)} ${json.slice(cut)}`,
    json.replace('"severityNumber":', '"severityNumber":0'),
    json.replace('"timeUnixNano":"', '"timeUnixNano":"0'),
    json.replace(/"timeUnixNano":"(\d+)"/, '"timeUnixNano":$1'),
    json.replace('"timeUnixNano":"1', '"timeUnixNano":"99999999999999999999'),
    json.replace('"intValue":200', '"intValue":"200"'),
    json.replace('"intValue":200', '"intValue":1e400'),
    json.replace('"stringValue":"plain"', '"stringValue":"pl\\u0061in\\ud800"'),
    json.replace('"stringValue":"plain"', '"stringValue":"raw\u0001control"'),
    json.replace('"scopeLogs":[', '"schemaUrl":"s","scopeLogs":['),
    json.replace('{"scope":', '{"droppedAttributesCount":0,"scope":'),
    json.replace(/\{"key":"route","value":\{"stringValue":"([^"]*)"\}\}/, '{"value":{"stringValue":"$1"},"key":"route"}'),
    json.replace('"severityText":', '"observedTimeUnixNano":"5","severityText":'),
    json.replace('"resourceLogs":[', '"resourceLogs":[{"scopeLogs":[]},'),
    json.replace('"logRecords":[', '"logRecords":[1,"x",{"attributes":7},'),
    json.replace('"resource":', '"resource":{},"resource":'),
    json.replaceAll('"attributes":[{', '"attributes":[{"key":"dup","value":{"intValue":1}},{"key":"dup","value":{"intValue":2}},{'),
  ];
}

const formatter = new JsonFormatter();
/** A record's keys in order with its values: what a deep equality alone does not compare. */
const ordered = (records: PlainRecord[]) => records.map((r) => Object.entries(r));

/** scanRequest of `text`, with its lines as text; each line must be followed by its newline in the bytes. */
function scan(text: string) {
  const scanned = scanRequest(Buffer.from(text, 'utf8'));
  if (scanned === null) return null;
  const { lines } = scanned;
  expect(lines.starts).toHaveLength(scanned.records.length);
  const texts = scanned.records.map((_, i) => {
    if (lines.starts[i] >= 0) expect(lines.bytes[lines.ends[i]]).toBe(10);
    return lineText(lines, i);
  });
  return { ...scanned, lines: texts };
}

/** Checks the scanner against JSON.parse and decodeRequest on `text`; answers whether the scanner read it. */
function agrees(text: string): boolean {
  const scanned = scan(text);
  let parsed: unknown;
  let expected: ReturnType<typeof decodeRequest>;
  try {
    parsed = JSON.parse(text);
    expected = decodeRequest(parsed);
  } catch {
    // not JSON, or no OTLP request: the scanner leaves it to JSON.parse, which says why
    expect(scanned, text.slice(0, 300)).toBeNull();
    return false;
  }
  if (scanned === null) return false;
  expect(ordered(scanned.records)).toEqual(ordered(expected.records));
  expect(scanned.rejected).toBe(expected.rejected);
  expect(scanned.errors).toEqual(expected.errors);
  expect(scanned.batchId).toEqual((parsed as { batchId?: unknown }).batchId);
  expect(scanned.lines).toHaveLength(scanned.records.length);
  scanned.lines.forEach((line, i) => {
    if (line !== null) expect(line).toBe(formatter.formatFields(expected.records[i]));
  });
  return true;
}

describe('the collector\'s scanner of OTLP bodies', () => {
  // a record without a time takes the collector's clock: the same one for the scanner and decodeRequest
  beforeEach(() => { vi.useFakeTimers({ now: 1_700_000_123_456, toFake: ['Date'] }); });
  afterEach(() => { vi.useRealTimers(); });

  it('reads isolog\'s own bodies as decodeRequest(JSON.parse()) does, with the lines formatFields writes', async () => {
    const random = generator(20261203);
    let lines = 0;
    let records = 0;
    for (let round = 0; round < 300; round++) {
      const { records: batch, resource } = body(random);
      const whole = JSON.stringify(encodeRecords(batch, resource));
      const sliced = await encodeBody(batch, resource);
      for (const text of [whole, sliced]) {
        const scanned = scan(text);
        // isolog's own shape is always the scanner's to read
        expect(scanned).not.toBeNull();
        expect(agrees(text)).toBe(true);
        lines += scanned?.lines.filter((l) => l !== null).length ?? 0;
        records += scanned?.records.length ?? 0;
      }
    }
    // the generator makes most records odd (a uid that is none, a nested resource...), yet many lines are the scanner's own
    expect(lines).toBeGreaterThan(records / 20);
  }, 60_000);

  it('makes the line of every record of the usual kind itself', () => {
    const records: PlainRecord[] = Array.from({ length: 50 }, (_, i) => ({
      name: `app.module${i % 3}`, msg: `request ${i}`, levelno: 20, levelname: 'INFO', created: 1_700_000_000 + i / 7, uid: `bench-${i}-abcdefghijklmnop`,
      exc_text: null, stack_info: null, route: '/api/items', status: 200, ratio: i / 3, ok: i % 2 === 0, none: null,
    }));
    const text = JSON.stringify(encodeRecords(records, { 'service.name': 'shop' }));
    const scanned = scan(text);
    expect(scanned?.lines.every((l) => l !== null)).toBe(true);
    expect(agrees(text)).toBe(true);
    // attributes that look like a DOM node are serialized as one: the scanner leaves that line to formatFields
    const node = JSON.stringify(encodeRecords([{ ...records[0], nodeType: 1, nodeName: 'DIV' }]));
    expect(scan(node)?.lines).toEqual([null]);
    expect(agrees(node)).toBe(true);
  });

  it('gives way to JSON.parse, or gives the same, for bodies changed from isolog\'s shape, and never takes bad JSON', () => {
    const random = generator(7);
    let read = 0;
    let all = 0;
    for (let round = 0; round < 150; round++) {
      const { records: batch, resource } = body(random);
      for (const text of variants(JSON.stringify(encodeRecords(batch, resource)), random)) {
        all++;
        if (agrees(text)) read++;
      }
    }
    // some of the changed bodies are still read by the scanner (a record at a time the ordinary way)
    expect(read).toBeGreaterThan(all / 10);
    expect(read).toBeLessThan(all);
  }, 60_000);

  it('reads a body that is not ASCII and one with escapes in every string', () => {
    const records: PlainRecord[] = [
      { name: 'é', msg: 'naïve "quoted" \\ \n', levelno: 20, levelname: 'INFO', created: 1_700_000_000.5, uid: 'uid-é-1', exc_text: null, stack_info: null, city: 'Zürich' },
      { name: 'app', msg: 'plain', levelno: 30, levelname: 'WARNING', created: 1_700_000_001, uid: 'uid-plain-000000002', exc_text: null, stack_info: null, route: '/x' },
    ];
    const text = JSON.stringify(encodeRecords(records, { 'service.name': 'ünïcode' }));
    const scanned = scan(text);
    expect(scanned?.records.map((r) => r.msg)).toEqual(['naïve "quoted" \\ \n', 'plain']);
    // a uid outside printable ASCII is no uid (decodeRequest's rule), so the first has no line
    expect(scanned?.records.map((r) => r.uid)).toEqual(['', 'uid-plain-000000002']);
    expect(scanned?.lines[1]).toBe(formatter.formatFields((scanned as { records: PlainRecord[] }).records[1]));
    expect(agrees(text)).toBe(true);
  });

  it('reads an ASCII body past 64 KiB, whose text it makes in pieces, with every byte of a record in turn at the pieces\' border', () => {
    const records = (pad: number): PlainRecord[] => Array.from({ length: 180 }, (_, i) => ({
      name: 'app.module', msg: i === 0 ? 'p'.repeat(pad) : `request ${i} handled`, levelno: 20, levelname: 'INFO', created: 1_700_000_000 + i / 8,
      uid: `uid-border-${i}-abcdefghijklmnop`, exc_text: null, stack_info: null, route: '/api/items', status: 200, say: 'a "quoted" word',
    }));
    const first = JSON.stringify(encodeRecords(records(0), { 'service.name': 'shop' }));
    const width = first.indexOf('"request 2 handled"') - first.indexOf('"request 1 handled"');
    expect(first.length).toBeGreaterThan(65_536 + width);
    for (let pad = 0; pad <= width; pad++) {
      const text = JSON.stringify(encodeRecords(records(pad), { 'service.name': 'shop' }));
      expect(agrees(text)).toBe(true);
      expect(scan(text)?.lines.every((l) => l !== null)).toBe(true);
    }
  }, 60_000);

  it('leaves a frame of many keys to JSON.parse, and a record of many attributes to decodeRecord (checking keys against the others is quadratic)', () => {
    const record: PlainRecord = { name: 'app', msg: 'm', levelno: 20, levelname: 'INFO', created: 1_700_000_000, uid: 'uid-many-keys-0001', exc_text: null, stack_info: null };
    const many = { ...record, ...Object.fromEntries(Array.from({ length: 100 }, (_, k) => [`field${k}`, k])) };
    const wide = JSON.stringify(encodeRecords([many]));
    expect(scan(wide)?.lines).toEqual([null]);
    expect(agrees(wide)).toBe(true);
    const body = JSON.stringify(encodeRecords([record]));
    const keyed = `{${Array.from({ length: 20 }, (_, k) => `"junk${k}":${k},`).join('')}${body.slice(1)}`;
    expect(scan(keyed)).toBeNull();
    expect(agrees(keyed)).toBe(false);
  });

  it('detach() leaves a record\'s fields as they were, in their order', () => {
    const record: PlainRecord = { name: 'app', msg: 'a message long enough to be a slice', levelno: 20, levelname: 'INFO', created: 1_700_000_000, uid: 'uid-detached-000001',
      exc_text: null, stack_info: null, route: '/a/route/long/enough', n: 5 };
    const scanned = scan(JSON.stringify(encodeRecords([record])));
    const read = (scanned as { records: PlainRecord[] }).records[0];
    const before = Object.entries(read);
    expect(Object.entries(detach(read))).toEqual(before);
  });

  it('writes U+2028 and U+2029 escaped in a line, as the formatter does, so that a record cannot forge a line', () => {
    const record: PlainRecord = { name: 'app', msg: 'one\u2028two\u2029three', levelno: 20, levelname: 'INFO', created: 1_700_000_000, uid: 'uid-separators-1', exc_text: null, stack_info: null };
    const scanned = scan(JSON.stringify(encodeRecords([record])));
    expect(scanned?.lines[0]).toContain('one\\u2028two\\u2029three');
    expect(scanned?.lines[0]).not.toMatch(/[\u2028\u2029]/);
  });
});
