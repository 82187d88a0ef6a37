#!/usr/bin/env node
// `isolog collect`: the collector command. The package ships it built in dist/; in a clone of the
// repository nothing builds dist/ at install, so a run builds it when it is missing or stale.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/collector/cli.js', import.meta.url);
const build = new URL('../scripts/build.mjs', import.meta.url);
// a clone has scripts/ (an installed package does not): there dist/ is built when missing or older than src/
const state = existsSync(build) ? (await import('../scripts/dist-fresh.mjs')).distState(fileURLToPath(new URL('..', import.meta.url))) : null;
if (!existsSync(cli) && !existsSync(build)) {
  console.error('isolog: dist/collector/cli.js is missing from this install; reinstall isolog');
  process.exit(1);
}
if (state) {
  console.error(state === 'missing' ? 'isolog: no dist/ yet; building it (npm run build)' : 'isolog: src/ changed since dist/ was built; building it again');
  try {
    // the build's report goes to stderr: stdout is the collector's
    execFileSync(process.execPath, [fileURLToPath(build)], { stdio: ['ignore', 2, 2] });
  } catch {
    console.error('isolog: the build failed; run `npm install`, then `npm run build`');
    process.exit(1);
  }
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
