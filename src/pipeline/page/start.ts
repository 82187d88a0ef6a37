// The page's half of the pipeline, as startBrowserLogging (runtime/browser.ts) starts it: the
// page's QueueHandler in the early handler's place on the root logger, its listener (a worker,
// listener-link.ts), what the page sends itself (a batch the worker keeps refusing, beacons on
// leaving), and flush(), stats() and stop(). A chunk of its own, loaded with import() when logging
// starts, so that none of it is on the page's first load.
import type { PlainRecord } from '../../core/fields.js';
import { getLogger } from '../../core/logger.js';
import { PY_TEXT } from '../../core/repr.js';
import { decodeBatch } from '../batch-decoder.js';
import type { FlushResult, PipelineStats } from '../protocol.js';
import { maskerFor } from '../redact.js';
import { sendBeacons } from './beacon.js';
import { beaconUrl } from './destination.js';
import { directSender, type PageCounts } from './direct-send.js';
import type { EarlyRecords } from './early-records.js';
import { listenerLink } from './listener-link.js';
import { serviceWorkerLink } from './service-worker-link.js';
import { FlushError, type BrowserLogging, type BrowserLoggingOptions } from './options.js';
import { onLeavingPage, tabSessionId } from './page-events.js';
import { captureUncaughtErrors } from '../uncaught-errors.js';
import { PageQueueHandler } from './queue-handler.js';
import { workerInit } from '../worker-init.js';
import { contextConfig } from './context-config.js';
import { followRemoteLevels } from '../../transport/remote-levels.js';

/** Adds counts by reason into `into`. */
function addCounts(into: Record<string, number>, from: Record<string, number>): Record<string, number> {
  for (const reason in from) into[reason] = (into[reason] ?? 0) + from[reason];
  return into;
}

const records = (n: number): string => `${n} record${n === 1 ? '' : 's'}`;

/** The FlushError for what a flush found (the worker's answer, null if none), or null when it kept its promise. */
function flushError(timeoutMs: number, held: number, worker: FlushResult | null, own: Record<string, number>): FlushError | null {
  const notDelivered = held + (worker?.notDelivered ?? 0);
  const dropped = addCounts({ ...worker?.dropped }, own);
  const lost = Object.values(dropped).reduce((a, b) => a + b, 0);
  if (!notDelivered && !lost && worker) return null;
  const parts = [
    worker ? '' : `the worker did not answer flush() within ${timeoutMs} ms`,
    notDelivered ? `flush timed out after ${timeoutMs} ms with ${records(notDelivered)} not delivered` : '',
    lost ? `${records(lost)} dropped (${Object.keys(dropped).map((r) => `${r}: ${dropped[r]}`).join(', ')})` : '',
    // why they did not go yet; a drop's reason is in its name, its WARNING record and the error channel
    notDelivered && worker?.lastError ? `last error: ${worker.lastError}` : '',
  ];
  return new FlushError(`isolog: ${parts.filter(Boolean).join('; ')}`, notDelivered, dropped);
}

/**
 * Starts the pipeline for the root logger, whose handler `early` has kept the records logged so
 * far. Resolves once the listener is ready.
 * @example startPipeline(options, early)
 */
export async function startPipeline(options: BrowserLoggingOptions, early: EarlyRecords): Promise<BrowserLogging> {
  const root = getLogger();
  const init = workerInit(options, tabSessionId());
  if (options.errorContext) init.context = contextConfig(options.errorContext);
  // a dedicated worker by default; the Service Worker keeps storing and sending once the page is gone
  const link = options.listener === 'service-worker' ? serviceWorkerLink(init) : listenerLink(init, options);
  // what the page delivers itself, when the worker keeps refusing a batch
  const own: PageCounts = { sent: 0, acknowledged: 0, dropped: {}, lastError: null };
  let told: Record<string, number> = {};
  // the page's own requests go to the collector's http(s) URL, the token as a header
  const url = beaconUrl(options.collector);
  const sendSelf = directSender(url, options.token, init.resource, init.transport.maxBytesPerRequest, own);
  // a batch is the records of one task, so most are small; the cap splits a long burst, and each
  // call to the worker (and its ack) costs the main thread several µs, so it is not set lower
  const handler: PageQueueHandler = new PageQueueHandler(link.starting, options.batchSize ?? 1000, options.putTimeoutMs ?? 10_000,
    maskerFor(options.redact), () => link.restart((api) => { handler.setTarget(api); handler.resend(); }), sendSelf);
  // sampling decides before a record is queued (a filter: such calls take the record path)
  const sampler = options.sampling ?? null;
  if (sampler) handler.addFilter(sampler);
  // in the early handler's place, then what it kept, in order
  const at = root.handlers.indexOf(early);
  if (at >= 0) root.handlers[at] = handler;
  else root.addHandler(handler);
  early.handOver(handler);
  // with an error context, a beacon carries no quiet records of a batch without an error: they
  // are the worker's (in its ring) to ship with an error, or to let age out
  const context = init.context;
  const forBeacon = (records: PlainRecord[]): PlainRecord[] =>
    !context || records.some((r) => r.levelno >= context.triggerLevel) ? records : records.filter((r) => r.levelno >= context.passLevel);
  const leave = (): void => {
    const batches = handler.takeForBeacon().map((b) => forBeacon(decodeBatch(b, PY_TEXT))).filter((records) => records.length > 0);
    if (batches.length) sendBeacons(url, options.token, batches, init.resource);
  };
  const stopLeaving = onLeavingPage(leave);
  // hidden while this chunk loaded (the page may be on its way out): what the early handler kept
  // goes now as well; the collector drops the copies that the worker sends too
  if (typeof document !== 'undefined' && document.visibilityState === 'hidden') leave();
  try {
    handler.setTarget(await link.connect());
  } catch (err) {
    // only the Service Worker link can fail (no Service Worker in control): nothing stays installed
    root.removeHandler(handler);
    handler.close();
    stopLeaving();
    throw err;
  }
  const stopCapturing = options.captureErrors ?? true ? captureUncaughtErrors(getLogger('window')) : () => undefined;
  // the collector's levels, polled by the page: a request every few seconds, a 304 while they stay
  const given = options.remoteLevels;
  const levels = given ? followRemoteLevels({ url, token: options.token, intervalMs: (typeof given === 'object' ? given.intervalMs : undefined) ?? 5000 }) : null;

  const flushTimeout = options.flushTimeoutMs ?? 10_000;
  const flush = async (timeoutMs = flushTimeout): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    await handler.drain(deadline);
    await link.settled();
    const held = await handler.drain(deadline);
    const left = Math.max(0, deadline - Date.now());
    // a worker that never answers (it hangs) must not hang flush()
    let timer: ReturnType<typeof setTimeout> | undefined;
    const worker = await Promise.race([link.api.flush(left), new Promise<null>((resolve) => { timer = setTimeout(resolve, left + 2000, null); })]);
    clearTimeout(timer);
    // the page's own drops, each told by one flush as the worker's are
    const dropped: Record<string, number> = {};
    for (const reason in own.dropped) if (own.dropped[reason] > (told[reason] ?? 0)) dropped[reason] = own.dropped[reason] - (told[reason] ?? 0);
    told = { ...own.dropped };
    const failed = flushError(timeoutMs, held, worker, dropped);
    if (failed) throw failed;
  };
  return {
    flush,
    async stats(): Promise<PipelineStats> {
      // the worker's counts and what the page delivered itself
      const stats = await link.api.stats();
      return {
        ...stats, logged: handler.logged, sent: stats.sent + own.sent, acknowledged: stats.acknowledged + own.acknowledged,
        dropped: addCounts({ ...stats.dropped }, own.dropped), lastError: stats.lastError ?? own.lastError,
      };
    },
    async stop(timeoutMs = flushTimeout): Promise<void> {
      // what sampling suppressed since its last report is said before the last flush
      sampler?.report();
      link.stopRestarting();
      try {
        await flush(timeoutMs);
      } finally {
        root.removeHandler(handler);
        handler.close();
        stopLeaving();
        stopCapturing();
        levels?.stop();
        await link.stop();
      }
    },
  };
}
