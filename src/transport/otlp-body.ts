// The OTLP JSON body of many records, encoded in slices: a worker that also stores records must not
// spend one long task on a request of 10,000 of them.
import type { PlainRecord } from '../core/fields.js';
import { encodeRecords } from './otlp.js';

/** Waits between slices (the listener lets its puts go first); resolves when encoding may go on. */
export type Pace = () => Promise<void>;

/** Records encoded in one slice: about a millisecond of work, so that a put waits little. */
const STEP = 250;

/**
 * The ExportLogsServiceRequest of `records` as JSON, one resource, encoded STEP records at a time
 * with `pace` (if given) awaited after each, so that what came meanwhile goes first. Each slice has its own
 * scopeLogs entry per logger name (OTLP allows one scope in several entries), so the text is not
 * JSON.stringify(encodeRecords(records, resource)), but it decodes to the same records.
 * @example const body = await encodeBody(records, { 'service.name': 'shop' }, backgroundTask)
 */
export async function encodeBody(records: PlainRecord[], resource: Record<string, unknown>, pace?: Pace): Promise<string> {
  const slices: string[] = [];
  for (let at = 0; at < records.length; at += STEP) {
    // the slice's scopeLogs without their brackets, to be joined with the other slices'
    slices.push(JSON.stringify(encodeRecords(records.slice(at, at + STEP)).resourceLogs[0].scopeLogs).slice(1, -1));
    await pace?.();
  }
  // the request without records ends in `"scopeLogs":[]}]}`: the slices go inside its last brackets
  return `${JSON.stringify(encodeRecords([], resource)).slice(0, -4)}${slices}]}]}`;
}
