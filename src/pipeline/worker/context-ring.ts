// The page's error context, in the worker: a batch's quiet records (below passLevel) go to a ring
// in IndexedDB of the page's own, not to the queue; a record at triggerLevel or above takes the ring
// with it into the queue, each ring record marked `contextOf` its uid, in one write. So a crash
// right after an error still ships the error's context, and a healthy page ships none of its quiet
// records. The ring holds `capacity` records (the oldest pushed out first) of at most `maxAgeSeconds`;
// what goes is counted. Records of a page that closed without an error age out at a later start.
//
// A chunk of its own in dist/ (the listener imports it only for a page with errorContext), it gets
// what it shares with the listener (idb-keyval, the batch decoder) from it: so no code moves out of
// worker.js into a chunk both would load.
import type { createStore, delMany, promisifyRequest, setMany, UseStore } from 'idb-keyval';
import type { PlainRecord } from '../../core/fields.js';
import type { ContextConfig, ContextStats } from '../protocol.js';
import type { StoredBatch } from './durable-queue.js';

/** What the ring uses of the listener's modules. */
export interface RingTools {
  /** A page's batch as records (decodeBatch with the worker's JSON_TEXT). */
  decode(raw: string): PlainRecord[];
  createStore: typeof createStore;
  setMany: typeof setMany;
  delMany: typeof delMany;
  promisifyRequest: typeof promisifyRequest;
}

/** Keys: [session, ms, sequence], so that one session's groups are a range, oldest first. */
export type GroupKey = [string, number, number];
interface Group { key: GroupKey; count: number; newest: number }

/** The bytes a record is taken to need in the queue, as the page's batches count them. */
const recordBytes = (r: PlainRecord): number => JSON.stringify(r).length;

/** Where a ring keeps its records: IndexedDB, or memory where there is none. */
interface RingStore {
  put(key: GroupKey, records: PlainRecord[]): Promise<void>;
  take(keys: GroupKey[]): Promise<PlainRecord[][]>;
  remove(keys: GroupKey[]): Promise<void>;
  /** Every group of every session: key, record count and newest record's time. */
  all(): Promise<{ key: GroupKey; records: PlainRecord[] }[]>;
}

class IndexedDbRing implements RingStore {
  private readonly store: UseStore;
  constructor(database: string, private readonly tools: RingTools) {
    this.store = tools.createStore(`${database}-context`, 'ring');
  }
  put(key: GroupKey, records: PlainRecord[]): Promise<void> {
    return this.tools.setMany([[key, records]], this.store);
  }
  take(keys: GroupKey[]): Promise<PlainRecord[][]> {
    const { promisifyRequest } = this.tools;
    return this.store('readonly', (s) => Promise.all(keys.map((k) => promisifyRequest(s.get(k)) as Promise<PlainRecord[] | undefined>)))
      .then((groups) => groups.map((g) => g ?? []));
  }
  remove(keys: GroupKey[]): Promise<void> {
    return keys.length ? this.tools.delMany(keys, this.store) : Promise.resolve();
  }
  all(): Promise<{ key: GroupKey; records: PlainRecord[] }[]> {
    const { promisifyRequest } = this.tools;
    return this.store('readonly', async (s) => {
      const [keys, values] = await Promise.all([promisifyRequest(s.getAllKeys()), promisifyRequest(s.getAll())]);
      return (keys as GroupKey[]).map((key, i) => ({ key, records: values[i] as PlainRecord[] }));
    });
  }
}

class MemoryRing implements RingStore {
  private readonly groups = new Map<string, { key: GroupKey; records: PlainRecord[] }>();
  async put(key: GroupKey, records: PlainRecord[]): Promise<void> { this.groups.set(key.join(':'), { key, records }); }
  async take(keys: GroupKey[]): Promise<PlainRecord[][]> { return keys.map((k) => this.groups.get(k.join(':'))?.records ?? []); }
  async remove(keys: GroupKey[]): Promise<void> { for (const k of keys) this.groups.delete(k.join(':')); }
  async all(): Promise<{ key: GroupKey; records: PlainRecord[] }[]> { return [...this.groups.values()]; }
}

/** What route() makes of a batch: what to store now, and what the ring gives up and takes once it is stored. */
export interface Routed { batches: StoredBatch[]; taken: GroupKey[]; after: PlainRecord[] }

/** The error context of one page (one session), in front of its durable queue. */
export class ContextRing {
  readonly stats: ContextStats = { kept: 0, shipped: 0, agedOut: 0, pushedOut: 0 };
  private readonly groups: Group[] = [];
  private held = 0;
  private seq = 0;

  private constructor(private readonly store: RingStore, private readonly config: ContextConfig, private readonly session: string,
    private readonly decode: (raw: string) => PlainRecord[]) {}

  /**
   * The ring for `session` in `database`'s context store; groups of other sessions older than
   * maxAgeSeconds are dropped (their pages closed without an error), counted as aged out.
   */
  static async open(database: string, config: ContextConfig, session: string, durable: boolean, tools: RingTools): Promise<ContextRing> {
    let store: RingStore = new MemoryRing();
    if (durable && typeof indexedDB !== 'undefined') {
      try {
        const ring = new IndexedDbRing(database, tools);
        await ring.all();
        store = ring;
      } catch {
        // no IndexedDB for the ring: it is kept in memory, as the queue would be
      }
    }
    const ring = new ContextRing(store, config, session, tools.decode);
    const oldest = Date.now() - config.maxAgeSeconds * 1000;
    const stale: GroupKey[] = [];
    for (const { key, records } of await store.all()) {
      const newest = records.reduce((t, r) => Math.max(t, r.created * 1000), 0);
      if (key[0] === session) ring.adopt(key, records.length, newest);
      else if (newest < oldest) {
        stale.push(key);
        ring.stats.agedOut += records.length;
      }
    }
    await store.remove(stale);
    return ring;
  }

  private adopt(key: GroupKey, count: number, newest: number): void {
    this.groups.push({ key, count, newest });
    this.groups.sort((a, b) => a.key[1] - b.key[1] || a.key[2] - b.key[2]);
    this.held += count;
    this.seq = Math.max(this.seq, key[2] + 1);
  }

  /**
   * What of a page's batch goes to the queue now, and what the ring takes once that is stored
   * (`stored(routed)`): a batch of loud records only goes as it came; quiet records wait in the
   * ring; at a trigger the ring's records, and the batch's quiet ones before it, go ahead of it
   * marked `contextOf` its uid. Calls must not overlap: the listener runs them one at a time.
   */
  async route(raw: string): Promise<Routed> {
    const { passLevel, triggerLevel, capacity } = this.config;
    const records = this.decode(raw);
    const first = records.find((r) => r.levelno >= triggerLevel);
    if (!first) {
      const quiet = records.filter((r) => r.levelno < passLevel);
      if (quiet.length === 0) return { batches: [{ raw, count: records.length, bytes: raw.length }], taken: [], after: [] };
      await this.keep(quiet);
      const loud = records.filter((r) => r.levelno >= passLevel);
      return { batches: loud.length > 0 ? [recordsBatch(loud)] : [], taken: [], after: [] };
    }
    const taken = this.groups.map((g) => g.key);
    let context = await this.takeAll(first.created * 1000);
    const out: PlainRecord[] = [];
    for (const r of records) {
      if (r.levelno >= triggerLevel) {
        this.stats.shipped += context.length;
        for (const c of context) out.push({ ...c, contextOf: r.uid });
        out.push(context.length > 0 ? { ...r, contextRecords: context.length } : r);
        context = [];
      } else if (r.levelno >= passLevel) {
        out.push(r);
      } else {
        context.push(r);
        if (context.length > capacity) {
          context.shift();
          this.stats.pushedOut++;
        }
      }
    }
    // quiet records after the last trigger start the next ring
    return { batches: [recordsBatch(out)], taken, after: context };
  }

  /** Once route()'s batches are stored: the ring records they carry leave the ring, the quiet ones after the last trigger enter it. */
  async stored(routed: Routed): Promise<void> {
    await this.store.remove(routed.taken);
    if (routed.after.length > 0) await this.keep(routed.after);
  }

  /** Stores quiet records as one group, then drops what is too old or too many. */
  private async keep(records: PlainRecord[]): Promise<void> {
    const now = Date.now();
    const key: GroupKey = [this.session, now, this.seq++];
    await this.store.put(key, records);
    const newest = records.reduce((t, r) => Math.max(t, r.created * 1000), 0);
    this.groups.push({ key, count: records.length, newest });
    this.held += records.length;
    this.stats.kept += records.length;
    const gone: GroupKey[] = [];
    const oldest = now - this.config.maxAgeSeconds * 1000;
    while (this.groups.length > 1 && this.groups[0].newest < oldest) {
      const g = this.groups.shift() as Group;
      this.held -= g.count;
      this.stats.agedOut += g.count;
      gone.push(g.key);
    }
    // whole groups past the capacity; the oldest group left may hold a few more, cut at a trigger
    while (this.groups.length > 1 && this.held - this.groups[0].count >= this.config.capacity) {
      const g = this.groups.shift() as Group;
      this.held -= g.count;
      this.stats.pushedOut += g.count;
      gone.push(g.key);
    }
    await this.store.remove(gone);
  }

  /** The ring's records, the newest `capacity` of those not older than maxAgeSeconds before `at`; they leave IndexedDB in stored(). */
  private async takeAll(at: number): Promise<PlainRecord[]> {
    const groups = this.groups.splice(0);
    this.held = 0;
    if (groups.length === 0) return [];
    const all = (await this.store.take(groups.map((g) => g.key))).flat();
    const oldest = at - this.config.maxAgeSeconds * 1000;
    const fresh = all.filter((r) => r.created * 1000 >= oldest);
    this.stats.agedOut += all.length - fresh.length;
    const kept = fresh.slice(Math.max(0, fresh.length - this.config.capacity));
    this.stats.pushedOut += fresh.length - kept.length;
    return kept;
  }
}

/** Records the worker made (or re-made) as a queue batch. */
function recordsBatch(records: PlainRecord[]): StoredBatch {
  return { records, count: records.length, bytes: records.reduce((n, r) => n + recordBytes(r), 0) };
}
