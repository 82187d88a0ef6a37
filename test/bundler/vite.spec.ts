// isolog works in an app bundled by Vite: the worker is found, emitted and started, records arrive.
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { FaultyCollector } from '../browser/harness.js';
// @ts-expect-error a plain .mjs script without declarations
import { distState } from '../../scripts/dist-fresh.mjs';

const repo = join(import.meta.dirname, '../..');
const work = join(repo, 'node_modules/.cache/isolog-vite');
let server: Server;
let origin: string;
let collector: FaultyCollector;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  // the app is built against the package as published: dist/, built again if src/ changed since
  if (distState(repo)) execFileSync(process.execPath, [join(repo, 'scripts/build.mjs')], { stdio: 'inherit' });
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'node_modules'), { recursive: true });
  cpSync(join(import.meta.dirname, 'vite-app'), work, { recursive: true });
  symlinkSync(repo, join(work, 'node_modules/isolog'), 'dir');
  execFileSync(process.execPath, [join(repo, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', 'out'], { cwd: work, stdio: 'inherit' });
  const out = join(work, 'out');
  server = createServer((req, res) => {
    const path = join(out, (req.url ?? '/').split('?')[0].replace(/\.\./g, ''));
    const file = existsSync(path) && !path.endsWith('/') ? path : join(out, 'index.html');
    res.setHeader('content-type', { '.js': 'text/javascript', '.html': 'text/html' }[extname(file)] ?? 'application/octet-stream');
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  collector = await FaultyCollector.start([origin]);
});
test.afterAll(async () => { server?.close(); await collector?.close(); });

test('a Vite production build starts the worker and ships records', async ({ page }) => {
  const assets = readdirSync(join(work, 'out/assets'));
  expect(assets.some((f) => /worker/i.test(f))).toBe(true);
  const run = `vite-${Date.now().toString(36)}`;
  await page.goto(`${origin}/?collector=${encodeURIComponent(collector.url)}&run=${run}`);
  expect(await page.evaluate(() => window.viteResult)).toBe('1 acknowledged, durable storage true');
  expect(collector.all().some((r) => r.message === `hello from a Vite build ${run}`)).toBe(true);
});
