// Levels set remotely on the collector: GET/PUT /v1/levels with the token, kept on disk, pushed on WebSockets.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cliBundle, collector, runCli, tempDir } from './helpers.js';

const TOKEN = 'levels-token';
const auth = { authorization: `Bearer ${TOKEN}` };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function running(dir = tempDir()) {
  const c = await collector({ token: TOKEN, dir });
  cleanups.push(() => c.close());
  return c;
}

const put = (url: string, body: unknown, headers: Record<string, string> = auth) => fetch(`${url}/v1/levels`, {
  method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('/v1/levels', () => {
  it('serves the levels with an ETag, takes a change with the token, and answers 304 while nothing changed', async () => {
    const c = await running();
    const first = await fetch(`${c.url}/v1/levels`, { headers: auth });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ version: 0, levels: {} });
    const changed = await put(c.url, { levels: { 'app.db': 'DEBUG', app: 'WARNING', '': 30 } });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toEqual({ version: 1, levels: { 'app.db': 'DEBUG', app: 'WARNING', root: 30 } });
    const now = await fetch(`${c.url}/v1/levels`, { headers: auth });
    const etag = now.headers.get('etag') as string;
    expect(await now.json()).toMatchObject({ version: 1 });
    const same = await fetch(`${c.url}/v1/levels`, { headers: { ...auth, 'if-none-match': etag } });
    expect(same.status).toBe(304);
    // null removes a logger's level
    await put(c.url, { levels: { app: null } });
    const after = await fetch(`${c.url}/v1/levels`, { headers: { ...auth, 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ version: 2, levels: { 'app.db': 'DEBUG', root: 30 } });
  });

  it('refuses a bad change whole, with the reason, and changes nothing', async () => {
    const c = await running();
    await put(c.url, { levels: { app: 'INFO' } });
    for (const [body, reason] of [
      [{ levels: { ok: 'DEBUG', app: 'debug' } }, /"app": unknown level "debug"; did you mean DEBUG\?/],
      [{ levels: { app: 'LOUD' } }, /unknown level "LOUD"/],
      [{ levels: { app: 3.5 } }, /whole number from 0 to 100/],
      [{ levels: { app: true } }, /a level is a name/],
      [{ levels: { 'a..b': 'INFO' } }, /not a logger name/],
      [{ levels: { 'a\nb': 'INFO' } }, /no control characters/],
      [{ levels: {} }, /names no logger/],
      [{ levels: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`l${i}`, 'INFO'])) }, /at most 200 loggers/],
      [{ app: 'INFO' }, /"levels" must be an object/],
      ['not json', /not JSON/],
    ] as const) {
      const res = await put(c.url, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(reason);
    }
    expect(await (await fetch(`${c.url}/v1/levels`, { headers: auth })).json()).toEqual({ version: 1, levels: { app: 'INFO' } });
  });

  it('needs the token, and takes changes from no app page', async () => {
    const c = await running();
    expect((await fetch(`${c.url}/v1/levels`)).status).toBe(401);
    expect((await put(c.url, { levels: { app: 'DEBUG' } }, {})).status).toBe(401);
    expect((await put(c.url, { levels: { app: 'DEBUG' } }, { authorization: 'Bearer wrong' })).status).toBe(401);
    // with a token, a page of an origin not given with --cors can do neither
    const stranger = { ...auth, origin: 'http://localhost:5173' };
    expect((await fetch(`${c.url}/v1/levels`, { headers: stranger })).status).toBe(403);
    expect((await put(c.url, { levels: { app: 'DEBUG' } }, stranger)).status).toBe(403);
    // the live view (the collector's own origin) may
    const own = await put(c.url, { levels: { app: 'DEBUG' } }, { ...auth, origin: c.url });
    expect(own.status).toBe(200);
    expect((await fetch(`${c.url}/v1/levels`, { method: 'DELETE', headers: auth })).status).toBe(405);
  });

  it('lets an app page given with --cors read the levels (the preflight allows GET) but not set them', async () => {
    const page = 'http://app.test:8080';
    const c = await collector({ token: TOKEN, cors: [page] });
    cleanups.push(() => c.close());
    const preflight = await fetch(`${c.url}/v1/levels`, { method: 'OPTIONS', headers: { origin: page, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization, if-none-match' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/GET/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/if-none-match/);
    const read = await fetch(`${c.url}/v1/levels`, { headers: { ...auth, origin: page } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-expose-headers')).toMatch(/etag/);
    const res = await put(c.url, { levels: { app: 'DEBUG' } }, { ...auth, origin: page });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/not from an app's page/);
  });

  it('keeps the levels across a restart on the same folder, and refuses to start on a levels file it did not write', async () => {
    const dir = tempDir();
    const c = await collector({ token: TOKEN, dir });
    await put(c.url, { levels: { 'app.db': 'DEBUG' } });
    await c.close();
    expect(JSON.parse(readFileSync(join(dir, 'levels.json'), 'utf8'))).toEqual({ version: 1, levels: { 'app.db': 'DEBUG' } });
    const again = await running(dir);
    expect(await (await fetch(`${again.url}/v1/levels`, { headers: auth })).json()).toEqual({ version: 1, levels: { 'app.db': 'DEBUG' } });
    const bad = tempDir();
    writeFileSync(join(bad, 'levels.json'), '{"levels": {"app": "loud"}}');
    await expect(collector({ token: TOKEN, dir: bad })).rejects.toThrow(/levels\.json is not a levels file the collector wrote .*move it away or fix it/);
  });

  it('never answers 304 to a tag of levels that are gone, though the version starts again when levels.json is moved away', async () => {
    const dir = tempDir();
    const c = await collector({ token: TOKEN, dir });
    await put(c.url, { levels: { app: 'DEBUG' } });
    const etag = (await fetch(`${c.url}/v1/levels`, { headers: auth })).headers.get('etag') as string;
    await c.close();
    writeFileSync(join(dir, 'levels.json'), '{"version": 0, "levels": {}}');
    const again = await running(dir);
    await put(again.url, { levels: { app: 'ERROR' } });
    const res = await fetch(`${again.url}/v1/levels`, { headers: { ...auth, 'if-none-match': etag } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ version: 1, levels: { app: 'ERROR' } });
    const bad = tempDir();
    writeFileSync(join(bad, 'levels.json'), '{"version": -1, "levels": {}}');
    await expect(collector({ token: TOKEN, dir: bad })).rejects.toThrow(/its version is -1/);
  });

  it('keeps a logger called __proto__ or constructor like any other', async () => {
    const c = await running();
    const res = await put(c.url, { levels: JSON.parse('{"__proto__": "DEBUG", "constructor": "ERROR"}') as unknown });
    expect(res.status).toBe(200);
    const got = await (await fetch(`${c.url}/v1/levels`, { headers: auth })).text();
    expect(JSON.parse(got)).toEqual(JSON.parse('{"version": 1, "levels": {"__proto__": "DEBUG", "constructor": "ERROR"}}'));
    expect(got).toContain('"__proto__":"DEBUG"');
  });

  it('sends the levels to each WebSocket client when it connects and after every change', async () => {
    const c = await running();
    const ws = new WebSocket(`${c.url.replace('http', 'ws')}/v1/logs?token=${TOKEN}`);
    cleanups.push(() => ws.close());
    const messages: unknown[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((r) => ws.once('open', r));
    for (let i = 0; i < 100 && messages.length < 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(messages[0]).toEqual({ levels: {}, version: 0 });
    await put(c.url, { levels: { shop: 'ERROR' } });
    for (let i = 0; i < 100 && messages.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(messages[1]).toEqual({ levels: { shop: 'ERROR' }, version: 1 });
  });
});

describe('isolog levels', () => {
  let cli: string;
  beforeAll(async () => { cli = await cliBundle(); }, 60_000);

  it('sets, shows and removes levels, and says what is wrong', { timeout: 60_000 }, async () => {
    const c = await running();
    const set = await runCli(cli, ['levels', c.url, '--token', TOKEN, 'app.db=DEBUG', 'root=WARNING']);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toBe('app.db  DEBUG\nroot    WARNING\n(version 1)\n');
    const removed = await runCli(cli, ['levels', c.url, '--token', TOKEN, 'root=']);
    expect(removed.stdout).toBe('app.db  DEBUG\n(version 2)\n');
    const shown = await runCli(cli, ['levels', c.url, '--token', TOKEN]);
    expect(shown.stdout).toBe('app.db  DEBUG\n(version 2)\n');
    const bad = await runCli(cli, ['levels', c.url, '--token', TOKEN, 'app=debug']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/answered 400: "app": unknown level "debug"; did you mean DEBUG\?/);
    const refused = await runCli(cli, ['levels', c.url, 'app=DEBUG']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the collector has a token; pass --token T/);
    const usage = await runCli(cli, ['levels', c.url, 'app']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/app: give NAME=LEVEL/);
  });
});
