// isolog/collector: the OTLP collector as a library (what `isolog collect` runs).
export { startCollector, defaultLogging, DEFAULTS, type Collector, type CollectorOptions } from './server.js';
export { parseArgs, main, USAGE } from './cli.js';
export { DedupeStore } from './dedupe.js';
export { Forwarder, type ForwardStats } from './forward.js';
export { Receiver, toLogRecord, type AcceptResult } from './receiver.js';
export { escapeControl, RateLimiter, tokensMatch } from './guard.js';
