import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { chromiumLaunchOptions } from './test/browser/chromium-options.js';

// The test pages' server listens on a port the system hands out, never a fixed one: two runs at
// once (or anything else on the machine) must not collide. The config is loaded again in each test
// worker, which inherits this environment, so every process agrees on the one port.
if (!process.env.ISOLOG_TEST_PORT) {
  const script = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  process.env.ISOLOG_TEST_PORT = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
}
const port = Number(process.env.ISOLOG_TEST_PORT);

export default defineConfig({
  testDir: 'test',
  testIgnore: ['**/unit/**', '**/edge/**'],
  testMatch: '**/*.spec.ts',
  workers: 1,
  timeout: 60_000,
  reporter: process.env.ISOLOG_PW_JSON ? [['list'], ['json', { outputFile: process.env.ISOLOG_PW_JSON }]] : 'list',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: chromiumLaunchOptions,
  },
  webServer: {
    command: 'node test/browser/server.mjs',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
