// A Worker with withLogging's sampling on, for the edge tests: each request logs `n` records on api.sampled.
import { getLogger, withLogging, type RequestLog } from '../../../src/runtime/edge.js';

interface Env { LOG_URL: string }
interface Ctx { waitUntil(promise: Promise<unknown>): void }

const app = {
  async fetch(request: Request, _env: Env, _ctx: Ctx, _log: RequestLog): Promise<Response> {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get('n') ?? 1);
    for (let i = 0; i < n; i++) getLogger('api.sampled').info('step %d of %s', i, url.searchParams.get('tag'));
    getLogger('api.whole').info('always %s', url.searchParams.get('tag'));
    return new Response('ok');
  },
};

let wrapped: ReturnType<typeof withLogging<Env, Ctx, typeof app>> | undefined;

export default {
  fetch(request: Request, env: Env, ctx: Ctx): Promise<Response> {
    wrapped ??= withLogging({ collector: (e) => e.LOG_URL, access: false, sampling: { rules: { 'api.sampled': { sample: 0.5 } }, windowSeconds: 0.3 } }, app);
    return wrapped.fetch(request, env, ctx);
  },
};
