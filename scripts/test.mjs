// npm test: every suite (unit in Node, edge in workerd, browser in Chromium), then one line
// `N passed, N failed` counting all of them. Installs Chromium first if none is found.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules/.bin', name);
const env = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' };

function findChromium() {
  for (const path of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (path && existsSync(path)) return path;
  }
  try {
    const path = createRequire(import.meta.url)('playwright-core').chromium.executablePath();
    if (path && existsSync(path)) return path;
  } catch { /* no Playwright browser either */ }
  return undefined;
}

function ensureChromium() {
  let path = findChromium();
  if (path) return path;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.log('test: no Chromium found; installing Debian\'s chromium package');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } else {
    console.log('test: no Chromium found; downloading Playwright\'s');
    execFileSync(bin('playwright'), ['install', 'chromium'], { stdio: 'inherit', env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '' } });
  }
  path = findChromium();
  if (!path) throw new Error('test: could not install Chromium');
  return path;
}

const reports = mkdtempSync(join(tmpdir(), 'isolog-test-'));
const suites = [];

function vitestSuite(name, args) {
  const file = join(reports, `${name}.json`);
  const run = spawnSync(bin('vitest'), ['run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${file}`], { cwd: root, env, stdio: 'inherit' });
  let passed = 0;
  let failed = 0;
  if (existsSync(file)) {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed = report.numPassedTests;
    failed = report.numFailedTests + (report.numRuntimeErrors ?? 0);
  }
  if (run.status !== 0 && failed === 0) failed = 1; // the runner itself failed: count it
  suites.push({ name, passed, failed });
}

function playwrightSuite(chromiumPath) {
  const file = join(reports, 'browser.json');
  const run = spawnSync(bin('playwright'), ['test'], { cwd: root, env: { ...env, CHROMIUM_PATH: chromiumPath, ISOLOG_PW_JSON: file }, stdio: 'inherit' });
  let passed = 0;
  let failed = 0;
  if (existsSync(file)) {
    const stats = JSON.parse(readFileSync(file, 'utf8')).stats;
    passed = stats.expected + (stats.flaky ?? 0);
    failed = stats.unexpected;
  }
  if (run.status !== 0 && failed === 0) failed = 1;
  suites.push({ name: 'browser', passed, failed });
}

const only = process.argv[2];
if (!only || only === 'unit') vitestSuite('unit', []);
if (!only || only === 'edge') vitestSuite('edge', ['--config', 'vitest.edge.config.ts']);
if (!only || only === 'browser') playwrightSuite(ensureChromium());

for (const s of suites) console.log(`${s.name}: ${s.passed} passed, ${s.failed} failed`);
const passed = suites.reduce((n, s) => n + s.passed, 0);
const failed = suites.reduce((n, s) => n + s.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
