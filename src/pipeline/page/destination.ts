// One queue per destination. Tabs of one origin that send to different collectors, or with other
// tokens or transports, must not share an IndexedDB queue, nor its flusher's Web Lock and its
// BroadcastChannel, which are named after the database: one tab's flusher would send the other's
// records to its own collector, with its own token. The name carries the destination as a hash, so
// that no token is written anywhere in clear.

/**
 * FNV-1a, 32 bits, in base 36: short and stable, and it does not give the text back. Two
 * destinations of one origin share a name once in 4 billion pairs.
 */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/**
 * The IndexedDB database of one destination: `base`, then a hash of the transport, the collector's
 * absolute URL and the token (a hash, not the token).
 * @example queueName('isolog', 'fetch', 'http://127.0.0.1:4318/v1/logs') // 'isolog-' and up to 7 base-36 digits
 */
export function queueName(base: string, transport: string, collector: string, token = ''): string {
  return `${base}-${hash(`${transport} ${collector} ${token}`)}`;
}

/** The collector's URL for the page's own requests: http(s) even for a WebSocket collector; `token` in the query, for sendBeacon, which sends no headers. */
export function beaconUrl(collector: string, token?: string): string {
  const url = new URL(collector, globalThis.location?.href);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  if (url.protocol === 'wss:') url.protocol = 'https:';
  if (token) url.searchParams.set('token', token);
  return url.toString();
}
