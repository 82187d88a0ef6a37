// OTLP encode and decode share one record type: what the collector decodes, it can send on as it
// came (the forwarder), attributes and resources included.
import { describe, expect, it } from 'vitest';
import type { PlainRecord } from '../../../src/core/fields.js';
import { decodeRequest, encodeAsReceived, encodeRecords, type ExportLogsServiceRequest } from '../../../src/transport/otlp.js';

const request: ExportLogsServiceRequest = {
  resourceLogs: ['shop', 'api'].map((service) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scopeLogs: [{
      scope: { name: `${service}.log` },
      logRecords: [{
        timeUnixNano: '1795342830123456789', severityNumber: 13, severityText: 'WARNING', body: { stringValue: `from ${service}` },
        traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174',
        attributes: [
          { key: 'log.record.uid', value: { stringValue: `${service}-1` } },
          { key: 'route', value: { stringValue: '/pay' } },
          // attributes named like a record's own fields
          { key: 'name', value: { stringValue: 'an attribute' } },
          { key: 'resource', value: { intValue: 3 } },
          // and one whose own name looks escaped already
          { key: 'attr.name', value: { stringValue: 'literally attr.name' } },
        ],
      }],
    }],
  })),
};

describe('OTLP', () => {
  it('decodes attributes into fields, attr.X where X is a record field, and the context fields apart', () => {
    const [shop] = decodeRequest(request).records;
    expect(shop).toMatchObject({
      name: 'shop.log', msg: 'from shop', levelno: 30, levelname: 'WARNING', uid: 'shop-1', created: 1795342830.123,
      timeUnixNano: '1795342830123456789', traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174',
      resource: { 'service.name': 'shop' }, route: '/pay', 'attr.name': 'an attribute', 'attr.resource': 3, 'attr.attr.name': 'literally attr.name',
    });
  });

  it('encodes decoded records back as they came: their resources, times to the nanosecond, attribute names', () => {
    const again = encodeAsReceived(decodeRequest(request).records);
    expect(again).toEqual(request);
  });

  it('sends a record made before 1970 (a clock at 0) with the time it was observed, which the collector takes', () => {
    const at = (created: number): PlainRecord => ({ name: 'x', msg: 'm', levelno: 20, levelname: 'INFO', created, uid: `t-${created}`, exc_text: null, stack_info: null });
    const before = Date.now();
    const request = encodeRecords([at(0), at(-5), at(Number.NaN), at(1_795_342_830.123)]);
    const sent = request.resourceLogs[0].scopeLogs[0].logRecords;
    expect(sent.map((r) => r.timeUnixNano)).toEqual([undefined, undefined, undefined, '1795342830123000000']);
    for (const r of sent.slice(0, 3)) expect(Number(String(r.observedTimeUnixNano).slice(0, -6))).toBeGreaterThanOrEqual(before);
    const decoded = decodeRequest(JSON.parse(JSON.stringify(request)));
    expect(decoded.rejected).toBe(0);
    expect(decoded.records.map((r) => r.created >= before / 1000)).toEqual([true, true, true, false]);
  });

  it('names in exception.type and .message the error logged: the last block of a chain, or the fields the page gave', async () => {
    const { formatError } = await import('../../../src/core/exception.js');
    const at = (exc_text: string, fields: Record<string, unknown> = {}): Record<string, unknown> => {
      const record: PlainRecord = { name: 'x', msg: 'm', levelno: 40, levelname: 'ERROR', created: 1, uid: '', exc_text, stack_info: null, ...fields };
      const sent = encodeRecords([record]).resourceLogs[0].scopeLogs[0].logRecords[0].attributes ?? [];
      return Object.fromEntries(sent.filter((kv) => kv.key !== 'exception.stacktrace').map((kv) => [kv.key, Object.values(kv.value ?? {})[0]]));
    };
    expect(at(formatError(new TypeError('card declined', { cause: new Error('gateway 502') })))).toEqual({ 'exception.type': 'TypeError', 'exception.message': 'card declined' });
    expect(at(formatError(new AggregateError([new Error('a', { cause: new Error('b') })], 'all failed')))).toEqual({ 'exception.type': 'AggregateError', 'exception.message': 'all failed' });
    expect(at('Error: first\n\nDuring handling of the above exception, another exception occurred:\n\nKeyError: 1')).toEqual({ 'exception.type': 'KeyError', 'exception.message': '1' });
    expect(at('NoneType: None')).toEqual({ 'exception.type': 'NoneType', 'exception.message': 'None' });
    expect(at('text', { 'exception.type': 'Error', 'exception.message': 'two\nlines' })).toEqual({ 'exception.type': 'Error', 'exception.message': 'two\nlines' });
  });

  it('sends no uid attribute for a record that came without one', () => {
    const record: PlainRecord = { name: 'x', msg: 'm', levelno: 20, levelname: 'INFO', created: 1, uid: '', exc_text: null, stack_info: null };
    const attributes = encodeRecords([record]).resourceLogs[0].scopeLogs[0].logRecords[0].attributes;
    expect(attributes).toEqual([]);
  });

  it("takes a record's timeUnixNano field for its time only when it is a time in nanoseconds", () => {
    const base: PlainRecord = { name: 'x', msg: 'm', levelno: 20, levelname: 'INFO', created: 1795342830.123, uid: 'u', exc_text: null, stack_info: null };
    const timeOf = (extra: Record<string, unknown>) => encodeRecords([{ ...base, ...extra }]).resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano;
    expect(timeOf({ timeUnixNano: '1795342830123456789' })).toBe('1795342830123456789');
    // an extra field a page happened to call so: the record's own time goes out
    expect(timeOf({ timeUnixNano: 'n/a' })).toBe('1795342830123000000');
  });

  it('names the exception of a Python traceback by its last line, as Python prints it', () => {
    const base: PlainRecord = { name: 'x', msg: 'm', levelno: 40, levelname: 'ERROR', created: 1795342830.123, uid: 'u', stack_info: null,
      exc_text: 'Traceback (most recent call last):\n  File "app.py", line 3, in <module>\n    pay()\nValueError: card declined\n' };
    const attributes = encodeRecords([base]).resourceLogs[0].scopeLogs[0].logRecords[0].attributes ?? [];
    const value = (key: string) => (attributes.find((a) => a.key === key)?.value as { stringValue?: string } | undefined)?.stringValue;
    expect([value('exception.type'), value('exception.message')]).toEqual(['ValueError', 'card declined']);
  });
});
