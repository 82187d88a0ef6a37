// A Worker wrapped by withLogging, for the edge tests: its routes log in the ways a Worker's code does.
import { extra, getLogger, withLogging, type EdgeLoggingOptions, type RequestLog } from '../../../src/runtime/edge.js';

interface Env {
  LOG_URL?: string;
  LOG_TOKEN?: string;
  MAX_RECORDS?: string;
  MAX_BYTES?: string;
  FLUSH_MS?: string;
  CONSOLE?: string;
}

interface Ctx { waitUntil(promise: Promise<unknown>): void }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const app = {
  async fetch(request: Request, env: Env, ctx: Ctx, log: RequestLog): Promise<Response> {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get('n') ?? 1);
    const tag = url.searchParams.get('tag') ?? '';
    switch (url.pathname) {
      case '/log': {
        // any logger, anywhere: AsyncLocalStorage ties its records to this request, across awaits
        for (let i = 0; i < n; i++) {
          getLogger('api.orders').info('order %s step %d', tag, i, extra({ tag }));
          if (i % 5 === 4) await sleep(Number(url.searchParams.get('wait') ?? 0));
        }
        return new Response(`logged ${n}`);
      }
      case '/explicit':
        log.getLogger('api.explicit').warning('explicit %s', tag, extra({ tag }));
        return new Response('ok');
      case '/throw':
        getLogger('api').info('about to fail', extra({ tag }));
        throw new Error('order failed', { cause: new TypeError('price is undefined') });
      case '/trace':
        getLogger('api').info('traced', extra({ tag }));
        return Response.json({ traceId: log.trace.traceId, spanId: log.trace.spanId, parent: log.trace.parentSpanId ?? null, headers: log.headers() });
      case '/status':
        return new Response('nope', { status: Number(url.searchParams.get('code') ?? 404) });
      default:
        return new Response('not found', { status: 404 });
    }
  },
};

let wrapped: ReturnType<typeof withLogging<Env, Ctx, typeof app>> | undefined;

export default {
  fetch(request: Request, env: Env, ctx: Ctx): Promise<Response> {
    const options: EdgeLoggingOptions<Env> = {
      collector: (e) => e.LOG_URL, token: (e) => e.LOG_TOKEN,
      resource: { 'service.name': 'edge-test' },
      maxRecords: env.MAX_RECORDS ? Number(env.MAX_RECORDS) : undefined,
      maxBytes: env.MAX_BYTES ? Number(env.MAX_BYTES) : undefined,
      flushTimeoutMs: env.FLUSH_MS ? Number(env.FLUSH_MS) : undefined,
      console: env.CONSOLE ? env.CONSOLE === 'true' : undefined,
    };
    wrapped ??= withLogging(options, app);
    return wrapped.fetch(request, env, ctx);
  },
};
