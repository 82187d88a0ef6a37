// The size budgets of issue 16, checked as limits (not timings): what a page downloads before it
// runs, bundled with code splitting; the worker bundle; the core entry. Each is min+gzip as
// scripts/build.mjs measures and reports it.
import { describe, expect, it } from 'vitest';
// @ts-expect-error scripts/build.mjs is plain JavaScript without declarations
import { measure, SIZES } from '../../../scripts/build.mjs';

interface SizeEntry { name: string; code: string; budget?: number; limit?: number; firstLoad?: unknown }
interface Size { gzip: number; lazy?: { chunk: string }[] }

const entries = SIZES as SizeEntry[];
const bounded = entries.filter((entry) => entry.budget !== undefined || entry.limit !== undefined);

describe('size budgets (min+gzip)', () => {
  it('has the budgets of issue 16: the core entry 13 KB, the page first load 10 KB, the worker 11 KB', () => {
    const budgets = Object.fromEntries(entries.filter((e) => e.budget !== undefined).map((e) => [e.name.split(' (')[0], e.budget]));
    expect(budgets).toEqual({ core: 13 * 1024, 'page first load': 10 * 1024, 'worker bundle': 11 * 1024 });
  });

  for (const entry of bounded) {
    // a limit, where set, is what the entry must not pass while it is over its budget
    const bound = (entry.limit ?? entry.budget) as number;
    it(`${entry.name} is within ${bound} B`, async () => {
      const { gzip } = (await measure(entry)) as Size;
      expect(gzip, `${entry.name}: ${gzip} B min+gzip, ${entry.limit ? 'limit' : 'budget'} ${bound} B`).toBeLessThanOrEqual(bound);
    });
  }

  it('leaves the in-page fallback listener and the pipeline off the first load (import()ed chunks)', async () => {
    for (const entry of entries.filter((e) => e.firstLoad && e.name.startsWith('page first load'))) {
      const { lazy } = (await measure(entry)) as Size;
      const chunks = (lazy ?? []).map((l) => l.chunk).join(' ');
      expect(chunks).toMatch(/listener/);
      expect(chunks).toMatch(/start/);
    }
  });

  it("leaves the error context's ring off the worker's load (an import()ed chunk)", async () => {
    const worker = entries.find((e) => e.name.startsWith('worker bundle'));
    const { lazy } = (await measure(worker as (typeof entries)[number])) as Size;
    expect((lazy ?? []).map((l) => l.chunk).join(' ')).toMatch(/context-ring/);
  });
});
