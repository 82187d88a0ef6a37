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

/** Entries whose min+gzip size the build reports, with the size each aims at (bytes). */
export const SIZES = [
  { name: 'core (getLogger, ConsoleHandler, Formatter)', code: "export { getLogger, ConsoleHandler, Formatter } from './src/index.ts';", target: 5 * 1024 },
  { name: 'isolog (every export)', code: "export * from './src/index.ts';" },
];

async function main() {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  await build({
    entryPoints: sources(join(root, 'src')), outdir: join(root, 'dist'), outbase: join(root, 'src'),
    format: 'esm', target: 'es2022', platform: 'neutral', sourcemap: true, logLevel: 'warning',
  });
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.json'), '--emitDeclarationOnly'], { stdio: 'inherit' });
  for (const entry of SIZES) {
    const { min, gzip } = await minGzipSize(entry.code);
    const target = entry.target ? ` (target ${entry.target} B: ${gzip <= entry.target ? 'met' : 'over'})` : '';
    console.log(`size ${entry.name}: ${min} B min, ${gzip} B min+gzip${target}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
