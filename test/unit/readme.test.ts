// The README's examples run as they stand in README.md (read from it, not copied here): the Node
// quick start prints what the README shows under it; every code block is marked as an example, an
// output or a sample that is shown only.
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readmeBlock, readmeBlocks } from '../readme-blocks.js';
import { cliBundle, runCli, startChild } from './collector/helpers.js';

const repo = new URL('../../', import.meta.url).pathname;
const src = join(repo, 'src');
/** The package's entries, resolved to the source as a bundler resolves them through `exports`. */
export const ENTRIES: Record<string, string> = {
  isolog: join(src, 'index.ts'),
  'isolog/node': join(src, 'runtime/node.ts'),
  'isolog/browser': join(src, 'runtime/browser.ts'),
  'isolog/collector': join(src, 'collector/index.ts'),
};

/** What differs from run to run: the time, and the stack frames (paths and line numbers). */
function comparable(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}/g, '<asctime>')
    .replace(/(^ {4}at .*\n)+/gm, '    at …\n');
}

describe('README', () => {
  it('marks every code block, so none is left untested by accident', () => {
    const kinds = readmeBlocks().map((b) => `${b.kind}: ${b.name}`);
    expect(kinds).toContain('example: node');
    expect(kinds).toContain('output: node');
    expect(kinds).toContain('example: browser');
  });

  it('the Node quick start prints what the README shows', async () => {
    const example = readmeBlock('example', 'node');
    const dir = mkdtempSync(join(tmpdir(), 'isolog-readme-'));
    writeFileSync(join(dir, 'example.ts'), example.code);
    await build({ entryPoints: [join(dir, 'example.ts')], outfile: join(dir, 'example.mjs'), bundle: true, platform: 'node', format: 'esm', alias: ENTRIES, logLevel: 'warning' });
    const run = spawnSync(process.execPath, [join(dir, 'example.mjs')], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(comparable(run.stderr)).toBe(comparable(readmeBlock('output', 'node').code));
  });

  it('npm start with a port taken says which variable to set, without a stack', async () => {
    const { createServer } = await import('node:net');
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = String((holder.address() as { port: number }).port);
    try {
      for (const [variable, what, env] of [
        ['COLLECTOR_PORT', 'collector', { COLLECTOR_PORT: port, PORT: '0', WORKER_PORT: '0' }],
        ['PORT', 'demo app', { COLLECTOR_PORT: '0', PORT: port, WORKER_PORT: '0' }],
        ['WORKER_PORT', 'demo Worker', { COLLECTOR_PORT: '0', PORT: '0', WORKER_PORT: port }],
      ] as const) {
        const run = spawnSync(process.execPath, [join(repo, 'scripts/start.mjs')], { cwd: mkdtempSync(join(tmpdir(), 'isolog-start-')), env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
        expect(run.status).toBe(1);
        expect(run.stderr.trim()).toBe(`npm start: port ${port} (the ${what}) is in use; stop what uses it, or run with ${variable}=N (0 for any free port)`);
      }
    } finally {
      holder.close();
    }
  }, 240_000);

  describe('the collector', () => {
    const options = (text: string): string[] => [...text.matchAll(/\[(--[\w-]+)/g)].map((m) => m[1]).sort();
    // the CLI bundled from source (what `npx isolog collect` runs once built), never a stale dist/
    let cli: string;
    beforeAll(async () => { cli = await cliBundle(); }, 60_000);

    it("the synopsis lists the options the command's own usage lists", async () => {
      const usage = await runCli(cli, ['collect', '--help']);
      expect(usage.code).toBe(0);
      expect(options(readmeBlock('shown', 'collector-usage').code)).toEqual(options(usage.stdout));
    });

    it("the levels synopsis lists the options the command's own usage lists", async () => {
      const usage = await runCli(cli, ['levels', '--help']);
      expect(usage.code).toBe(0);
      expect(options(readmeBlock('shown', 'levels-usage').code)).toEqual(options(usage.stdout));
      expect(usage.stdout).toContain('usage: isolog levels URL [--token T] [NAME=LEVEL ...]');
    });

    it("the tail synopsis lists the options the command's own usage lists", async () => {
      const usage = await runCli(cli, ['tail', '--help']);
      expect(usage.code).toBe(0);
      expect(options(readmeBlock('shown', 'tail-usage').code)).toEqual(options(usage.stdout));
    });

    it('the Subscriber example prints the records of shop at WARNING or above, and stops on SIGINT', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'isolog-readme-subscriber-'));
      const collector = await startChild(cli, ['--dir', join(dir, 'logs')]);
      try {
        writeFileSync(join(dir, 'example.ts'), readmeBlock('example', 'subscriber').code.replaceAll('http://127.0.0.1:4318', collector.url));
        await build({ entryPoints: [join(dir, 'example.ts')], outfile: join(dir, 'example.mjs'), bundle: true, platform: 'node', format: 'esm', alias: ENTRIES, packages: 'external', logLevel: 'warning' });
        const { spawn } = await import('node:child_process');
        const proc = spawn(process.execPath, [join(dir, 'example.mjs')], { stdio: ['ignore', 'pipe', 'pipe'], cwd: repo });
        let out = '';
        proc.stdout.on('data', (d: Buffer) => { out += d; });
        const exited = new Promise<number | null>((r) => proc.once('exit', r));
        const record = (logger: string, severity: number, text: string, uid: string) => ({
          timeUnixNano: '1795342830123000000', severityNumber: severity, body: { stringValue: text },
          attributes: [{ key: 'log.record.uid', value: { stringValue: uid } }], scope: logger,
        });
        const body = (rs: ReturnType<typeof record>[]) => JSON.stringify({ resourceLogs: [{ scopeLogs: rs.map((r) => ({ scope: { name: r.scope }, logRecords: [{ ...r, scope: undefined }] })) }] });
        // once the subscriber is there (its first connection gets no backlog), send until its line comes
        for (let i = 0; i < 100 && !out.includes('card declined'); i++) {
          await fetch(`${collector.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' },
            body: body([record('shop.pay', 13, 'card declined', `sub-${i}`), record('shop.pay', 9, 'cart viewed', `sub-info-${i}`), record('other', 17, 'elsewhere', `sub-other-${i}`)]) });
          await new Promise((r) => setTimeout(r, 100));
        }
        proc.kill('SIGINT');
        expect(await exited).toBe(0);
        const lines = out.trimEnd().split('\n');
        expect(lines.length).toBeGreaterThan(0);
        expect(new Set(lines)).toEqual(new Set(['WARNING shop.pay: card declined']));
      } finally {
        collector.proc.kill('SIGTERM');
      }
    }, 60_000);

    it('stores the record sent by hand as the NDJSON line the README shows', async () => {
      const lines = readmeBlock('example', 'collector').code.trimEnd().split('\n');
      expect(lines[0].replace(/#.*/, '').trim()).toBe('npx isolog collect &');
      const dir = mkdtempSync(join(tmpdir(), 'isolog-readme-collector-'));
      // port 0 rather than the README's 4318, which may be taken; ./logs as the README's default
      const collector = await startChild(cli, ['--dir', join(dir, 'logs')]);
      try {
        const script = lines.slice(1).join('\n').replaceAll('http://127.0.0.1:4318', collector.url);
        const answer = execFileSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
        expect(answer).toBe('{}');
        const stored = readFileSync(join(dir, 'logs/isolog.ndjson'), 'utf8').trimEnd().split('\n');
        expect(stored.map((line) => JSON.parse(line))).toEqual([JSON.parse(readmeBlock('output', 'collector').code)]);
      } finally {
        collector.proc.kill('SIGTERM');
      }
    });
  });
});
