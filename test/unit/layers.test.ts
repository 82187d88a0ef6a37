// The tree's one rule: each folder of src/ is a layer and imports only from itself and the layers
// before it (README, "Where the code lives"). A file that reaches down the list fails here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = new URL('../../src/', import.meta.url).pathname;
// index.ts, the public exports, is read by the runtime entries (isolog/node re-exports it)
const LAYERS = ['core', 'handlers', 'config', 'transport', 'pipeline', 'index.ts', 'runtime', 'collector'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const layerOf = (file: string): string => relative(src, file).split(sep)[0].replace(/\.js$/, '.ts');

describe('layers', () => {
  it('every source file imports only from its own layer or the ones before it', () => {
    const wrong: string[] = [];
    for (const file of files(src)) {
      const from = layerOf(file);
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const to = layerOf(resolve(dirname(file), spec));
        if (LAYERS.indexOf(to) > LAYERS.indexOf(from)) wrong.push(`${relative(src, file)} imports ${spec} (${to} comes after ${from})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('knows every folder of src/', () => {
    const folders = readdirSync(src).filter((name) => statSync(join(src, name)).isDirectory());
    expect(folders.sort()).toEqual(LAYERS.filter((l) => !l.endsWith('.ts')).sort());
  });
});
