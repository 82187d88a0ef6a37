// What isolog reads of a Service Worker's global scope and events, written out structurally so that
// the code checks against the DOM library (the package build) as well as WebWorker (tsconfig/
// service-worker.json). Background Sync and Periodic Background Sync are in neither.

/** An event whose lifetime `waitUntil` extends (install, activate, fetch, message, push, sync…). */
export interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}

/** `sync` and `periodicsync`: the tag, and for `sync` whether the browser will not try again. */
export interface SyncEventLike extends ExtendableEventLike {
  readonly tag: string;
  readonly lastChance?: boolean;
}

/** A message to the Service Worker, with the ports it carries (a MessageChannel's for the answer). */
export interface ExtendableMessageEventLike extends ExtendableEventLike {
  readonly data: unknown;
  readonly ports: readonly MessagePort[];
}

/** The Service Worker's `self`, as far as isolog uses it. */
export interface ServiceWorkerScopeLike {
  addEventListener(type: string, listener: (event: ExtendableEventLike) => void): void;
  readonly registration?: {
    readonly active?: unknown;
    readonly sync?: { register(tag: string): Promise<void> };
    readonly periodicSync?: { register(tag: string, options?: { minInterval?: number }): Promise<void> };
  };
}

/** The Service Worker's global scope, or null anywhere else (a page, a dedicated worker, Node). */
export function serviceWorkerScope(): ServiceWorkerScopeLike | null {
  const scope = globalThis as unknown as ServiceWorkerScopeLike & { ServiceWorkerGlobalScope?: abstract new () => unknown };
  return typeof scope.ServiceWorkerGlobalScope === 'function' && scope instanceof scope.ServiceWorkerGlobalScope ? scope : null;
}
