// A service-worker-style edge function (Vercel's Edge Runtime): the FetchEvent is the execution context.
import { getLogger, withLogging } from '../../../src/runtime/edge.js';

declare const LOG_URL: string;
interface FetchEventLike extends Event { request: Request; respondWith(response: Promise<Response>): void; waitUntil(p: Promise<unknown>): void }

const worker = withLogging({ collector: () => LOG_URL, resource: { 'service.name': 'vercel-edge-test' } }, {
  async fetch(request: Request, _env: unknown, _ctx: unknown, log) {
    log.getLogger('edge.fn').info('hello from %s', 'the edge runtime');
    getLogger('edge.global').info('global logger');
    return new Response('ok from edge');
  },
});

addEventListener('fetch', (event) => {
  const e = event as FetchEventLike;
  e.respondWith(worker.fetch(e.request, {}, e));
});
