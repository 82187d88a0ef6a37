// The demo's Cloudflare Worker: an API the demo page calls. withLogging gives every record of a
// request its fields and the page's trace, and sends them to the collector after the response.
import { extra, getLogger } from '../src/index.js';
import { withLogging } from '../src/runtime/edge.js';

interface Env { LOG_URL: string }

const log = getLogger('demo.api');

/** The demo page is served from another port: let it call, with the traceparent header. */
function cors(request: Request, response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set('access-control-allow-origin', '*');
  headers.set('access-control-allow-methods', 'GET, POST, OPTIONS');
  headers.set('access-control-allow-headers', request.headers.get('access-control-request-headers') ?? 'content-type, traceparent');
  return new Response(response.body, { status: response.status, headers });
}

async function pay(request: Request): Promise<Response> {
  const order = await request.json().catch(() => null) as { order?: unknown } | null;
  if (typeof order?.order !== 'string') {
    log.warning("payment refused: no order in the request");
    return Response.json({ error: 'send {"order": "A-1042"}' }, { status: 400 });
  }
  log.info('payment requested for order %s', order.order, extra({ order: order.order }));
  // a call of its own would carry the trace on: fetch(url, { headers: requestLog.headers() })
  log.info('payment accepted for order %s', order.order, extra({ order: order.order }));
  return Response.json({ ok: true, order: order.order }, { status: 201 });
}

export default withLogging({
  collector: (env: Env) => env.LOG_URL,
  resource: { 'service.name': 'isolog-demo-worker' },
}, {
  async fetch(request: Request) {
    if (request.method === 'OPTIONS') return cors(request, new Response(null, { status: 204 }));
    const { pathname } = new URL(request.url);
    if (pathname === '/api/pay' && request.method === 'POST') return cors(request, await pay(request));
    return cors(request, new Response('not found: POST /api/pay', { status: 404 }));
  },
});
