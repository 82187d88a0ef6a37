import { defineConfig } from '@playwright/test';

const port = Number(process.env.ISOLOG_TEST_PORT ?? 41730);

export default defineConfig({
  testDir: 'test/browser',
  testMatch: '**/*.spec.ts',
  workers: 1,
  timeout: 60_000,
  reporter: process.env.ISOLOG_PW_JSON ? [['list'], ['json', { outputFile: process.env.ISOLOG_PW_JSON }]] : 'list',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    },
  },
  webServer: {
    command: 'node test/browser/server.mjs',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
