// isolog/collector: the OTLP collector as a library (what `isolog collect` runs; the command itself
// is cli.ts, which bin/isolog.js loads directly).
export { startCollector, defaultLogging, DEFAULTS, type Collector, type CollectorOptions } from './server.js';
// what a Collector's fields are: to name them, not to make them
export type { Receiver, AcceptResult } from './receiver.js';
export type { Forwarder, ForwardStats } from './forward.js';
export { Subscriber, SubscriberError, recordFromJson, type SubscriberOptions, type SubscriberStats } from './subscriber.js';
