import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './test/browser/chromium-options.js';

const port = Number(process.env.ISOLOG_TEST_PORT ?? 41730);

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
