// A batch between page and worker, the worker's half: decodeBatch reads the page's string of
// columns (see RawBatch) back into records and merges messages with their arguments, when the
// batch is sent. The page's half is batch-encoder.ts.
import { formatMessage, type Mapping } from '../core/percent-format.js';
import type { ValueText } from '../core/repr.js';
import type { ByNumber, RawBatch, RawBatchV5 } from './protocol.js';
import type { PlainRecord } from '../core/fields.js';

/**
 * Python's getMessage; a mismatch is kept in the text, never thrown. `as` is how values print: the
 * page passes PY_TEXT for any value, a batch's arguments are JSON and print through JSON_TEXT.
 */
export function messageOf(msg: unknown, args: readonly unknown[] | Mapping | null, as: ValueText): string {
  try {
    return formatMessage(msg, args, as);
  } catch (err) {
    return `${String(msg)} [logging error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}; arguments: ${as.repr(args)}]`;
  }
}

/** A column of values by number, as pairs (protocol 6) or an object (protocol 5), for lookups. */
function lookupOf<T>(column: ByNumber<T> | undefined): Record<number, T> | undefined {
  if (!Array.isArray(column)) return column;
  const out: Record<number, T> = {};
  for (const [at, value] of column) out[at] = value;
  return out;
}

/**
 * The worker's half: each record of a batch as plain, JSON-safe data, its message merged. The
 * arguments are JSON: the worker prints them with JSON_TEXT, a page that sends its own batches with
 * the PY_TEXT it has anyway (both print JSON values alike).
 */
export function decodeBatch(text: string, as: ValueText): PlainRecord[] {
  const b = JSON.parse(text) as RawBatch & Partial<RawBatchV5>;
  const n = b.site ? b.site.length : b.count;
  const out: PlainRecord[] = new Array(n);
  const levelnames = lookupOf(b.levelnames) as Record<number, string>;
  const mappings = lookupOf(b.mappings);
  const levelname = lookupOf(b.levelname);
  const uid = lookupOf(b.uid);
  const exc = lookupOf(b.exc);
  const stack = lookupOf(b.stack);
  // protocol 5 gave every record its site and time step; 6 gives only where they change
  const runs = b.site ? b.site.flatMap((site, i) => [i, site]) : b.siteRuns;
  const steps = b.created ? b.created.flatMap((step, i) => [i, step]) : b.createdSteps;
  let run = 0;
  let site = b.sites[0];
  let step = 0;
  let next = 0;
  let created = b.createdStart;
  for (let i = 0; i < n; i++) {
    if (runs[run] === i) { site = b.sites[runs[run + 1]]; run += 2; }
    if (steps[step] === i) { created += steps[step + 1]; step += 2; }
    const [levelno, nameAt, messageAt, argc] = site;
    const template = b.messages[messageAt];
    let message = template;
    if (argc === -1) message = messageOf(template, (mappings as Record<number, Record<string, unknown>>)[i], as);
    else if (argc > 0) message = messageOf(template, b.argv.slice(next, (next += argc)), as);
    const seq = b.seqStart + (b.seqOffsets ? b.seqOffsets[i] : i);
    out[i] = {
      name: b.names[nameAt], msg: message, message, levelno, levelname: levelname?.[i] ?? levelnames[levelno],
      created: created / 1000, uid: uid?.[i] ?? b.uidPrefix + seq.toString(36),
      exc_text: exc?.[i] ?? null, stack_info: stack?.[i] ?? null,
    };
  }
  for (const key of Object.keys(b.extra)) {
    const values = b.extra[key];
    const at = b.extraAt && Object.hasOwn(b.extraAt, key) ? b.extraAt[key] : null;
    for (let v = 0; v < values.length; v++) {
      const record = out[at ? at[v] : v];
      // a field named like a record's own (or like __proto__) never replaces it
      if (record !== undefined && !(key in record)) record[key] = values[v];
    }
  }
  return out;
}
