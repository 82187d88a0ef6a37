// Where each benchmark script leaves its figures (.bench/<name>.json), for bench-table.mjs to put
// side by side in one table. Each file records when and where it was measured.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

export const benchDir = join(new URL('..', import.meta.url).pathname, '.bench');

/** Saves one script's figures as .bench/<name>.json. */
export function saveResults(name, figures) {
  mkdirSync(benchDir, { recursive: true });
  const where = { node: process.version, cpus: cpus().length, at: new Date().toISOString() };
  writeFileSync(join(benchDir, `${name}.json`), JSON.stringify({ ...where, ...figures }, null, 1) + '\n');
}

/** One script's saved figures, or undefined when it has not run. */
export function loadResults(name) {
  const path = join(benchDir, `${name}.json`);
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}
