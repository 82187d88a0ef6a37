// While startBrowserLogging loads the pipeline's chunk, the root's records wait in EarlyRecords;
// once the page's QueueHandler is there, it gets them all, in order, as the logger made them.
import { afterEach, describe, expect, it } from 'vitest';
import { Handler } from '../../../src/core/handler.js';
import { getLogger } from '../../../src/core/logger.js';
import { INFO } from '../../../src/core/level.js';
import type { LogRecord } from '../../../src/core/record.js';
import { EarlyRecords } from '../../../src/pipeline/page/early-records.js';

class Collecting extends Handler {
  records: LogRecord[] = [];
  emit(record: LogRecord): void { this.records.push(record); }
}

const log = getLogger('early.test');
afterEach(() => { for (const h of [...log.handlers]) log.removeHandler(h); });

describe('EarlyRecords', () => {
  it('keeps what is logged before the hand-over and gives it, in order and with its own time and seq, then passes on what comes after', async () => {
    const early = new EarlyRecords();
    log.addHandler(early);
    log.setLevel(INFO);
    log.info('first %s', 'a');
    log.warning('second', { user: 'ann' });
    const kept = await new Promise<LogRecord[]>((resolve) => setTimeout(() => {
      const target = new Collecting();
      early.handOver(target);
      log.info('third');
      resolve(target.records);
    }, 10));
    expect(kept.map((r) => r.getMessage())).toEqual(['first a', 'second', 'third']);
    expect(kept[0].seq).toBeLessThan(kept[1].seq);
    // the time is when the call was made, not when the records were handed over
    expect(kept[2].created - kept[0].created).toBeGreaterThanOrEqual(0.003);
  });
});
