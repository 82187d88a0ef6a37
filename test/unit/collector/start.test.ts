// The first five minutes of `isolog collect`: every mistake at start says what to pass, with no
// stack or errno, and exits 2; a page on this machine can send at once; a refused page is named.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCollector } from '../../../src/collector/index.js';
import { dirError, listenError } from '../../../src/collector/start-error.js';
import { configure } from '../../../src/config/dict-config.js';
import { shutdown } from '../../../src/core/shutdown.js';
import { cliBundle, otlp, post, records, runCli, startChild, stored, tempDir } from './helpers.js';

let cli: string;
beforeAll(async () => { cli = await cliBundle(); }, 60_000);

let child: ChildProcess | undefined;
let occupier: Server | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await new Promise((r) => (occupier ? occupier.close(r) : r(undefined)));
  occupier = undefined;
});

/** A port on 127.0.0.1 that a plain TCP server holds. */
async function occupiedPort(): Promise<number> {
  const server = createServer();
  occupier = server;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

/** What a person sees: one line on stderr, nothing from Node's internals. */
function expectPlainError(result: { code: number | null; stderr: string }, line: string): void {
  expect(result.code).toBe(2);
  expect(result.stderr.split('\n')[0]).toBe(line);
  expect(result.stderr).not.toMatch(/\n\s+at |E[A-Z]{4,}|node:internal/);
}

describe('isolog collect explains a failed start', () => {
  it('when the port is in use', async () => {
    const port = await occupiedPort();
    const result = await runCli(cli, ['collect', '--port', String(port), '--dir', tempDir()]);
    expectPlainError(result, `isolog collect: port ${port} is in use; pass --port N or stop the other collector`);
  }, 20_000);

  it('when --dir is a file, or lies under one', async () => {
    const file = join(tempDir(), 'x');
    writeFileSync(file, '');
    expectPlainError(await runCli(cli, ['collect', '--port', '0', '--dir', file]),
      `isolog collect: --dir ${file} is a file, not a folder; pass a folder (it is created if missing)`);
    expectPlainError(await runCli(cli, ['collect', '--port', '0', '--dir', join(file, 'logs')]),
      `isolog collect: --dir ${join(file, 'logs')}: ${file} is a file, not a folder; pass a folder (it is created if missing)`);
  }, 20_000);

  it('when a flag or the command is misspelt, with the nearest and the usage', async () => {
    const flag = await runCli(cli, ['collect', '--prot', '4318']);
    expectPlainError(flag, 'isolog collect: unknown option --prot; did you mean --port?');
    expect(flag.stderr).toContain('usage: isolog collect');
    const command = await runCli(cli, ['colect', '--port', '0']);
    expectPlainError(command, 'isolog: unknown command colect; did you mean collect?');
    expect(command.stderr).toContain('usage: isolog collect');
    expectPlainError(await runCli(cli, ['collect', '--port', 'abc']), 'isolog collect: --port: port must be a whole number, got "abc"');
  }, 20_000);

  it('when --port is out of range, --config names no file or no JSON, or --forward is no URL', async () => {
    expectPlainError(await runCli(cli, ['collect', '--port', '99999']), 'isolog collect: --port: a port is at most 65535, got 99999; pass --port 0 for any free one');
    const missing = join(tempDir(), 'nope.json');
    expectPlainError(await runCli(cli, ['collect', '--config', missing]), `isolog collect: --config ${missing}: no such file`);
    const broken = join(tempDir(), 'broken.json');
    writeFileSync(broken, '{ port: 1 }');
    const notJson = await runCli(cli, ['collect', '--config', broken]);
    expect(notJson.stderr).toMatch(new RegExp(`^isolog collect: --config ${broken}: not valid JSON \\(`));
    expectPlainError(await runCli(cli, ['collect', '--port', '0', '--dir', tempDir(), '--forward', 'notaurl']),
      'isolog collect: --forward notaurl: expected the http(s) URL of an OTLP logs endpoint, e.g. --forward http://otel-collector:4318/v1/logs');
  }, 20_000);

  it('when a --cors value is no origin, from a flag or the config file', async () => {
    expectPlainError(await runCli(cli, ['collect', '--port', '0', '--cors', 'localhost:5173']),
      'isolog collect: --cors localhost:5173: an origin needs its scheme, e.g. --cors http://localhost:5173');
    expectPlainError(await runCli(cli, ['collect', '--port', '0', '--cors', 'http://a.com/x']),
      'isolog collect: --cors http://a.com/x: an origin is scheme://host[:port], with no path; pass --cors http://a.com');
    const config = join(tempDir(), 'collector.json');
    writeFileSync(config, JSON.stringify({ cors: ['https://ok.example', 'localhost:5173'] }));
    expectPlainError(await runCli(cli, ['collect', '--port', '0', '--config', config]),
      `isolog collect: --config ${config}: cors localhost:5173: an origin needs its scheme, e.g. --cors http://localhost:5173`);
  }, 20_000);
});

describe('isolog collect with a page on this machine', () => {
  it('takes a loopback page\'s POST with no flag, and names a refused origin once in its terminal', async () => {
    const c = await startChild(cli, ['--dir', tempDir()]);
    child = c.proc;
    expect(c.output()).toContain('origins    http(s)://localhost, 127.x.x.x and [::1] on any port');
    const ok = await post(`${c.url}/v1/logs`, otlp(records(1, 'vite')), { origin: 'http://localhost:5173' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    for (let i = 0; i < 3; i++) {
      expect((await post(`${c.url}/v1/logs`, otlp(records(1, 'app')), { origin: 'http://app.test:8080' })).status).toBe(403);
    }
    const line = 'isolog collect: refused a request from origin http://app.test:8080; to accept it, start the collector with --cors http://app.test:8080';
    await expect.poll(() => c.output().includes(line), { timeout: 5000 }).toBe(true);
    // a request after the refusals, so that any repeat of the line would be printed by now
    expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
    expect(c.output().split(line).length - 1).toBe(1);
  }, 20_000);
});

describe('the banner', () => {
  it('says whether a token is needed, where records are forwarded, and the limits in force', async () => {
    const open = await startChild(cli, ['--dir', tempDir(), '--rate', '7']);
    child = open.proc;
    expect(open.output()).toContain('token      none (listening on loopback only)');
    expect(open.output()).toContain('7 requests/s per client');
    expect(open.output()).not.toContain('forwarding');
    open.proc.kill('SIGKILL');
    const guarded = await startChild(cli, ['--dir', tempDir(), '--token', 's3cret', '--forward', 'http://127.0.0.1:9/v1/logs']);
    child = guarded.proc;
    expect(guarded.output()).toContain('token      required: Authorization: Bearer T (beacons and WebSockets: ?token=T)');
    expect(guarded.output()).toContain('forwarding http://127.0.0.1:9/v1/logs');
    expect(guarded.output()).toMatch(/live view {2}http:\/\/127\.0\.0\.1:\d+\/\?token=T \(the page and its stream need the token\)\n/);
    expect(guarded.output()).not.toContain('s3cret');
  }, 20_000);

  it('names the records it could not forward before shutdown', async () => {
    // an upstream that answers 503 to everything: each forward attempt fails and is retried
    const { createServer: createHttpServer } = await import('node:http');
    const upstream = createHttpServer((req, res) => { req.resume(); res.writeHead(503).end(); });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const forward = `http://127.0.0.1:${(upstream.address() as { port: number }).port}/v1/logs`;
    const c = await startChild(cli, ['--dir', tempDir(), '--forward', forward]).catch((err: unknown) => { upstream.close(); throw err; });
    child = c.proc;
    c.proc.once('exit', () => { upstream.closeAllConnections(); upstream.close(); });
    expect((await post(`${c.url}/v1/logs`, otlp(records(3, 'stuck')))).status).toBe(200);
    const exited = new Promise<number | null>((r) => c.proc.once('exit', r));
    c.proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(c.output()).toContain(`isolog collect: 3 records were not forwarded to ${forward} before shutdown`);
  }, 30_000);
});

describe('startCollector', () => {
  it('rejects a port in use with a ConfigError, and can start again afterwards', async () => {
    const port = await occupiedPort();
    const dir = tempDir();
    const failed = await startCollector({ port, dir }).catch((err: unknown) => err);
    expect(failed).toMatchObject({ name: 'ConfigError', message: `port ${port} is in use; pass --port N or stop the other collector`, cause: { code: 'EADDRINUSE' } });
    const c = await startCollector({ port: 0, rate: 0, dir });
    try {
      expect((await post(`${c.url}/v1/logs`, otlp(records(2, 'again')))).status).toBe(200);
    } finally {
      await c.close();
    }
  });

  it('two collectors in one process each store their own records, and closing one leaves the other storing', async () => {
    const first = await startCollector({ port: 0, rate: 0, dir: tempDir() });
    const second = await startCollector({ port: 0, rate: 0, dir: tempDir() });
    try {
      expect((await post(`${first.url}/v1/logs`, otlp(records(3, 'first')))).status).toBe(200);
      expect((await post(`${second.url}/v1/logs`, otlp(records(2, 'second')))).status).toBe(200);
      await second.close();
      // the app's own configure() does not take the collector's handlers either
      configure({ version: 1, handlers: {}, root: { handlers: [] } });
      expect((await post(`${first.url}/v1/logs`, otlp(records(4, 'later')))).status).toBe(200);
      const uids = (dir: string) => stored(dir).map((r) => String(r.uid).split('-')[0]);
      expect(uids(join(first.file as string, '..'))).toEqual(['first', 'first', 'first', 'later', 'later', 'later', 'later']);
      expect(uids(join(second.file as string, '..'))).toEqual(['second', 'second']);
      // the app's shutdown() closes every handler, the collector's too: a batch is then refused, not lost
      await shutdown();
      const refused = await post(`${first.url}/v1/logs`, otlp(records(1, 'closed')));
      expect(refused.status).toBe(503);
      expect(uids(join(first.file as string, '..'))).not.toContain('closed');
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('rejects a --dir that is a file, saying so', async () => {
    const file = join(tempDir(), 'logs');
    writeFileSync(file, '');
    await expect(startCollector({ port: 0, dir: file })).rejects.toThrow(`--dir ${file} is a file, not a folder`);
  });

  it('words the errors a test cannot cause as root or on loopback: privileged ports, absent addresses, unwritable folders', () => {
    const errno = (code: string, message: string) => Object.assign(new Error(message), { code });
    expect(listenError(errno('EACCES', 'listen EACCES: permission denied 127.0.0.1:80'), '127.0.0.1', 80).message)
      .toBe('port 80 needs privileges; pass --port 4318 or another above 1023');
    expect(listenError(errno('EADDRNOTAVAIL', 'listen EADDRNOTAVAIL: address not available 10.9.9.9:4318'), '10.9.9.9', 4318).message)
      .toBe('cannot listen on 10.9.9.9: no such address on this machine; pass --host 127.0.0.1 or one of its addresses');
    expect(listenError(errno('EMFILE', 'listen EMFILE: too many open files 127.0.0.1:4318'), '127.0.0.1', 4318).message)
      .toBe('cannot listen on 127.0.0.1 port 4318: too many open files 127.0.0.1:4318');
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    expect(dirError(errno('EACCES', `EACCES: permission denied, mkdir '${dir}/sub/x'`), './x', join(dir, 'sub/x')).message)
      .toBe('--dir ./x: permission denied; pass a folder you can write to');
    expect(dirError(errno('ENOSPC', `ENOSPC: no space left on device, mkdir '${dir}/y'`), './y', join(dir, 'y')).message)
      .toBe('--dir ./y: cannot create or write this folder: no space left on device');
  });
});
