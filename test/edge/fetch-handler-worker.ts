// A Cloudflare Worker that logs through a FetchHandler made for the request and answers with its
// stats once flush() kept its promise: the collector's URL comes in the query.
import { extra, FetchHandler, getLogger, INFO } from '../../src/index.js';

export default {
  async fetch(request: Request): Promise<Response> {
    const collector = new URL(request.url).searchParams.get('collector') as string;
    // one handler per request, no timers: workerd cancels what one request leaves to another
    const net = new FetchHandler({ url: collector, flushIntervalMs: null, resource: { 'service.name': 'workerd' } });
    const log = getLogger('edge.fetch');
    log.propagate = false;
    log.setLevel(INFO);
    log.addHandler(net);
    try {
      log.info('from workerd %d', 1);
      log.warning('and %s', 'a second', extra({ user: 'ann' }));
      await net.flush({ timeoutMs: 10_000 });
      return Response.json(net.stats);
    } catch (error) {
      return Response.json({ error: String(error), stats: net.stats }, { status: 500 });
    } finally {
      log.removeHandler(net);
      await net.close({ timeoutMs: 1000 });
    }
  },
};
