// encodeBody: the flusher's OTLP body, encoded in slices with a pause after each.
import { describe, expect, it } from 'vitest';
import { encodeBody } from '../../../src/transport/otlp-body.js';
import { decodeRequest, encodeRecords } from '../../../src/transport/otlp.js';
import type { PlainRecord } from '../../../src/core/fields.js';

const record = (i: number, name: string): PlainRecord => ({
  name, msg: `record ${i} ✓ 😀`, message: `record ${i} ✓ 😀`, levelno: 20, levelname: 'INFO', created: 1_700_000_000 + i / 1000,
  uid: `u-${i}`, exc_text: i % 7 === 0 ? 'Error: boom\n    at f (a.js:1:1)' : null, stack_info: null, n: i, nested: { i, list: [i, 'x'] },
});

describe('encodeBody', () => {
  const resource = { 'service.name': 'shop', 'session.id': 's1' };

  it('decodes to the same records, each with its resource and scope, as the request encoded at once, and pauses between slices', async () => {
    const records = Array.from({ length: 1234 }, (_, i) => record(i, ['app', 'app.db', 'root'][i % 3]));
    let paces = 0;
    const body = await encodeBody(records, resource, async () => { paces++; });
    // the same records of each logger in the same order (the slices' scopes come in turn)
    const byLogger = (request: unknown) => {
      const out: Record<string, unknown[]> = {};
      for (const r of decodeRequest(request).records) (out[r.name] ??= []).push(r);
      return out;
    };
    expect(byLogger(JSON.parse(body))).toEqual(byLogger(encodeRecords(records, resource)));
    expect(decodeRequest(JSON.parse(body)).records).toHaveLength(1234);
    // 1,234 records, 250 a slice: a pause after each of 5 slices
    expect(paces).toBe(5);
  });

  it('is the empty request when there are no records', async () => {
    const body = await encodeBody([], resource, async () => undefined);
    expect(body).toBe(JSON.stringify(encodeRecords([], resource)));
  });

});
