// A closing page's beacons, sent from the Service Worker. A page that a Service Worker controls
// sends its keepalive POSTs to the collector through that Service Worker's fetch event, and isolog's
// own fetch listener is always there; where no listener answers, Chromium falls back to the network
// from the page's side, and loses the request once the page is gone (the test of a page closed
// before the Service Worker stored its records saw it in 3 of 77 closes under load). Answered here,
// the request is the Service Worker's, which lives on after the page.
import type { ExtendableEventLike } from './scope.js';

/** A fetch event, as far as the relay reads it. */
export interface FetchEventLike extends ExtendableEventLike {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}

/**
 * A fetch listener that answers the keepalive POSTs to `collector` (its URL without query: a
 * beacon's token is in its query) by sending them itself, and keeps them from the listeners after
 * it; it leaves every other request alone.
 * @example scope.addEventListener('fetch', beaconRelay('https://logs.example.com/v1/logs'))
 */
export function beaconRelay(collector: string): (event: FetchEventLike) => void {
  return (event) => {
    const request = event.request;
    if (request.method !== 'POST' || !request.keepalive || request.url.replace(/[?#].*$/, '') !== collector) return;
    // sent only once respondWith took it: a listener before this one may have answered it
    let send!: () => void;
    const sending = new Promise<void>((resolve) => { send = resolve; });
    try {
      // not keepalive: respondWith keeps the Service Worker alive for it, and keepalive bodies share
      // 64 KiB a context (the Service Worker's one for all its pages closing at once)
      event.respondWith(sending.then(() => fetch(new Request(request, { keepalive: false }))));
    } catch {
      return;
    }
    send();
    // the app's listeners after this one would answer it a second time, which throws
    event.stopImmediatePropagation();
  };
}
