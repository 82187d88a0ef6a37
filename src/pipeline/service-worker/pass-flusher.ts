// The flusher of a Service Worker, which lives only as long as its events: no loop of its own, but
// bounded passes that an event awaits (`waitUntil`). The same reading, sending and deleting as a
// page's worker (Flusher.step), under the same Web Lock; kept apart so that none of it is in the
// dedicated worker's bundle.
import { Flusher, type Read, type WorkerNavigatorLike } from '../worker/flusher.js';

/**
 * How a bounded pass ended: nothing left; the budget spent while sending ('budget') or while the
 * last send failed and waited to retry ('failing'); offline, before a send or after one that got
 * no answer ('network'); flushing stopped (401/403); or another worker is the flusher.
 */
export type PassEnd = 'empty' | 'budget' | 'failing' | 'offline' | 'network' | 'halted' | 'elsewhere';

/** A Flusher that flushes in bounded passes (pass()) instead of a loop; start() starts nothing. */
export class PassFlusher extends Flusher {
  /** The pass under way: a pass asked for meanwhile joins it. */
  private passing: Promise<PassEnd> | null = null;

  override start(): void {}

  /**
   * One bounded pass, for a Service Worker, which lives only as long as its events: sends until
   * nothing is stored, the network fails or `budgetMs` is spent (no batch is taken after it; what
   * is left stays stored). Under the origin's lock when it is free; when another worker holds it,
   * that one is the flusher and the pass ends at once ('elsewhere').
   */
  pass(budgetMs: number): Promise<PassEnd> {
    if (this.passing) return this.passing;
    const locks = (globalThis.navigator as WorkerNavigatorLike | undefined)?.locks;
    const run = async (): Promise<PassEnd> => {
      this.stats.flushing = true;
      try { return await this.passLoop(Date.now() + budgetMs); } finally { this.stats.flushing = false; }
    };
    const passing = locks
      ? locks.request(this.lockName, { ifAvailable: true }, (lock) => (lock ? run() : 'elsewhere' as const))
      : run();
    this.passing = passing.finally(() => { this.passing = null; });
    return this.passing;
  }

  private async passLoop(deadline: number): Promise<PassEnd> {
    let kept: Read | null = null;
    let failing = false;
    for (;;) {
      if (this.halted) return 'halted';
      if (this.scheduler.stopped) return 'empty';
      if (Date.now() >= deadline) return failing ? 'failing' : 'budget';
      this.storedSince = false;
      const step = await this.step(kept);
      kept = step.kept ?? null;
      failing = step.end === 'retry';
      if (step.end === 'sent') continue;
      // a batch stored while the queue was read is sent by this pass too
      if (step.end === 'empty' && this.storedSince) continue;
      if (step.end !== 'retry') return step.end;
      // no answer, and the browser knows it is offline: a Background Sync waits for the network;
      // online, the collector may be back in a moment, so the pass retries within its budget
      if (step.answer?.status === null && (globalThis.navigator as WorkerNavigatorLike | undefined)?.onLine === false) return 'network';
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.scheduler.waitToRetry(step.answer?.retryAfter ?? null), new Promise((r) => { timer = setTimeout(r, deadline - Date.now()); })]);
      clearTimeout(timer);
    }
  }
}
