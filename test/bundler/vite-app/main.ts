// An app as a Vite user writes it: isolog from the package, its worker through the library's own
// `new Worker(new URL('../../worker.js', import.meta.url))`, which Vite finds and emits.
import { getLogger, INFO } from 'isolog';
import { startBrowserLogging } from 'isolog/browser';

declare global { interface Window { viteResult: Promise<string> } }

window.viteResult = (async () => {
  const params = new URLSearchParams(location.search);
  getLogger().setLevel(INFO);
  const logging = await startBrowserLogging({ collector: params.get('collector') as string });
  getLogger('vite.app').info('hello from a Vite build %s', params.get('run'));
  await logging.flush(20_000);
  const stats = await logging.stats();
  return `${stats.acknowledged} acknowledged, durable storage ${stats.durableStorage}`;
})().catch((err) => `failed: ${String(err)}`);
