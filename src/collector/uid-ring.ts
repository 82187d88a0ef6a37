// The uids the collector remembers: at most `capacity`, the oldest forgotten first, each operation
// O(1). A ring holds them in arrival order; an open-addressing index over typed arrays finds them.
// (A Set finds its oldest value by walking past every entry deleted before it, O(n) per eviction
// once a million were deleted; and a restart's million adds to a Set took most of a second.)

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
  // by position in the ring: the uid (undefined while it is still read from `restored`) and its hash
  private ring: (string | undefined)[] = [];
  private readonly ringHashes: Int32Array;
  private next = 0;
  // cell -> ring position + 1 (0: empty); at most half full, so probes stay short
  private readonly cells: Int32Array;
  private readonly cellHashes: Int32Array;
  private readonly mask: number;
  // uids restored from a journal stay in its text until they are forgotten: a million strings of
  // their own would cost a restart most of a second of garbage collection
  private restored = '';
  private restoredStarts: Int32Array = new Int32Array(0);
  private restoredLengths: Uint16Array = new Uint16Array(0);
  private restoredLeft = 0;

  constructor(readonly capacity: number) {
    let size = 8;
    while (size < capacity * 2) size *= 2;
    this.cells = new Int32Array(size);
    this.cellHashes = new Int32Array(size);
    this.mask = size - 1;
    this.ringHashes = new Int32Array(capacity);
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
  }

  /**
   * Fills an empty ring with the uids at `starts`/`lengths` of `text` (oldest first, at most
   * `capacity`), reading them from `text` rather than making a string of each.
   */
  restore(text: string, starts: Int32Array, lengths: Uint16Array): void {
    if (this.ring.length > 0 || starts.length > this.capacity) throw new RangeError('restore() fills an empty ring with at most capacity uids');
    this.restored = text;
    this.restoredStarts = starts;
    this.restoredLengths = lengths;
    this.ring = new Array<string | undefined>(starts.length);
    for (let position = 0; position < starts.length; position++) {
      const h = hashOf(text, starts[position], lengths[position]);
      this.ringHashes[position] = h;
      // a uid twice in a journal is indexed once; its other position is forgotten in its turn
      if (this.find(text, starts[position], lengths[position], h) < 0) this.insert(h, position);
    }
    this.restoredLeft = starts.length;
  }

  /** The uids held, oldest first. */
  values(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.ring.length; i++) out.push(this.uidAt((this.next + i) % this.ring.length));
    return out;
  }

  private uidAt(position: number): string {
    return this.ring[position] ?? this.restored.substr(this.restoredStarts[position], this.restoredLengths[position]);
  }

  /** Empties the oldest position and returns it. */
  private forgetOldest(): number {
    const position = this.next;
    const h = this.ringHashes[position];
    for (let cell = h & this.mask; this.cells[cell] !== 0; cell = (cell + 1) & this.mask) {
      if (this.cells[cell] === position + 1) {
        this.remove(cell);
        break;
      }
    }
    if (this.ring[position] === undefined && --this.restoredLeft === 0) {
      this.restored = '';
      this.restoredStarts = new Int32Array(0);
      this.restoredLengths = new Uint16Array(0);
    }
    this.next = (position + 1) % this.capacity;
    return position;
  }

  /** The cell holding the uid text[start, start + length), or -1. */
  private find(text: string, start: number, length: number, h: number): number {
    for (let cell = h & this.mask; this.cells[cell] !== 0; cell = (cell + 1) & this.mask) {
      if (this.cellHashes[cell] === h && this.holds(this.cells[cell] - 1, text, start, length)) return cell;
    }
    return -1;
  }

  /** Whether the uid at `position` is text[start, start + length). */
  private holds(position: number, text: string, start: number, length: number): boolean {
    const held = this.ring[position];
    if (held !== undefined) return held.length === length && text.startsWith(held, start);
    if (this.restoredLengths[position] !== length) return false;
    const from = this.restoredStarts[position];
    if (start === 0 && length === text.length) return this.restored.startsWith(text, from);
    for (let i = 0; i < length; i++) if (this.restored.charCodeAt(from + i) !== text.charCodeAt(start + i)) return false;
    return true;
  }

  private insert(h: number, position: number): void {
    let cell = h & this.mask;
    while (this.cells[cell] !== 0) cell = (cell + 1) & this.mask;
    this.cells[cell] = position + 1;
    this.cellHashes[cell] = h;
  }

  /** Empties a cell, moving back the entries after it that probed past it (no tombstones left behind). */
  private remove(cell: number): void {
    let hole = cell;
    for (let at = (hole + 1) & this.mask; this.cells[at] !== 0; at = (at + 1) & this.mask) {
      const home = this.cellHashes[at] & this.mask;
      // the entry at `at` may fill the hole unless its home lies cyclically in (hole, at]
      const homeAfterHole = hole <= at ? home > hole && home <= at : home > hole || home <= at;
      if (homeAfterHole) continue;
      this.cells[hole] = this.cells[at];
      this.cellHashes[hole] = this.cellHashes[at];
      hole = at;
    }
    this.cells[hole] = 0;
  }
}
