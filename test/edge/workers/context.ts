// A Worker with errorContext and remoteLevels on, for the edge tests of issue 17's edge parts.
import { getLogger, withLogging, type RequestLog } from '../../../src/runtime/edge.js';

interface Env { LOG_URL: string; LOG_TOKEN?: string }
interface Ctx { waitUntil(promise: Promise<unknown>): void }

const app = {
  async fetch(request: Request, _env: Env, _ctx: Ctx, _log: RequestLog): Promise<Response> {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get('n') ?? 1);
    const tag = url.searchParams.get('tag') ?? '';
    for (let i = 0; i < n; i++) getLogger('api.ctx').info('step %d of %s', i, tag);
    if (url.pathname === '/level') getLogger('api.lv').debug('debug %s', tag);
    if (url.searchParams.has('warn')) getLogger('api.ctx').warning('slow %s', tag);
    if (url.searchParams.has('fail')) getLogger('api.ctx').error('failed %s', tag);
    return new Response(url.pathname === '/level' ? String(getLogger('api.lv').getEffectiveLevel()) : 'ok');
  },
};

let wrapped: ReturnType<typeof withLogging<Env, Ctx, typeof app>> | undefined;

export default {
  fetch(request: Request, env: Env, ctx: Ctx): Promise<Response> {
    wrapped ??= withLogging({
      collector: (e) => e.LOG_URL, token: (e) => e.LOG_TOKEN,
      errorContext: { capacity: 5 }, remoteLevels: { maxAgeMs: 0 },
    }, app);
    return wrapped.fetch(request, env, ctx);
  },
};
