// Levels set remotely, the clients' half, against a real collector: applied, given back, refused whole.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { followRemoteLevels, getLogger, Handler, root, type LogRecord } from '../../../src/runtime/node.js';
import { checkDocument, LevelsPoller, levelsUrlFor, RemoteLevels } from '../../../src/transport/remote-levels.js';
import { collector } from '../collector/helpers.js';
import { resetLogging } from '../helpers.js';

const TOKEN = 'rl-token';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  resetLogging();
});

class Keep extends Handler {
  readonly records: LogRecord[] = [];
  emit(record: LogRecord): void { this.records.push(record); }
}

function reports(): Keep {
  const keep = new Keep();
  const logger = getLogger('isolog.levels');
  logger.addHandler(keep);
  logger.setLevel('INFO');
  return keep;
}

const put = (url: string, levels: Record<string, string | null>) => fetch(`${url}/v1/levels`, {
  method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ levels }),
});

describe('levelsUrlFor', () => {
  it("names the collector's levels beside its logs endpoint", () => {
    expect(levelsUrlFor('http://127.0.0.1:4318/v1/logs')).toBe('http://127.0.0.1:4318/v1/levels');
    expect(levelsUrlFor('https://logs.example.com/otel/v1/logs?token=x')).toBe('https://logs.example.com/otel/v1/levels');
  });
});

describe('RemoteLevels', () => {
  it('applies levels with setLevel, and gives a logger its own level back once the collector no longer names it', () => {
    const keep = reports();
    getLogger('app.db').setLevel('ERROR');
    const remote = new RemoteLevels();
    expect(remote.apply({ version: 1, levels: { 'app.db': 'DEBUG', app: 30, root: 'INFO' } })).toBe(true);
    expect(getLogger('app.db').level).toBe(10);
    expect(getLogger('app').level).toBe(30);
    expect(root.level).toBe(20);
    expect(getLogger('app.db').isEnabledFor(10)).toBe(true);
    expect(remote.apply({ version: 2, levels: { app: 30 } })).toBe(true);
    expect(getLogger('app.db').level).toBe(40);
    expect(root.level).toBe(30);
    expect(keep.records.map((r) => r.getMessage())).toEqual([
      'levels from the collector (version 1): set app.db=DEBUG, app=30, root=INFO',
      'levels from the collector (version 2): back to their own app.db, root',
    ]);
    // the same levels again (a WebSocket reconnect) change nothing and say nothing
    expect(remote.apply({ version: 2, levels: { app: 30 } })).toBe(true);
    expect(keep.records).toHaveLength(2);
  });

  it('refuses a document it cannot apply whole, says why, and changes nothing', () => {
    const keep = reports();
    const remote = new RemoteLevels();
    remote.apply({ version: 1, levels: { app: 'INFO' } });
    expect(remote.apply({ version: 2, levels: { app: 'DEBUG', other: 'LOUD' } })).toBe(false);
    expect(getLogger('app').level).toBe(20);
    expect(getLogger('other').level).toBe(0);
    expect(remote.apply('garbage')).toBe(false);
    expect(remote.apply({ version: 'x', levels: {} })).toBe(false);
    expect(keep.records.slice(1).map((r) => `${r.levelname} ${r.getMessage()}`)).toEqual([
      'WARNING refused the levels from the collector (version 2): "other": "LOUD" is not a level here; nothing changed',
      'WARNING refused the levels from the collector: not a levels document; nothing changed',
      'WARNING refused the levels from the collector: its version is not a whole number; nothing changed',
    ]);
    expect(checkDocument({ version: 1, levels: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`l${i}`, 10])) })).toMatch(/more than 1000/);
  });
});

describe('LevelsPoller', () => {
  it("picks up the collector's levels, costs a 304 while they stay, and follows a change", async () => {
    const c = await collector({ token: TOKEN });
    cleanups.push(() => c.close());
    await put(c.url, { 'app.api': 'DEBUG' });
    const docs: unknown[] = [];
    const statuses: number[] = [];
    const poller = new LevelsPoller({
      url: levelsUrlFor(`${c.url}/v1/logs`), token: TOKEN, intervalMs: 60_000, onDocument: (d) => docs.push(d),
      fetch: async (u, init) => { const r = await fetch(u, init); statuses.push(r.status); return r; },
    });
    cleanups.push(() => poller.stop());
    await poller.poll();
    await poller.poll();
    expect(statuses).toEqual([200, 304]);
    await put(c.url, { 'app.api': 'ERROR' });
    await poller.poll();
    expect(docs).toEqual([{ version: 1, levels: { 'app.api': 'DEBUG' } }, { version: 2, levels: { 'app.api': 'ERROR' } }]);
    const remote = new RemoteLevels();
    for (const d of docs) remote.apply(d);
    expect(getLogger('app.api').level).toBe(40);
  });

  it('stops, saying so once, when the endpoint serves no levels or refuses the token', async () => {
    const keep = reports();
    const other = createServer((_req, res) => { res.writeHead(404); res.end(); });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => other.close(() => r())));
    const { port } = other.address() as AddressInfo;
    const poller = new LevelsPoller({ url: `http://127.0.0.1:${port}/v1/levels`, intervalMs: 10, onDocument: () => { throw new Error('no document'); } });
    await poller.poll();
    await poller.poll();
    expect(keep.records.map((r) => r.getMessage())).toEqual([expect.stringMatching(/^remote levels are off: http:\/\/127\.0\.0\.1:\d+\/v1\/levels answered 404 \(it serves no levels; is it an isolog collector\?\)$/)]);
    const c = await collector({ token: TOKEN });
    cleanups.push(() => c.close());
    await new LevelsPoller({ url: `${c.url}/v1/levels`, token: 'wrong', onDocument: () => {} }).poll();
    expect(keep.records[1].getMessage()).toMatch(/answered 401 \(the token is missing or wrong\)/);
  });
});

describe('followRemoteLevels', () => {
  it("applies the collector's levels to this process's loggers, and follows each change", async () => {
    const c = await collector({ token: TOKEN });
    cleanups.push(() => c.close());
    await put(c.url, { shop: 'DEBUG' });
    const levels = followRemoteLevels({ url: `${c.url}/v1/logs`, token: TOKEN, intervalMs: 60_000 });
    cleanups.push(() => levels.stop());
    await levels.ready;
    expect(getLogger('shop').getEffectiveLevel()).toBe(10);
    expect(getLogger('shop.cart').isEnabledFor(10)).toBe(true);
    await put(c.url, { shop: null, 'shop.cart': 'ERROR' });
    await levels.poll();
    expect(getLogger('shop').level).toBe(0);
    expect(getLogger('shop.cart').level).toBe(40);
    expect(levels.version).toBe(2);
  });
});
