// The README's FetchHandler example (`<!-- example: fetch -->`, "Sending from Node, Deno, Bun") runs
// as it stands against the collector, only its URL pointed at this test's port. Skipped while the
// README has no such block.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { readmeBlocks, type ReadmeBlock } from '../readme-blocks.js';
import { collector, stored } from './collector/helpers.js';

const src = new URL('../../src/', import.meta.url).pathname;
const README_URL = 'http://127.0.0.1:4318/v1/logs';
// README_FETCH_FROM names another file to read the blocks from (a README section being written)
const blocks = readmeBlocks(process.env.README_FETCH_FROM ? readFileSync(process.env.README_FETCH_FROM, 'utf8') : undefined);
const example: ReadmeBlock | undefined = blocks.find((b) => b.kind === 'example' && b.name === 'fetch');

let running: Awaited<ReturnType<typeof collector>> | undefined;
afterEach(async () => { await running?.close(); running = undefined; });

describe.skipIf(!example)('README: Sending from Node, Deno, Bun', () => {
  it('the FetchHandler example delivers its record to the collector, and the process ends', async () => {
    const code = (example as ReadmeBlock).code;
    expect(code).toContain(README_URL);
    running = await collector();
    const dir = mkdtempSync(join(tmpdir(), 'isolog-readme-fetch-'));
    writeFileSync(join(dir, 'example.ts'), code.replaceAll(README_URL, `${running.url}/v1/logs`));
    await build({ entryPoints: [join(dir, 'example.ts')], outfile: join(dir, 'example.mjs'), bundle: true, platform: 'node', format: 'esm',
      alias: { isolog: join(src, 'index.ts'), 'isolog/node': join(src, 'runtime/node.ts') }, logLevel: 'warning' });
    // not spawnSync: the collector answering it runs in this process
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [join(dir, 'example.mjs')], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
      });
    });
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(stored(running.dir)).toMatchObject([{ logger: 'billing', levelname: 'INFO', message: 'invoice F-2031 sent', attributes: { amount: 120 }, resource: { 'service.name': 'billing' } }]);
  }, 60_000);
});
