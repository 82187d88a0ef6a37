// npm start: the collector (OTLP on 127.0.0.1:4318, NDJSON in ./logs), the demo app and the demo's
// Cloudflare Worker (workerd) beside it. COLLECTOR_PORT, PORT and WORKER_PORT choose other ports
// (0: any free one).
import { execFileSync } from 'node:child_process';
import { distState } from './dist-fresh.mjs';

const root = new URL('..', import.meta.url).pathname;
const state = distState(root);
if (state) {
  console.log(state === 'missing' ? 'isolog: building dist/ (the first start only)' : 'isolog: src/ changed since dist/ was built; building it again');
  // the build's size report is for `npm run build`; only its errors are shown here
  execFileSync(process.execPath, [`${root}scripts/build.mjs`], { stdio: ['ignore', 'ignore', 'inherit'] });
}

const { startCollector } = await import('../dist/collector/index.js');
const { startDemo } = await import('../demo/server.mjs');
const { startDemoWorker } = await import('../demo/edge.mjs');
const collectorPort = Number(process.env.COLLECTOR_PORT ?? 4318);
const demoPort = Number(process.env.PORT ?? 5173);
const workerPort = Number(process.env.WORKER_PORT ?? 8787);

/** What is wrong and what to set, without a stack: a port taken is the usual reason. */
function fail(what, err, variable, port) {
  // Node says EADDRINUSE; Miniflare (the demo Worker) ERR_ADDRESS_IN_USE
  const taken = ['EADDRINUSE', 'ERR_ADDRESS_IN_USE'].includes(err?.code ?? err?.cause?.code);
  console.error(taken
    ? `npm start: port ${port} (the ${what}) is in use; stop what uses it, or run with ${variable}=N (0 for any free port)`
    : `npm start: the ${what} could not start: ${err?.message ?? err}`);
  process.exit(1);
}

// a loopback collector without a token takes the demo's origin (and any page on this machine) itself
const collector = await startCollector({ port: collectorPort }).catch((err) => fail('collector', err, 'COLLECTOR_PORT', collectorPort));
const worker = await startDemoWorker({ port: workerPort, collector: `${collector.url}/v1/logs` }).catch(async (err) => {
  await collector.close();
  return fail('demo Worker', err, 'WORKER_PORT', workerPort);
});
const demo = await startDemo({ port: demoPort, collector: `${collector.url}/v1/logs`, worker: worker.url }).catch(async (err) => {
  await worker.close();
  await collector.close();
  return fail('demo app', err, 'PORT', demoPort);
});
console.log(`isolog
  demo app    ${demo.url}
  demo Worker ${worker.url} (workerd; POST /api/pay)
  collector   ${collector.url}/v1/logs
  live view   ${collector.url}/
  writing     ${collector.file}`);
const stop = async () => {
  await demo.close();
  await worker.close();
  await collector.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
