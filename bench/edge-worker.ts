// The Worker the edge benchmark runs in workerd: the same 20 lines per request, logged three ways.
import { extra, getLogger, withLogging } from '../src/runtime/edge.js';

interface Env { MODE: 'none' | 'console' | 'fetch' | 'isolog'; LOG_URL: string }
interface Ctx { waitUntil(promise: Promise<unknown>): void }

const LINES = 20;

function work(i: number): string {
  return `/api/items/${i % 97}`;
}

const plain = {
  fetch(request: Request, env: Env): Response {
    let route = '';
    for (let i = 0; i < LINES; i++) {
      route = work(i);
      if (env.MODE === 'console') console.log(`request step ${i} on ${route} for user u${i % 7}`);
    }
    return new Response(route);
  },
};

const logged = withLogging<Env, Ctx, typeof plain>({ collector: (env) => env.LOG_URL, access: false }, {
  fetch(request: Request): Response {
    const log = getLogger('bench.api');
    let route = '';
    for (let i = 0; i < LINES; i++) {
      route = work(i);
      log.info('request step %d on %s', i, route, extra({ user: `u${i % 7}` }));
    }
    return new Response(route);
  },
});

// the platform's part of any sending: one POST of an empty OTLP request after the response
const EMPTY = JSON.stringify({ resourceLogs: [] });
function bareFetch(request: Request, env: Env, ctx: Ctx): Response {
  const response = plain.fetch(request, { ...env, MODE: 'none' });
  ctx.waitUntil(fetch(env.LOG_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: EMPTY }).then((r) => r.text()));
  return response;
}

export default {
  fetch(request: Request, env: Env, ctx: Ctx): Response | Promise<Response> {
    if (env.MODE === 'fetch') return bareFetch(request, env, ctx);
    return env.MODE === 'isolog' ? logged.fetch(request, env, ctx) : plain.fetch(request, env);
  },
};
