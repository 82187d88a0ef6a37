// Builds dist/ (ESM per source file, .d.ts from tsc) and reports the min+gzip size of each entry.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** What a bundler ships for `code` (an import of isolog's source), minified and gzipped. */
export async function minGzipSize(code, external = []) {
  const result = await build({
    stdin: { contents: code, resolveDir: root, loader: 'ts' }, external,
    bundle: true, minify: true, format: 'esm', write: false, treeShaking: true, platform: 'browser',
  });
  const bytes = result.outputFiles[0].contents;
  return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/** Entries whose min+gzip size the build reports, with the size each aims at (bytes). */
export const SIZES = [
  { name: 'core (getLogger, ConsoleHandler, Formatter)', code: "export { getLogger, ConsoleHandler, Formatter } from './src/index.ts';", target: 5 * 1024 },
  { name: 'isolog (every export)', code: "export * from './src/index.ts';" },
  // the in-page fallback listener is a separate chunk, loaded only when no worker can start
  { name: 'page entry (startBrowserLogging, getLogger; comlink included)', code: "export { startBrowserLogging } from './src/runtime/browser.ts'; export { getLogger } from './src/index.ts';", target: 5 * 1024, external: ['../worker/listener.js'] },
  { name: 'worker bundle (dist/worker.js; comlink, idb-keyval included)', code: "import './src/runtime/worker.ts';", target: 10 * 1024 },
];

/**
 * The self-contained worker: no bare imports, servable as it is. preserveSymlinks keeps its map's
 * paths to comlink and idb-keyval under ../node_modules/ even when node_modules is a symlink.
 */
export async function buildWorker(outfile, minify = true) {
  await build({
    entryPoints: [join(root, 'src/runtime/worker.ts')], outfile, bundle: true, format: 'esm', target: 'es2022',
    platform: 'browser', minify, sourcemap: minify ? 'linked' : 'inline', sourcesContent: true, preserveSymlinks: true,
    logLevel: 'warning',
  });
}

/** Declarations tsc does not write: the worker is a bundle. */
const ENTRY_DECLARATIONS = {
  'worker.d.ts': `/**
 * isolog/worker.js: the self-contained worker (comlink and idb-keyval bundled in) that
 * startBrowserLogging starts. It exports nothing: loaded as a module worker, it starts the listener.
 * @example
 * startBrowserLogging({ collector, createWorker: () => new Worker(new URL('isolog/worker.js', import.meta.url), { type: 'module' }) })
 */
export {};
`,
};

async function main() {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  await build({
    entryPoints: sources(join(root, 'src')), outdir: join(root, 'dist'), outbase: join(root, 'src'),
    // the package ships dist/ without src/: each map carries the source it points at
    format: 'esm', target: 'es2022', platform: 'neutral', sourcemap: true, sourcesContent: true, logLevel: 'warning',
  });
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.json'), '--emitDeclarationOnly'], { stdio: 'inherit' });
  for (const [name, text] of Object.entries(ENTRY_DECLARATIONS)) writeFileSync(join(root, 'dist', name), text);
  await buildWorker(join(root, 'dist/worker.js'));
  for (const entry of SIZES) {
    const { min, gzip } = await minGzipSize(entry.code, entry.external);
    const target = entry.target ? ` (target ${entry.target} B: ${gzip <= entry.target ? 'met' : 'over'})` : '';
    console.log(`size ${entry.name}: ${min} B min, ${gzip} B min+gzip${target}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
