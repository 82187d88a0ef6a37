// Nothing lost, nothing twice, with the real CLI in a child process: killed with SIGKILL mid-stream
// and started again on the same folder, or writing to a disk that is full, the collector acknowledges
// only what it stored, stores each record once after the client sends everything again, and leaves
// no torn line.
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliBundle, otlp, records, startChild, tempDir } from './helpers.js';

let cli: string;
beforeAll(async () => { cli = await cliBundle(); }, 60_000);

let child: ChildProcess | undefined;
afterEach(() => { child?.kill('SIGKILL'); child = undefined; });

/** The uids in every isolog.ndjson* file of `dir`, and the lines that are not a JSON record. */
function storedUids(dir: string): { uids: string[]; torn: string[] } {
  const uids: string[] = [];
  const torn: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.startsWith('isolog.ndjson'))) {
    const text = readFileSync(join(dir, name), 'utf8');
    if (text && !text.endsWith('\n')) torn.push(`${name} ends without a newline`);
    for (const line of text.split('\n').filter(Boolean)) {
      try {
        uids.push((JSON.parse(line) as { uid: string }).uid);
      } catch {
        torn.push(`${name}: ${line.slice(0, 80)}…`);
      }
    }
  }
  return { uids, torn };
}

/** POSTs a batch; resolves with the status, or 0 when the collector went away first. */
async function send(url: string, body: string): Promise<number> {
  try {
    const res = await fetch(`${url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(30_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** Copies of each uid beyond the first. */
const twice = (uids: string[]): string[] => uids.filter((u, i) => uids.indexOf(u) !== i);

describe('the collector stores each record once', () => {
  it('when killed with SIGKILL mid-stream, restarted on the same folder and sent everything again', async () => {
    const dir = tempDir();
    // rotation on, so that some batches are cut off across a rollover
    const args = ['--dir', dir, '--rate', '0', '--max-bytes', '1500000', '--backup-count', '100'];
    const batches = Array.from({ length: 48 }, (_, i) => records(1000, `kill${i}`));
    const bodies = batches.map((b) => otlp(b));
    const acked = new Set<number>();
    for (let round = 0; round < 3; round++) {
      const started = await startChild(cli, args);
      child = started.proc;
      const proc = started.proc;
      // four clients; after the round's third ack, the collector dies the moment isolog.ndjson next
      // grows: while a batch is being written, before it is acknowledged
      let armed = false;
      const watcher = watch(dir, (event, name) => {
        if (!armed || event !== 'change' || name !== 'isolog.ndjson') return;
        armed = false;
        proc.kill('SIGKILL');
      });
      const todo = bodies.map((_, i) => i).filter((i) => !acked.has(i));
      let acks = 0;
      await Promise.all(Array.from({ length: 4 }, async () => {
        for (let i = todo.shift(); i !== undefined && proc.exitCode === null && proc.signalCode === null; i = todo.shift()) {
          if ((await send(started.url, bodies[i])) !== 200) continue;
          acked.add(i);
          if (++acks === 3) armed = true;
        }
      }));
      watcher.close();
      proc.kill('SIGKILL');
      await new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r(null) : proc.once('exit', r)));
      child = undefined;
    }
    expect(acked.size).toBeGreaterThan(0);
    expect(acked.size).toBeLessThan(bodies.length);

    // started again, before anything is resent: every acknowledged record is there, and only once
    const last = await startChild(cli, args);
    child = last.proc;
    let now = storedUids(dir);
    expect(now.torn).toEqual([]);
    expect(twice(now.uids)).toEqual([]);
    const have = new Set(now.uids);
    expect([...acked].flatMap((i) => batches[i].map((r) => r.uid)).filter((u) => !have.has(u))).toEqual([]);

    // the client sends everything again, as it does when it cannot tell what was stored
    for (const body of bodies) expect(await send(last.url, body)).toBe(200);
    now = storedUids(dir);
    expect(now.torn).toEqual([]);
    expect(twice(now.uids)).toEqual([]);
    expect(now.uids.sort()).toEqual(batches.flat().map((r) => r.uid).sort());
  }, 120_000);

  it('when the disk is full: 503 and no torn line, the collector keeps going, and once there is room nothing is stored twice', async () => {
    const dir = tempDir();
    const batches = Array.from({ length: 12 }, (_, i) => records(200, `full${i}`, { payload: 'x'.repeat(200) }));
    const small = records(1, 'full-small');
    // 256 KiB a file: a few batches (~80 KiB each) fit in isolog.ndjson, then none (the journal stays small)
    const full = await startChild(cli, ['--dir', dir, '--rate', '0'], { fileSizeLimitKiB: 256 });
    child = full.proc;
    const statuses: number[] = [];
    for (const batch of batches) statuses.push(await send(full.url, otlp(batch)));
    const fitted = statuses.indexOf(503);
    expect(fitted).toBeGreaterThan(0);
    expect(statuses).toEqual(batches.map((_, i) => (i < fitted ? 200 : 503)));
    let now = storedUids(dir);
    expect(now.torn).toEqual([]);
    expect(now.uids).toEqual(batches.slice(0, fitted).flat().map((r) => r.uid));
    // still running, and what still fits is stored
    expect((await fetch(`${full.url}/healthz`)).status).toBe(200);
    expect(await send(full.url, otlp(small))).toBe(200);
    expect(await send(full.url, otlp(batches[fitted]))).toBe(503);
    expect(full.output()).toContain('EFBIG');
    full.proc.kill('SIGKILL');
    await new Promise((r) => full.proc.once('exit', r));

    // room again (no limit): everything sent again is stored once
    const roomy = await startChild(cli, ['--dir', dir, '--rate', '0']);
    child = roomy.proc;
    for (const batch of [...batches, small]) expect(await send(roomy.url, otlp(batch))).toBe(200);
    now = storedUids(dir);
    expect(now.torn).toEqual([]);
    expect(twice(now.uids)).toEqual([]);
    expect(now.uids.sort()).toEqual([...batches.flat(), ...small].map((r) => r.uid).sort());
  }, 120_000);
});
