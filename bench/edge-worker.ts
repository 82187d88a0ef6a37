// The Worker the edge benchmark runs in workerd: the same 20 lines per request, logged three ways.
import { encodeRecords, extra, getLogger, withLogging } from '../src/runtime/edge.js';

type Mode = 'none' | 'console' | 'fetch' | 'isolog';
interface Env { MODE: Mode; LOG_URL: string }
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

// the platform's part of any sending: one POST after the response of the body isolog sends for
// 20 records, its request's fields and trace included, byte for byte as long (encoded once; only
// the uids change), which the collector stores
const TEMPLATE = JSON.stringify(encodeRecords(Array.from({ length: LINES }, (_, i) => ({
  name: 'bench.api', msg: `request step ${i} on ${work(i)}`, levelno: 20, levelname: 'INFO', created: 1_796_000_000 + i / 1000,
  uid: `UID-${i}`, exc_text: null, stack_info: null, user: `u${i % 7}`,
  'http.request.method': 'GET', 'url.path': '/1', 'request.id': '0123456789abcdef',
  traceId: '0123456789abcdef0123456789abcdef', spanId: '0123456789abcdef',
})), {}));
let sent = 0;
function bareFetch(request: Request, env: Env, ctx: Ctx): Response {
  const response = plain.fetch(request, { ...env, MODE: 'none' });
  const body = TEMPLATE.replace(/UID-/g, `b${String(sent++).padStart(15, '0')}-`);
  ctx.waitUntil(fetch(env.LOG_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.text()));
  return response;
}

/** The mode is the request's `?mode=`: one workerd runs every mode, so they are measured alike. */
export default {
  fetch(request: Request, env: Env, ctx: Ctx): Response | Promise<Response> {
    const mode = (new URL(request.url).searchParams.get('mode') ?? 'none') as Mode;
    const modeEnv = { ...env, MODE: mode };
    if (mode === 'fetch') return bareFetch(request, modeEnv, ctx);
    return mode === 'isolog' ? logged.fetch(request, modeEnv, ctx) : plain.fetch(request, modeEnv);
  },
};
