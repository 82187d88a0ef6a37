// Periodic Background Sync (Chromium's `registration.periodicSync`), which wakes the Service Worker
// now and then, at the browser's pace, to send what the other events left stored. Chromium grants
// it only to an installed app (permission 'periodic-background-sync'), other browsers do not have
// it: then nothing is registered and nothing reported, and the other events and Background Sync
// flush as before. What the registration came to is told by `logging.periodicSync`.
import type { ExtendableEventLike, ServiceWorkerScopeLike } from './scope.js';

/**
 * How the Periodic Background Sync registration went: registered; the browser has no such API;
 * the browser refused it (not installed, permission denied); or not asked for.
 */
export type PeriodicSyncState = 'registered' | 'unsupported' | 'not allowed' | 'off';

/**
 * Registers the periodic sync `tag` at `minIntervalMs` at the earliest: now when the registration
 * has an active worker, else in the `activate` event (a registration needs an active worker).
 * Must be called during the Service Worker's first evaluation, as it may add a listener.
 * @example const state = await registerPeriodicSync(self, 'isolog-flush', 12 * 3600_000)
 */
export function registerPeriodicSync(scope: ServiceWorkerScopeLike, tag: string, minIntervalMs: number): Promise<PeriodicSyncState> {
  const manager = scope.registration?.periodicSync;
  if (!manager) return Promise.resolve('unsupported');
  const register = (): Promise<PeriodicSyncState> => manager.register(tag, { minInterval: minIntervalMs }).then(
    () => 'registered' as const,
    // NotAllowedError (not installed, permission denied) and any other refusal: a state, not a fault
    () => 'not allowed' as const,
  );
  if (scope.registration?.active) return register();
  return new Promise((resolve) => {
    let done = false;
    scope.addEventListener('activate', (event: ExtendableEventLike) => {
      if (done) return;
      done = true;
      const state = register();
      event.waitUntil(state);
      resolve(state);
    });
  });
}
