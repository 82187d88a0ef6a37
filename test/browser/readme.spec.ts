// The README's browser example and its first commands, run as they stand in README.md (read from
// it, not copied here) in Chromium, with the collector started as the README starts it: its own
// process, on another port than the page, no --cors.
import { chromium, expect, test } from '@playwright/test';
import { build } from 'esbuild';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readmeBlock } from '../readme-blocks.js';
import { cliBundle, startChild } from '../unit/collector/helpers.js';
import { chromiumLaunchOptions } from './chromium-options.js';

const repo = new URL('../../', import.meta.url).pathname;
const ENTRIES = { isolog: join(repo, 'src/index.ts'), 'isolog/browser': join(repo, 'src/runtime/browser.ts') };

/** Starts `command` and resolves with the first match of `pattern` in its output. */
function startAndRead(command: string[], cwd: string, pattern: RegExp, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; match: RegExpExecArray; output: () => string }> {
  const child = spawn(process.execPath, command, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let started = false;
    const timer = setTimeout(() => { child.kill(); reject(new Error(`${command.join(' ')} did not start: ${out}`)); }, 60_000);
    const read = (chunk: Buffer): void => {
      out += chunk;
      const match = started ? null : pattern.exec(out);
      if (match) { started = true; clearTimeout(timer); resolve({ child, match, output: () => out }); }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${command.join(' ')} exited (${code}): ${out}`)); });
  });
}

/** The records in an NDJSON file, once `done` holds for them (polled, bounded). */
async function storedUntil(file: string, done: (records: Record<string, unknown>[]) => boolean): Promise<Record<string, unknown>[]> {
  let records: Record<string, unknown>[] = [];
  await expect.poll(() => {
    records = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
    return done(records);
  }, { timeout: 20_000 }).toBe(true);
  return records;
}

let cli: string | undefined;
const children: ChildProcess[] = [];
const servers: Server[] = [];
test.afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGTERM');
  for (const s of servers.splice(0)) s.close();
});


/**
 * Serves the README's browser example, bundled as a user would; `point(url)` rebuilds it with its
 * collector URL pointed at `url`.
 */
async function serveBrowserExample(dir: string): Promise<{ port: number; point(collector: string): Promise<void> }> {
  const example = readmeBlock('example', 'browser').code;
  expect(example).toContain("'http://127.0.0.1:4318/v1/logs'");
  let app = '';
  const point = async (collector: string): Promise<void> => {
    app = (await build({
      stdin: { contents: example.replace("'http://127.0.0.1:4318/v1/logs'", JSON.stringify(collector)), resolveDir: dir, loader: 'ts', sourcefile: 'app.ts' },
      bundle: true, format: 'esm', target: 'es2022', write: false, alias: ENTRIES, logLevel: 'warning',
    })).outputFiles[0].text;
  };
  const worker = (await build({ entryPoints: [join(repo, 'src/runtime/worker.ts')], bundle: true, format: 'esm', target: 'es2022', write: false, logLevel: 'warning' })).outputFiles[0].text;
  // the page's module is /app/main.js, so `new URL('../../worker.js', import.meta.url)` is /worker.js, as from dist/pipeline/page/
  const server = createServer((req, res) => {
    if (req.url === '/app/main.js' || req.url === '/worker.js') {
      res.setHeader('content-type', 'text/javascript');
      return void res.end(req.url === '/worker.js' ? worker : app);
    }
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><meta charset="utf-8"><title>readme</title><script type="module" src="/app/main.js"></script>');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, point };
}

/** `npx isolog collect` with `flags` (the CLI bundled from source), on a free port instead of the README's 4318, writing `dir`/logs. */
async function startCollectorCommand(dir: string, flags: string[] = []): Promise<{ url: string; output: () => string }> {
  cli ??= await cliBundle();
  const { proc, url, output } = await startChild(cli, ['--dir', join(dir, 'logs'), ...flags]);
  children.push(proc);
  return { url: `${url}/v1/logs`, output };
}

const EXAMPLE_MESSAGE = 'added SKU-1042 to the cart';

test("the browser example ships its info record to a collector on another port, started with no flags", async ({ page }) => {
  test.setTimeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'isolog-readme-browser-'));
  const collector = await startCollectorCommand(dir);
  const { port, point } = await serveBrowserExample(dir);
  await point(collector.url);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`http://127.0.0.1:${port}/`);
  const records = await storedUntil(join(dir, 'logs/isolog.ndjson'), (rs) => rs.some((r) => r.message === EXAMPLE_MESSAGE));
  const record = records.find((r) => r.message === EXAMPLE_MESSAGE) as Record<string, unknown>;
  expect(record).toMatchObject({ logger: 'shop.cart', levelname: 'INFO', resource: { 'service.name': 'shop', 'service.version': '1.4.0' } });
  expect(errors).toEqual([]);
});

test('a page from another origin (not secure, not loopback) is refused and named once in the collector\'s terminal, then accepted with --cors', async () => {
  test.setTimeout(120_000);
  // app.test is an ordinary http:// origin: not a secure context, so crypto.randomUUID is missing there
  const browser = await chromium.launch({ ...chromiumLaunchOptions, args: [...chromiumLaunchOptions.args, '--host-resolver-rules=MAP app.test 127.0.0.1'] });
  try {
    const pages = await serveBrowserExample(mkdtempSync(join(tmpdir(), 'isolog-readme-origin-')));
    const origin = `http://app.test:${pages.port}`;
    const refusedDir = mkdtempSync(join(tmpdir(), 'isolog-readme-origin-'));
    const refusing = await startCollectorCommand(refusedDir);
    await pages.point(refusing.url);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/`);
    const notice = `refused a request from origin ${origin}; to accept it, start the collector with --cors ${origin}`;
    await expect.poll(() => refusing.output().includes(notice), { timeout: 20_000 }).toBe(true);
    // more requests from that origin, the page's and one by hand, answered before the count is read
    await page.reload();
    const again = await fetch(refusing.url, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{"resourceLogs":[]}' });
    expect(again.status).toBe(403);
    expect(refusing.output().split(notice).length - 1).toBe(1);
    expect(errors).toEqual([]);

    const acceptedDir = mkdtempSync(join(tmpdir(), 'isolog-readme-origin-'));
    const accepting = await startCollectorCommand(acceptedDir, ['--cors', origin]);
    await pages.point(accepting.url);
    await page.reload();
    await storedUntil(join(acceptedDir, 'logs/isolog.ndjson'), (rs) => rs.some((r) => r.message === EXAMPLE_MESSAGE));
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('npm start serves the demo, and its records reach the collector it started', async ({ page }) => {
  test.setTimeout(120_000);
  const commands = readmeBlock('example', 'first-commands').code;
  expect(commands).toMatch(/^npm install && npm start\b/m);
  expect(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).scripts.start).toBe('node scripts/start.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'isolog-readme-start-'));
  // what `npm start` runs, in a scratch folder (its ./logs) and on free ports (PORT, COLLECTOR_PORT, WORKER_PORT)
  const { child, match } = await startAndRead([join(repo, 'scripts/start.mjs')], dir, /demo app\s+(http:\/\/\S+)/, { PORT: '0', COLLECTOR_PORT: '0', WORKER_PORT: '0' });
  children.push(child);
  await page.goto(match[1]);
  const file = join(dir, 'logs/isolog.ndjson');
  await storedUntil(file, (rs) => rs.some((r) => r.message === 'demo loaded'));
  await page.click('#log');
  await storedUntil(file, (rs) => rs.some((r) => r.message === 'button clicked 1 time' && r.logger === 'demo.ui'));
  // browser → Worker (workerd) → collector: the page's records of the click and the Worker's of the
  // request it made share one traceId
  await page.click('#pay');
  const records = await storedUntil(file, (rs) => rs.some((r) => r.logger === 'demo.api' && String(r.message).startsWith('payment accepted'))
    && rs.some((r) => r.logger === 'demo.checkout' && r.message === 'the Worker answered HTTP 201'));
  const paid = records.find((r) => r.logger === 'demo.checkout' && r.message === 'the Worker answered HTTP 201');
  const traceId = paid?.traceId;
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  const trace = records.filter((r) => r.traceId === traceId);
  expect(trace.map((r) => r.logger).sort()).toEqual(['demo.api', 'demo.api', 'demo.checkout', 'demo.checkout', 'isolog.access']);
  const fromWorker = trace.find((r) => r.logger === 'demo.api');
  expect(fromWorker?.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.path': '/api/pay' });
  expect((fromWorker?.resource as Record<string, unknown>)['service.name']).toBe('isolog-demo-worker');
  // the Worker's records have a span of their own, a child of the one the page's fetch sent
  expect(fromWorker?.spanId).not.toBe(paid?.spanId);
  await expect(page.locator('#out a')).toHaveAttribute('href', new RegExp(`\\?trace=${traceId}$`));
});
