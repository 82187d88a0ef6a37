// startBrowserLogging's errorContext as the worker is told it (protocol.ts's ContextConfig): the
// page's alone, so that the Service Worker's entry carries none of it.
import { checkLevel, ERROR, WARNING } from '../../core/level.js';
import type { ContextConfig } from '../protocol.js';
import type { BrowserLoggingOptions } from './options.js';

/** errorContext's options checked, with their defaults; a mistake is a TypeError or RangeError that says which. */
export function contextConfig(given: true | Exclude<BrowserLoggingOptions['errorContext'], boolean | undefined>): ContextConfig {
  const o = given === true ? {} : given;
  const capacity = o.capacity ?? 100;
  const maxAgeSeconds = o.maxAgeSeconds ?? 300;
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`errorContext.capacity must be a whole number of records, 1 or more; got ${String(capacity)}`);
  if (!(typeof maxAgeSeconds === 'number' && maxAgeSeconds > 0)) throw new RangeError(`errorContext.maxAgeSeconds must be more than 0; got ${String(maxAgeSeconds)}`);
  const passLevel = o.passLevel === undefined ? WARNING : checkLevel(o.passLevel);
  const triggerLevel = o.triggerLevel === undefined ? ERROR : checkLevel(o.triggerLevel);
  if (passLevel > triggerLevel) throw new RangeError(`errorContext.passLevel (${passLevel}) must not be above triggerLevel (${triggerLevel})`);
  return { capacity, passLevel, triggerLevel, maxAgeSeconds };
}
