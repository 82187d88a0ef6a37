import { describe, expect, it } from 'vitest';
import { continueTrace, formatTraceparent, newSpanId, newTraceId, parseTraceparent } from '../../../src/core/trace-context.js';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('traceparent', () => {
  it('reads the ids and flags of a valid header', () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', flags: 1 });
  });

  it.each([
    ['absent', null],
    ['empty', ''],
    ['upper-case hex', VALID.toUpperCase()],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['an all-zero span id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['fields after version 00', `${VALID}-extra`],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
  ])('refuses %s', (_, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('accepts fields a later version appends', () => {
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-what-comes-next')?.flags).toBe(0);
  });

  it('continues a valid trace with a new span, keeping its flags', () => {
    const trace = continueTrace('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00');
    expect(trace.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(trace.parentSpanId).toBe('00f067aa0ba902b7');
    expect(trace.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(trace.spanId).not.toBe('00f067aa0ba902b7');
    expect(trace.flags).toBe(0);
  });

  it('starts a new sampled trace when the header is malformed', () => {
    const trace = continueTrace('garbage');
    expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(trace.parentSpanId).toBeUndefined();
    expect(trace.flags).toBe(1);
  });

  it('writes a header that reads back as the same span', () => {
    const trace = continueTrace();
    expect(parseTraceparent(formatTraceparent(trace))).toEqual({ traceId: trace.traceId, parentSpanId: trace.spanId, flags: 1 });
  });

  it('draws different ids each time', () => {
    expect(new Set(Array.from({ length: 100 }, newTraceId)).size).toBe(100);
    expect(new Set(Array.from({ length: 100 }, newSpanId)).size).toBe(100);
  });
});
