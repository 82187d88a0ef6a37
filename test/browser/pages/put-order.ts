// A page that speaks the worker's protocol itself (protocol.ts), to see in what order the worker
// answers: its puts, and its stats() that say when the flusher counted a request as sent.
import { BatchBuilder } from '../../../src/pipeline/batch-encoder.js';
import { workerInit } from '../../../src/pipeline/worker-init.js';
import type { ListenerAnswer, ListenerCall, ListenerReport, PipelineStats } from '../../../src/pipeline/protocol.js';

/** A round: one put of one record and one stats(); where their answers came among all answers. */
export interface Round { n: number; putAnswer: number; statsAnswer: number; sent: number }

declare global {
  interface Window {
    putOrder: {
      /**
       * Stores `backlog` records (batches of 1,000) while the page holds the flusher's Web Lock,
       * then lets the flusher go and, a task after another, puts one record (`round n`) and asks
       * stats(), until a stats() answer shows a request sent and `after` rounds more.
       */
      run(collector: string, backlog: number, after: number): Promise<{ rounds: Round[]; firstSent: number; durableBefore: number; sentBefore: number }>;
    };
  }
}

const nextTask = (): Promise<void> => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port2.onmessage = () => resolve();
  channel.port1.postMessage(null);
});

function batchOf(run: string, from: number, to: number): string {
  const builder = new BatchBuilder(null);
  // fields that make each record's OTLP encoding take some work, as real context does
  for (let n = from; n < to; n++) builder.addCall('test.order', 20, 'record %d of %s', [n, run], { run, n, user: `u${n % 97}` });
  return builder.finish();
}

window.putOrder = {
  async run(collector, backlog, after) {
    const init = workerInit({ collector, storage: { database: `put-order-${Math.random().toString(36).slice(2)}` } }, 'put-order');
    // the flusher waits for this lock (flusher.ts): while the page holds it, nothing is sent
    let release!: () => void;
    await new Promise<void>((granted) => {
      void navigator.locks.request(`isolog-flusher:${init.storage.database}`, () => { granted(); return new Promise<void>((r) => { release = r; }); });
    });
    const worker = new Worker('/worker.js', { type: 'module' });
    let answers = 0;
    let nextId = 0;
    const waiting = new Map<number, (value: unknown, at: number) => void>();
    worker.onmessage = (event: MessageEvent<ListenerAnswer | ListenerReport>) => {
      if ('report' in event.data) return;
      const at = answers++;
      const { id } = event.data;
      if ('error' in event.data) throw new Error(event.data.error.message);
      waiting.get(id)?.(event.data.value, at);
      waiting.delete(id);
    };
    const call = (method: ListenerCall['method'], ...args: unknown[]): Promise<[unknown, number]> => new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, (value, at) => resolve([value, at]));
      worker.postMessage({ id, method, args } satisfies ListenerCall);
    });
    await call('init', init);
    const puts: Promise<unknown>[] = [];
    for (let n = 0; n < backlog; n += 1000) puts.push(call('put', batchOf('backlog', n, Math.min(backlog, n + 1000)), Math.min(1000, backlog - n)));
    await Promise.all(puts);
    const [before] = (await call('stats')) as [PipelineStats, number];

    const rounds: Promise<Round>[] = [];
    let firstSent = -1;
    let roundsAfter = -1;
    for (let n = 0; roundsAfter < after && n < 100_000; n++) {
      const put = call('put', batchOf('round', n, n + 1), 1);
      const stats = call('stats').then(([value, at]) => {
        const { sent } = value as PipelineStats;
        if (sent > 0 && (firstSent === -1 || at < firstSent)) firstSent = at;
        return [sent, at] as const;
      });
      rounds.push(Promise.all([put, stats]).then(([[, putAnswer], [sent, statsAnswer]]) => ({ n, putAnswer, statsAnswer, sent })));
      // the flusher goes once the first round is on its way
      if (n === 0) release();
      await nextTask();
      if (firstSent >= 0) roundsAfter++;
    }
    const all = await Promise.all(rounds);
    await call('stop');
    worker.terminate();
    return { rounds: all, firstSent, durableBefore: before.durable, sentBefore: before.sent };
  },
};
