// Builds dist/ (ESM per source file, .d.ts from tsc) and reports the min+gzip size of each entry.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
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
export async function minGzipSize(code) {
  const result = await build({
    stdin: { contents: code, resolveDir: root, loader: 'ts' },
    bundle: true, minify: true, format: 'esm', write: false, treeShaking: true, platform: 'neutral',
  });
  const bytes = result.outputFiles[0].contents;
  return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/** Size budgets (bytes, min+gzip) that the build enforces. */
export const BUDGETS = [
  { name: 'core (getLogger, ConsoleHandler, Formatter)', code: "export { getLogger, ConsoleHandler, Formatter } from './src/index.ts';", limit: 5 * 1024 },
  { name: 'isolog (every export)', code: "export * from './src/index.ts';", limit: Infinity },
];

async function main() {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  await build({
    entryPoints: sources(join(root, 'src')), outdir: join(root, 'dist'), outbase: join(root, 'src'),
    format: 'esm', target: 'es2022', platform: 'neutral', sourcemap: true, logLevel: 'warning',
  });
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.json'), '--emitDeclarationOnly'], { stdio: 'inherit' });
  let over = false;
  for (const budget of BUDGETS) {
    const { min, gzip } = await minGzipSize(budget.code);
    const limit = Number.isFinite(budget.limit) ? ` (budget ${budget.limit} B)` : '';
    console.log(`size ${budget.name}: ${min} B min, ${gzip} B min+gzip${limit}`);
    if (gzip > budget.limit) over = true;
  }
  if (over) {
    console.error('build: an entry is over its size budget');
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
