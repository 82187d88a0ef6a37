// What a leaving page sends itself: the batches the worker has not yet stored, as OTLP JSON by fetch
// keepalive (sendBeacon where that cannot go), within the keepalive budget. The collector drops
// duplicates by uid.
import { encodeRecord, encodeRecords } from '../../transport/otlp.js';
import { utf8Length } from '../../transport/delivery.js';
import type { PlainRecord } from '../../core/fields.js';
import { beaconUrl } from './destination.js';

// keepalive bodies share a 64 KiB budget per page; leave room for headers
const BEACON_BUDGET = 60 * 1024;

/**
 * POSTs one body that may outlive the page. OTLP/HTTP wants application/json, which a cross-origin
 * request sends only after a CORS preflight (the collector must allow the page's origin); fetch
 * keepalive does both, and takes the token as a header. sendBeacon can send only text/plain, which
 * an OpenTelemetry Collector refuses: it is the fallback where fetch is missing or throws.
 */
function postKeepalive(url: string, token: string | undefined, body: string): boolean {
  try {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    // a refusal comes after the page is gone, when nothing is left to do about it
    fetch(url, { method: 'POST', body, keepalive: true, credentials: 'omit', headers }).catch(() => undefined);
    return true;
  } catch {
    return typeof navigator.sendBeacon === 'function' && navigator.sendBeacon(beaconUrl(url, token), new Blob([body], { type: 'text/plain;charset=UTF-8' }));
  }
}

/**
 * Sends records to `url` (beaconUrl's, without the token) by fetch keepalive or beacon within the
 * keepalive budget, in the order given, in as few requests as fit; returns how many went. Each
 * record is encoded once to measure it.
 */
export function sendBeacons(url: string, token: string | undefined, batches: PlainRecord[][], resource: Record<string, unknown>): number {
  const records = batches.flat();
  // the request's fixed part: the resource and one scope, measured once
  const overhead = utf8Length(JSON.stringify(encodeRecords([], resource))) + 64;
  let budget = BEACON_BUDGET;
  let sent = 0;
  let chunk: PlainRecord[] = [];
  let size = overhead;
  const flush = (): boolean => {
    if (chunk.length === 0) return true;
    const body = JSON.stringify(encodeRecords(chunk, resource));
    if (!postKeepalive(url, token, body)) return false;
    budget -= utf8Length(body);
    sent += chunk.length;
    chunk = [];
    size = overhead;
    return true;
  };
  for (const record of records) {
    const bytes = utf8Length(JSON.stringify(encodeRecord(record))) + 1;
    // larger than what is left of the budget: skipped here (the worker may still have stored it)
    if (overhead + bytes > budget) continue;
    if (size + bytes > budget) {
      if (!flush()) return sent;
      if (overhead + bytes > budget) break;
    }
    chunk.push(record);
    size += bytes;
  }
  flush();
  return sent;
}
