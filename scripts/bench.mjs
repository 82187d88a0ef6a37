// npm run bench: the suite in Node, then in Chromium (Playwright, Debian's chromium), printed side by side.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { saveResults } from './bench-results.mjs';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, '.bench');
mkdirSync(out, { recursive: true });

const nodeEntry = `import { runSuite } from '../bench/suite.ts'; export default () => runSuite((l) => console.log(l));`;
await build({ stdin: { contents: nodeEntry, resolveDir: out, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: join(out, 'node.mjs'), logLevel: 'warning' });
console.log(`# Node ${process.version}`);
const nodeResults = await (await import(pathToFileURL(join(out, 'node.mjs')).href)).default();

const browserEntry = `import { runSuite } from './bench/suite.ts'; window.benchDone = runSuite((l) => console.log(l));`;
const bundle = await build({ stdin: { contents: browserEntry, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'browser', format: 'iife', write: false, logLevel: 'warning', define: { 'process.env.NODE_ENV': '"production"' } });
writeFileSync(join(out, 'browser.js'), bundle.outputFiles[0].text);

const { chromium } = await import('@playwright/test');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage();
const version = browser.version();
console.log(`\n# Chromium ${version}`);
page.on('console', (m) => console.log(m.text()));
await page.goto('about:blank');
await page.addScriptTag({ content: bundle.outputFiles[0].text });
const browserResults = await page.evaluate(() => window.benchDone);
await browser.close();

saveResults('calls', { node: nodeResults, chromium: browserResults, chromiumVersion: version });
for (const [where, results] of [['Node', nodeResults], ['Chromium', browserResults]]) {
  const by = Object.fromEntries(results.map((r) => [r.name, r.nsPerCall]));
  const ratio = by['isolog disabled debug()'] / by['empty function call (baseline)'];
  const enabled = by['isolog enabled info() -> NullHandler'];
  console.log(`\n${where}: disabled call = ${ratio.toFixed(2)}x an empty call (target <= 2x); ` +
    `enabled -> NullHandler ${enabled.toFixed(0)} ns vs pino ${by['pino enabled info() -> null stream'].toFixed(0)} ns, ` +
    `LogTape ${by['logtape enabled info() -> null sink'].toFixed(0)} ns`);
}
