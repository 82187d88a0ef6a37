// "did you mean …?": the known name closest to a mistyped one, for messages that say what to change.

/** Edits (insert, delete, replace; case ignored) that turn `a` into `b`. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/**
 * The known name nearest to `given`, if it is near enough to be a typo of it (two edits, or a third
 * of a long name).
 * @example closestName('--prot', ['--port', '--host']) // '--port'
 */
export function closestName(given: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const name of known) {
    const d = distance(given, name);
    if (d < bestScore) { bestScore = d; best = name; }
  }
  return bestScore <= Math.max(2, Math.floor(given.length / 3)) ? best : undefined;
}
