// FlushError: what a flush that could not keep its promise rejects with, for every sender of
// isolog records (the browser pipeline's flush, FetchHandler's). Here, below the runtime entries,
// so that one class is thrown and caught everywhere (`instanceof` holds across entries).

/**
 * What a flush() that could not keep its promise rejects with: how many records were not delivered
 * by its deadline, how many were dropped since the last flush, by reason (`quota`, `storage cap`,
 * `overflow`, `rejected` by the collector, `unreadable`), and the last failed answer when known.
 * @example try { await logging.flush(); } catch (err) { if (err instanceof FlushError) show(err.notDelivered, err.dropped); }
 */
export class FlushError extends Error {
  override name = 'FlushError';
  constructor(message: string, readonly notDelivered: number, readonly dropped: Record<string, number>,
    readonly lastError: string | null = null) {
    super(message);
  }
}
