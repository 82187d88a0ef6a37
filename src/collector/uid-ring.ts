// The uids the collector remembers: at most `capacity`, the oldest forgotten first, each operation
// O(1). A ring holds them in arrival order; an open-addressing index over typed arrays finds them.
// (A Set finds its oldest value by walking past every entry deleted before it, O(n) per eviction
// once a million were deleted; and a restart's million adds to a Set took most of a second.)

// uids made one string together (about 60 KB of text, under V8's large-object size)
const CHUNK = 2048;

/** FNV-1a over the characters, then murmur3's finalizer, so that uids alike spread apart. */
function hashOf(text: string, start: number, length: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < start + length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/**
 * A bounded set of strings that forgets its oldest when full.
 * @example const ring = new UidRing(2); ring.add('a'); ring.add('b'); ring.add('c'); ring.has('a') // false
 */
export class UidRing {
  // by position in the ring: the uid while it is one of the last few added (undefined once it is in
  // a chunk), and its hash
  private ring: (string | undefined)[] = [];
  private readonly ringHashes: Int32Array;
  private next = 0;
  // cell c -> at 2c its ring position + 1 (0: empty), at 2c + 1 its hash: one cache line for a
  // probe's both reads; at most half full, so probes stay short
  private readonly cells: Int32Array;
  private readonly mask: number;
  // the uids are kept as text, CHUNK of them a string (a journal's restored uids one string): a
  // million strings of their own cost a restart most of a second of garbage collection, and the
  // collector, while it ran, some 4% of its CPU. By position: the chunk (its number), where in it, how long
  private readonly chunkOf: Int32Array;
  private readonly starts: Int32Array;
  private readonly lengths: Uint16Array;
  // the chunks not yet wholly forgotten, oldest first (chunk number `firstChunk` at index 0), and
  // how many of their uids are still held; they are forgotten in the order they were made
  private chunks: string[] = [];
  private chunkLeft: number[] = [];
  private firstChunk = 0;
  /** The positions added since the last chunk was made. */
  private fresh: number[] = [];

  constructor(readonly capacity: number) {
    let size = 8;
    while (size < capacity * 2) size *= 2;
    this.cells = new Int32Array(size * 2);
    this.mask = size - 1;
    this.ringHashes = new Int32Array(capacity);
    this.chunkOf = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
    this.lengths = new Uint16Array(capacity);
  }

  get size(): number {
    return this.ring.length;
  }

  has(uid: string): boolean {
    return this.find(uid, 0, uid.length, hashOf(uid, 0, uid.length)) >= 0;
  }

  /** Adds a uid not yet held; when full, the oldest is forgotten. */
  add(uid: string): void {
    const h = hashOf(uid, 0, uid.length);
    if (this.capacity === 0 || this.find(uid, 0, uid.length, h) >= 0) return;
    const position = this.ring.length < this.capacity ? this.ring.length : this.forgetOldest();
    this.ring[position] = uid;
    this.ringHashes[position] = h;
    this.insert(h, position);
    // sealed before the ring comes round to a fresh position again, so each is in `fresh` once
    this.fresh.push(position);
    if (this.fresh.length >= Math.min(CHUNK, this.capacity)) this.seal();
  }

  /** Makes the uids added since the last chunk one string, each read from it from now on. */
  private seal(): void {
    const positions = this.fresh;
    this.fresh = [];
    const uids = positions.map((p) => this.ring[p] as string);
    const chunk = this.chunks.length + this.firstChunk;
    let at = 0;
    positions.forEach((p, i) => {
      this.chunkOf[p] = chunk;
      this.starts[p] = at;
      this.lengths[p] = uids[i].length;
      at += uids[i].length;
      this.ring[p] = undefined;
    });
    this.chunks.push(uids.join(''));
    this.chunkLeft.push(positions.length);
  }

  /**
   * Fills an empty ring with the uids at `starts`/`lengths` of `text` (oldest first, at most
   * `capacity`), reading them from `text` rather than making a string of each.
   */
  restore(text: string, starts: Int32Array, lengths: Uint16Array): void {
    if (this.ring.length > 0 || starts.length > this.capacity) throw new RangeError('restore() fills an empty ring with at most capacity uids');
    if (starts.length === 0) return;
    this.chunks = [text];
    this.chunkLeft = [starts.length];
    this.starts.set(starts);
    this.lengths.set(lengths);
    this.chunkOf.fill(this.firstChunk, 0, starts.length);
    this.ring = new Array<string | undefined>(starts.length);
    for (let position = 0; position < starts.length; position++) {
      const h = hashOf(text, starts[position], lengths[position]);
      this.ringHashes[position] = h;
      // a uid twice in a journal is indexed once; its other position is forgotten in its turn
      if (this.find(text, starts[position], lengths[position], h) < 0) this.insert(h, position);
    }
  }

  /** The uids held, oldest first. */
  values(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.ring.length; i++) out.push(this.uidAt((this.next + i) % this.ring.length));
    return out;
  }

  private uidAt(position: number): string {
    return this.ring[position] ?? this.chunkAt(position).substr(this.starts[position], this.lengths[position]);
  }

  /** The chunk that holds the uid at `position` (one no longer fresh). */
  private chunkAt(position: number): string {
    return this.chunks[this.chunkOf[position] - this.firstChunk];
  }

  /** Empties the oldest position and returns it. */
  private forgetOldest(): number {
    const position = this.next;
    const h = this.ringHashes[position];
    for (let cell = h & this.mask; this.cells[cell * 2] !== 0; cell = (cell + 1) & this.mask) {
      if (this.cells[cell * 2] === position + 1) {
        this.remove(cell);
        break;
      }
    }
    if (this.ring[position] === undefined && --this.chunkLeft[this.chunkOf[position] - this.firstChunk] === 0) {
      // chunks are forgotten oldest first: this one is at the head
      this.chunks.shift();
      this.chunkLeft.shift();
      this.firstChunk++;
    }
    this.next = (position + 1) % this.capacity;
    return position;
  }

  /** The cell holding the uid text[start, start + length), or -1. */
  private find(text: string, start: number, length: number, h: number): number {
    const cells = this.cells;
    for (let cell = h & this.mask; cells[cell * 2] !== 0; cell = (cell + 1) & this.mask) {
      if (cells[cell * 2 + 1] === h && this.holds(cells[cell * 2] - 1, text, start, length)) return cell;
    }
    return -1;
  }

  /** Whether the uid at `position` is text[start, start + length). */
  private holds(position: number, text: string, start: number, length: number): boolean {
    const held = this.ring[position];
    if (held !== undefined) return held.length === length && text.startsWith(held, start);
    if (this.lengths[position] !== length) return false;
    const from = this.starts[position];
    const chunk = this.chunkAt(position);
    if (start === 0 && length === text.length) return chunk.startsWith(text, from);
    for (let i = 0; i < length; i++) if (chunk.charCodeAt(from + i) !== text.charCodeAt(start + i)) return false;
    return true;
  }

  private insert(h: number, position: number): void {
    let cell = h & this.mask;
    while (this.cells[cell * 2] !== 0) cell = (cell + 1) & this.mask;
    this.cells[cell * 2] = position + 1;
    this.cells[cell * 2 + 1] = h;
  }

  /** Empties a cell, moving back the entries after it that probed past it (no tombstones left behind). */
  private remove(cell: number): void {
    const cells = this.cells;
    let hole = cell;
    for (let at = (hole + 1) & this.mask; cells[at * 2] !== 0; at = (at + 1) & this.mask) {
      const home = cells[at * 2 + 1] & this.mask;
      // the entry at `at` may fill the hole unless its home lies cyclically in (hole, at]
      const homeAfterHole = hole <= at ? home > hole && home <= at : home > hole || home <= at;
      if (homeAfterHole) continue;
      cells[hole * 2] = cells[at * 2];
      cells[hole * 2 + 1] = cells[at * 2 + 1];
      hole = at;
    }
    cells[hole * 2] = 0;
  }
}
