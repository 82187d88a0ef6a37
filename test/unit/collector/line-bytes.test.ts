// The scanner's line writer: a time written as bytes must be what isoTime() writes, whatever came before it.
import { describe, expect, it } from 'vitest';
import { LineWriter, lineText, sliceLines } from '../../../src/collector/line-bytes.js';
import { isoTime } from '../../../src/core/json-formatter.js';

describe('LineWriter', () => {
  it('writes each time as isoTime() gives it: across days, before 1970 and past the year 9999', () => {
    const day = 86_400_000;
    const times = [0, 1, -1, 999, 1000, day - 1, day, -day, 1_700_000_000_000, 1_700_000_000_000 + day - 1, 253_402_300_799_999, 253_402_300_800_000,
      -62_135_596_800_000, 8_640_000_000_000_000];
    // and some at random, each beside its neighbour (same day) and the next day's
    let seed = 12345;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    for (let k = 0; k < 300; k++) {
      const ms = Math.floor((random() - 0.3) * 4e12);
      times.push(ms, ms + 1, ms + 59_999, ms + day);
    }
    const w = new LineWriter(16);
    for (const ms of times) {
      w.begin();
      const length = w.timeLength(ms);
      w.time(ms);
      w.end();
      expect(length).toBe(isoTime(ms).length);
    }
    const lines = w.lines();
    expect(times.map((_, i) => lineText(lines, i))).toEqual(times.map((ms) => isoTime(ms)));
  });

  it('keeps each line where it began as the buffer grows, and slices share the bytes', () => {
    const w = new LineWriter(8);
    w.begin();
    w.text('é'.repeat(40));
    w.end();
    w.none();
    w.begin();
    w.ascii('plain');
    w.all(Buffer.from(' and bytes'));
    w.end();
    const lines = w.lines();
    expect([0, 1, 2].map((i) => lineText(lines, i))).toEqual(['é'.repeat(40), null, 'plain and bytes']);
    // each line is followed by its newline
    expect(Buffer.from(lines.bytes).toString('utf8', 0, lines.ends[2] + 1)).toBe(`${'é'.repeat(40)}\nplain and bytes\n`);
    const tail = sliceLines(lines, 1, 3);
    expect([0, 1].map((i) => lineText(tail, i))).toEqual([null, 'plain and bytes']);
  });
});
