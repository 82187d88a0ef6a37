// A Hono app logged with loggingMiddleware: the same request logging as withLogging.
import { Hono } from 'hono';
import { getLogger, loggingMiddleware, type RequestLog } from '../../../src/runtime/edge.js';

type Env = { Bindings: { LOG_URL: string }; Variables: { log: RequestLog } };
const app = new Hono<Env>();
app.use(loggingMiddleware<Env['Bindings']>({ collector: (env) => env.LOG_URL }));
app.get('/hono/:id', (c) => {
  getLogger('hono.route').info('item %s', c.req.param('id'));
  c.get('log').getLogger('hono.explicit').info('explicit');
  return c.text(`item ${c.req.param('id')}`);
});
app.get('/fail', () => { throw new Error('hono handler failed', { cause: new RangeError('bad id') }); });
export default app;
