// npm start: the collector (OTLP on 127.0.0.1:4318, NDJSON in ./logs) and the demo app beside it.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
if (!existsSync(`${root}dist/collector/index.js`)) execFileSync(process.execPath, [`${root}scripts/build.mjs`], { stdio: 'inherit' });

const { startCollector } = await import('../dist/collector/index.js');
const { startDemo } = await import('../demo/server.mjs');
const demoPort = Number(process.env.PORT ?? 5173);
// a loopback collector without a token takes the demo's origin (and any page on this machine) itself
const collector = await startCollector({ port: Number(process.env.COLLECTOR_PORT ?? 4318) });
const demo = await startDemo({ port: demoPort, collector: `${collector.url}/v1/logs` });
console.log(`isolog
  demo app    ${demo.url}
  collector   ${collector.url}/v1/logs
  live view   ${collector.url}/
  writing     ${collector.file}`);
const stop = async () => {
  await demo.close();
  await collector.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
