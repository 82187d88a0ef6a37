// Starting collectors on 127.0.0.1 with a free port and a fresh folder, sending OTLP, reading what was stored.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { startCollector, type Collector, type CollectorOptions } from '../../../src/collector/index.js';
import type { PlainRecord } from '../../../src/core/fields.js';
import { encodeRecords } from '../../../src/transport/otlp.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'isolog-collector-'));
}

export async function collector(options: CollectorOptions = {}): Promise<Collector & { dir: string }> {
  const dir = options.dir ?? tempDir();
  const c = await startCollector({ port: 0, rate: 0, ...options, dir });
  return Object.assign(c, { dir });
}

let seq = 0;
/** Plain records as a client would prepare them, each with its own uid. */
export function records(n: number, prefix = `t${Date.now().toString(36)}`, extra: Record<string, unknown> = {}): PlainRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    name: 'app.test', levelno: 20, levelname: 'INFO', created: 1_763_806_830.123 + i / 1000,
    uid: `${prefix}-${seq++}`, msg: `record ${i}`, message: `record ${i}`, exc_text: null, stack_info: null, ...extra,
  }));
}

export function otlp(batch: PlainRecord[], resource: Record<string, unknown> = { 'service.name': 'test' }): string {
  return JSON.stringify(encodeRecords(batch, resource));
}

export async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const text = await res.text();
  let json: unknown = text;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, headers: res.headers };
}

/** The records stored in <dir>/isolog.ndjson, parsed. */
export function stored(dir: string): Record<string, unknown>[] {
  const file = join(dir, 'isolog.ndjson');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** A bundle of the CLI from source, so tests spawn what the source says (not a stale dist/). */
export async function cliBundle(): Promise<string> {
  // inside the repository, so that the bundle's bare imports (ws) resolve from node_modules
  const out = join(import.meta.dirname, '../../../node_modules/.cache/isolog-test', `cli-${process.pid}.mjs`);
  await build({
    stdin: { contents: "import { main } from './src/collector/cli.ts'; process.exitCode = await main(process.argv.slice(2));", resolveDir: join(import.meta.dirname, '../../..'), loader: 'ts' },
    bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: out, logLevel: 'warning',
  });
  return out;
}

/**
 * Starts `isolog collect` (the bundle from cliBundle) in a child process; resolves with its URL once
 * it listens. `fileSizeLimitKiB` caps every file it writes (`ulimit -f`: writes past it fail with
 * EFBIG, as on a full disk, for this process alone).
 */
export function startChild(cli: string, args: string[], options: { fileSizeLimitKiB?: number } = {}): Promise<{ proc: ChildProcess; url: string; output: () => string }> {
  const argv = [cli, 'collect', '--port', '0', ...args];
  const proc = options.fileSizeLimitKiB === undefined
    ? spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('bash', ['-c', `ulimit -f ${options.fileSizeLimitKiB} && exec "$0" "$@"`, process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`collector did not start: ${out}`)); }, 10_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /OTLP\/HTTP\s+(http:\/\/[^/\s]+)\/v1\/logs/.exec(out);
      if (m) { clearTimeout(timer); resolve({ proc, url: m[1], output: () => out }); }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`collector exited ${code}: ${out}`)); });
  });
}

/** Runs `isolog ARGS` to its exit (killed after 10 s): the exit code and what it printed on each stream. */
export function runCli(cli: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => { stdout += d; });
  proc.stderr.on('data', (d: Buffer) => { stderr += d; });
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  return new Promise((resolve) => {
    proc.once('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}
