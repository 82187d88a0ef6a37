// Builds dist/ (ESM per source file, .d.ts from tsc) and reports the min+gzip size of each entry.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const minifyOptions = { bundle: true, minify: true, format: 'esm', write: false, treeShaking: true, platform: 'browser' };
const gzipped = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** What a bundler ships for `code` (an import of isolog's source) as one file, minified and gzipped. */
export async function minGzipSize(code, external = []) {
  const result = await build({ stdin: { contents: code, resolveDir: root, loader: 'ts' }, external, ...minifyOptions });
  const bytes = result.outputFiles[0].contents;
  return { min: bytes.length, gzip: gzipped(bytes) };
}

/** The first load: the entry chunk and the chunks it imports statically, transitively, each gzipped on its own. */
function firstLoadOf(chunks, entry) {
  const first = new Set();
  const visit = (name) => {
    if (first.has(name)) return;
    first.add(name);
    for (const imported of chunks.get(name).imports) visit(imported);
  };
  visit(entry);
  let min = 0;
  let gzip = 0;
  for (const name of first) {
    min += chunks.get(name).bytes.length;
    gzip += gzipped(chunks.get(name).bytes);
  }
  const lazy = [...chunks.keys()].filter((name) => !first.has(name))
    .map((name) => ({ chunk: name, min: chunks.get(name).bytes.length, gzip: gzipped(chunks.get(name).bytes) }));
  return { min, gzip, chunks: first.size, lazy };
}

/**
 * What a page downloads before `code` runs, bundled with code splitting as Vite does it, by Vite's
 * own bundler (Rolldown, which Vite 8 builds with): the entry chunk and every chunk it imports
 * statically, each minified and gzipped on its own (each is its own request); chunks reached only
 * through `import()` are listed in `lazy`, not counted.
 */
export async function firstLoadSize(code) {
  const { rolldown } = await import('rolldown');
  // a path in the repository, so that the entry's relative imports resolve from there
  const entry = join(root, 'size-entry.ts');
  const bundle = await rolldown({
    input: entry, platform: 'browser', logLevel: 'silent', cwd: root,
    plugins: [{ name: 'size-entry', resolveId: (id) => (id === entry ? entry : null), load: (id) => (id === entry ? { code, moduleType: 'ts' } : null) }],
  });
  try {
    const { output } = await bundle.generate({ format: 'esm', minify: true });
    const chunks = new Map(output.filter((o) => o.type === 'chunk').map((o) => [o.fileName, { bytes: Buffer.from(o.code), imports: o.imports }]));
    return firstLoadOf(chunks, output.find((o) => o.type === 'chunk' && o.isEntry).fileName);
  } finally {
    await bundle.close();
  }
}

/**
 * The same with esbuild's code splitting. esbuild gives a module to a chunk by which entries reach
 * its file, not by which use its code: a module only the import()ed pipeline uses (serialize.ts)
 * lands in a chunk of the first load because `isolog`'s index.ts re-exports from it.
 */
export async function esbuildFirstLoadSize(code) {
  const result = await build({
    stdin: { contents: code, resolveDir: root, loader: 'ts', sourcefile: 'entry.ts' },
    // the metafile names outputs relative to the working directory: npm start builds from anywhere
    ...minifyOptions, splitting: true, outdir: join(root, '.size'), metafile: true, absWorkingDir: root,
  });
  const bytesOf = new Map(result.outputFiles.map((f) => [relative(root, f.path), f.contents]));
  const outputs = result.metafile.outputs;
  const chunks = new Map(Object.keys(outputs).map((name) => [name, {
    bytes: bytesOf.get(name), imports: outputs[name].imports.filter((i) => i.kind === 'import-statement').map((i) => i.path),
  }]));
  return firstLoadOf(chunks, Object.keys(outputs).find((name) => outputs[name].entryPoint !== undefined));
}

const KB = 1024;
const PAGE = "export { startBrowserLogging } from './src/runtime/browser.ts'; export { getLogger } from './src/index.ts';";

/**
 * The sizes the build reports (bytes, min+gzip), with the budgets of issue 16 and a limit where no
 * budget is set: a test (test/unit/package/size.test.ts) fails when one is over.
 */
export const SIZES = [
  { name: 'core (getLogger, ConsoleHandler, Formatter)', code: "export { getLogger, ConsoleHandler, Formatter } from './src/index.ts';", budget: 13 * KB },
  { name: 'isolog (every export)', code: "export * from './src/index.ts';" },
  // with code splitting the in-page fallback listener and the rare paths are chunks of their own
  { name: 'page first load (startBrowserLogging, getLogger; code splitting by Rolldown, as Vite 8 does; static chunks)', code: PAGE, firstLoad: firstLoadSize, budget: 10 * KB },
  // esbuild's splitting puts more on the first load (see esbuildFirstLoadSize): a limit so that it does not grow
  { name: 'page first load with esbuild splitting', code: PAGE, firstLoad: esbuildFirstLoadSize, limit: 11.25 * KB },
  { name: 'page entry without splitting (startBrowserLogging, getLogger)', code: PAGE },
  // what a worker loads without errorContext: worker.js alone (the ring is a chunk of its own)
  { name: 'worker bundle (dist/worker.js, no bare imports)', code: "import './src/runtime/worker.ts';", firstLoad: esbuildFirstLoadSize, budget: 11 * KB },
  { name: 'edge entry (withLogging, getLogger; FetchHandler included)', code: "export { withLogging } from './src/runtime/edge.ts'; export { getLogger } from './src/index.ts';" },
  { name: 'FetchHandler (with getLogger)', code: "export { FetchHandler, getLogger } from './src/index.ts';" },
  // what a Service Worker that logs loads: the listener, its queue and flusher, and the core (its own records go to the queue in-process);
  // a limit so that it does not grow unnoticed, raised from 23 KB when records outside events, periodicSync and the flusher's slices came
  { name: 'service worker entry (isolog/service-worker: startServiceWorkerLogging, getLogger)', code: "export { startServiceWorkerLogging } from './src/runtime/service-worker.ts'; export { getLogger } from './src/index.ts';", limit: 24 * KB },
];

/** The size of one entry of SIZES: `{ min, gzip }`, and for a first load its chunks. */
export function measure(entry) {
  return entry.firstLoad ? entry.firstLoad(entry.code) : minGzipSize(entry.code, entry.external);
}

/**
 * The self-contained worker: no bare imports, servable as it is. preserveSymlinks keeps its map's
 * paths to idb-keyval under ../node_modules/ even when node_modules is a symlink.
 */
export async function buildWorker(outfile, minify = true) {
  await build({
    // the parts only some pages use (errorContext's ring) are chunks beside it, loaded by import()
    entryPoints: { [basename(outfile, '.js')]: join(root, 'src/runtime/worker.ts') }, outdir: dirname(outfile), splitting: true,
    chunkNames: 'worker-[name]-[hash]', bundle: true, format: 'esm', target: 'es2022',
    platform: 'browser', minify, sourcemap: minify ? 'linked' : 'inline', sourcesContent: true, preserveSymlinks: true,
    logLevel: 'warning',
  });
}

/** Declarations tsc does not write: the worker is a bundle. */
const ENTRY_DECLARATIONS = {
  'worker.d.ts': `/**
 * isolog/worker.js: the self-contained worker (idb-keyval bundled in) that
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
    const size = await measure(entry);
    const bounds = [entry.budget && `budget ${entry.budget} B: ${size.gzip <= entry.budget ? 'met' : 'over'}`,
      entry.limit && `limit ${entry.limit} B: ${size.gzip <= entry.limit ? 'met' : 'over'}`].filter(Boolean);
    const budget = bounds.length ? ` (${bounds.join('; ')})` : '';
    const chunks = size.chunks ? ` in ${size.chunks} chunks` : '';
    console.log(`size ${entry.name}: ${size.min} B min, ${size.gzip} B min+gzip${chunks}${budget}`);
    for (const lazy of size.lazy ?? []) console.log(`  loaded later: ${lazy.chunk}: ${lazy.min} B min, ${lazy.gzip} B min+gzip`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
