// The package as a consumer gets it: `npm pack` (which builds dist/ through prepack), unpacked into
// a consumer's node_modules beside the runtime dependencies, then type-checked and loaded there.
// Offline: nothing is fetched; the dependencies and @types/node are linked from this repository.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../..');
const tsc = join(repo, 'node_modules/.bin/tsc');
const RUNTIME_DEPENDENCIES = ['idb-keyval', 'ws'];
/** Logger's internals, which must not be in the published types. */
const INTERNAL_MEMBER = /^\s*(?:private |protected |readonly )*_(?:debug|info|warning|error|exception|critical|log|rebuild)\b/m;

let work: string;
let tarball: string;
/** The package's files as the tarball holds them, relative to its root ('dist/index.js'). */
let files: Set<string>;
let manifest: { scripts?: Record<string, string>; exports: Record<string, string | Record<string, string>> };

function walk(dir: string, root = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path, root) : [relative(root, path).split(sep).join('/')];
  });
}

/** A consumer project with the tarball unpacked as node_modules/isolog; returns its directory. */
function consumer(name: string, typesPackages: string[], sources: Record<string, string>): string {
  const dir = join(work, name);
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, 'isolog'), { recursive: true });
  // unpacked, not linked: TypeScript and Node resolve from a file's real path
  execFileSync('tar', ['xzf', tarball, '-C', join(modules, 'isolog'), '--strip-components=1']);
  for (const dep of [...RUNTIME_DEPENDENCIES, ...typesPackages]) {
    mkdirSync(dirname(join(modules, dep)), { recursive: true });
    symlinkSync(realpathSync(join(repo, 'node_modules', dep)), join(modules, dep), 'dir');
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }));
  for (const [file, text] of Object.entries(sources)) writeFileSync(join(dir, file), text);
  return dir;
}

/** Runs tsc on `tsconfig` in `dir`; returns its report ('' when clean). */
function typecheck(dir: string, tsconfig: string): string {
  try {
    execFileSync(tsc, ['-p', join(dir, tsconfig)], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    return `${stdout ?? ''}${stderr ?? ''}` || String(err);
  }
}

const STRICT = { target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, noUncheckedSideEffectImports: true };

// Every entry a page or a Node script without @types/node uses; the worker only as a URL and a module.
const PAGE_TS = `import { basicConfig, extra, getLogger, INFO, type Logger } from 'isolog';
import { startBrowserLogging, type BrowserLogging } from 'isolog/browser';
import { RotatingFileHandler } from 'isolog/node';
import type * as WorkerModule from 'isolog/worker.js';
import 'isolog/worker.js';

basicConfig({ level: INFO });
const log: Logger = getLogger('consumer');
log.info('hello %s', 'world', extra({ user: 'ann' }));
log.exception('failed', new Error('boom'));
log.log(25, 'custom level');
// @ts-expect-error Logger's internals are not in the published types
log._info('hidden');
// @ts-expect-error
log._log(20, 'hidden', []);
// @ts-expect-error
log._rebuild(0);
export const files = new RotatingFileHandler('app.log', { maxBytes: 1 << 20, backupCount: 3 });
export type WorkerEntry = typeof WorkerModule;
export function start(): Promise<BrowserLogging> {
  return startBrowserLogging({
    collector: '/v1/logs',
    createWorker: () => new Worker(new URL('isolog/worker.js', import.meta.url), { type: 'module' }),
  });
}
`;

// The collector and the Node entries, without Node's types and without DOM.
const SERVER_TS = `import { getLogger } from 'isolog';
import { FileHandler } from 'isolog/node';
import { DEFAULTS, startCollector, type Collector, type CollectorOptions } from 'isolog/collector';

export async function run(dir: string): Promise<Collector> {
  const options: CollectorOptions = { port: 0, dir, rate: DEFAULTS.rate };
  const collector = await startCollector(options);
  getLogger('consumer').addHandler(new FileHandler(collector.file ?? 'collector.log'));
  return collector;
}
`;

// A Cloudflare Worker, typed as workerd's own types would (the WebWorker library), without Node or DOM.
const EDGE_TS = `import { extra, FetchHandler, getLogger } from 'isolog';
import { loggingMiddleware, withLogging, type RequestLog } from 'isolog/edge';

interface Env { LOG_URL: string; LOG_TOKEN?: string }
export default withLogging({ collector: (env: Env) => env.LOG_URL, token: (env: Env) => env.LOG_TOKEN }, {
  async fetch(request: Request, env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }, log: RequestLog) {
    getLogger('api').info('%s %s', request.method, env.LOG_URL, extra({ id: 1 }));
    log.getLogger('api').warning('explicit');
    await fetch('https://example.com/', { headers: log.headers() });
    return new Response('ok');
  },
});
export const middleware = loggingMiddleware<Env>({ collector: (env) => env.LOG_URL });
export const sender = new FetchHandler({ url: 'http://127.0.0.1:4318/v1/logs' });
`;

// A Service Worker typed with the WebWorker library alone (no DOM, no Node), as a PWA's sw.ts is.
const SERVICE_WORKER_TS = `/// <reference lib="webworker" />
import { getLogger } from 'isolog';
import { FlushError, startServiceWorkerLogging, SYNC_TAG, type PeriodicSyncState, type ServiceWorkerLogging, type ServiceWorkerLoggingOptions } from 'isolog/service-worker';

declare const self: ServiceWorkerGlobalScope;
const options: ServiceWorkerLoggingOptions = {
  collector: 'https://logs.example.com/v1/logs',
  token: 'secret',
  level: 'DEBUG',
  flushBudgetMs: 10_000,
  backgroundSync: true,
  periodicSync: { minIntervalMs: 12 * 3600_000 },
  storage: { maxRecords: 5_000 },
};
const logging: ServiceWorkerLogging = startServiceWorkerLogging(options);
self.addEventListener('fetch', (event) => event.respondWith(logging.fetch(event.request)));
self.addEventListener('install', (event) => event.waitUntil(logging.ready.then(() => self.skipWaiting())));
self.addEventListener('push', (event) => {
  getLogger('sw.push').info('push %s', event.data?.text() ?? '');
  event.waitUntil(logging.flush(5_000).catch((err: unknown) => {
    if (err instanceof FlushError) getLogger('sw').warning('%d not delivered', err.notDelivered);
  }));
});
export const tag: string = SYNC_TAG;
export const periodic: Promise<boolean> = logging.periodicSync.then((state: PeriodicSyncState) => state === 'registered');
// @ts-expect-error a state isolog does not give
export const unknownState: PeriodicSyncState = 'granted';
export const stats: Promise<number> = logging.stats().then((s) => s.acknowledged);
// @ts-expect-error the collector is required
startServiceWorkerLogging({});
// @ts-expect-error listener is a page's option, not the Service Worker's
startServiceWorkerLogging({ collector: '/v1/logs', listener: 'service-worker' });
`;

// The page of that Service Worker: its listener chosen by name.
const SERVICE_WORKER_PAGE_TS = `import { startBrowserLogging, type BrowserLogging } from 'isolog/browser';
export function start(): Promise<BrowserLogging> {
  return startBrowserLogging({ collector: 'https://logs.example.com/v1/logs', listener: 'service-worker' });
}
// @ts-expect-error a listener isolog does not have
startBrowserLogging({ collector: '/v1/logs', listener: 'shared-worker' });
`;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'isolog-package-'));
  // packed from a copy of the tracked files, as from a clean clone, so that prepack's build does not
  // replace this repository's dist/ under the other tests that read it
  const source = join(work, 'source');
  for (const file of execFileSync('git', ['ls-files'], { cwd: repo, encoding: 'utf8' }).split('\n').filter(Boolean)) {
    mkdirSync(dirname(join(source, file)), { recursive: true });
    copyFileSync(join(repo, file), join(source, file));
  }
  symlinkSync(realpathSync(join(repo, 'node_modules')), join(source, 'node_modules'), 'dir');
  // prepack builds dist/; scripts forced on in case the environment turns them off
  execFileSync('npm', ['pack', '--pack-destination', work, '--ignore-scripts=false', '--offline', '--silent'], { cwd: source, stdio: 'pipe' });
  tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')) as string);
  const unpacked = join(work, 'unpacked');
  mkdirSync(unpacked);
  execFileSync('tar', ['xzf', tarball, '-C', unpacked, '--strip-components=1']);
  files = new Set(walk(unpacked));
  manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds LICENSE, the built entries and their declarations, and no src/', () => {
    for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md', 'bin/isolog.js', 'dist/index.js', 'dist/index.d.ts', 'dist/worker.js', 'dist/worker.d.ts', 'dist/collector/index.d.ts']) {
      expect(files, file).toContain(file);
    }
    expect([...files].filter((f) => f.startsWith('src/'))).toEqual([]);
  });

  it('runs no script at a consumer\'s install', () => {
    for (const script of ['prepare', 'preinstall', 'install', 'postinstall']) expect(manifest.scripts?.[script], script).toBeUndefined();
  });

  it('gives every entry a declaration, and every exports target is in the tarball', () => {
    for (const [entry, target] of Object.entries(manifest.exports)) {
      if (entry === './package.json') continue;
      expect(typeof target === 'object' && target.types, `${entry} has types`).toBeTruthy();
      for (const path of Object.values(target)) expect(files, `${entry}: ${path}`).toContain(path.replace(/^\.\//, ''));
    }
  });

  it('leaves Logger\'s internals out of every .d.ts', () => {
    const leaks = [...files].filter((f) => f.endsWith('.d.ts') && INTERNAL_MEMBER.test(readFileSync(join(work, 'unpacked', f), 'utf8')));
    expect(leaks).toEqual([]);
    const logger = readFileSync(join(work, 'unpacked/dist/core/logger.d.ts'), 'utf8');
    // each level method keeps its own documentation, with an example, for hover
    for (const method of ['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'fatal']) {
      expect(logger, method).toMatch(new RegExp(`@example [^\\n]*\\.${method}\\([^\\n]*\\n\\s*\\*/\\n\\s*${method}: LogMethod;`));
    }
    expect(logger).toMatch(/@example [^\n]*\.log\(25[^\n]*\n\s*\*\/\n\s*log\(level: number/);
  });

  it('has source maps whose every source is in the tarball or embedded, and inside the package', () => {
    const maps = [...files].filter((f) => f.endsWith('.map'));
    expect(maps).toContain('dist/worker.js.map');
    const problems: string[] = [];
    for (const map of maps) {
      const { sources, sourcesContent, sourceRoot = '' } = JSON.parse(readFileSync(join(work, 'unpacked', map), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[]; sourceRoot?: string };
      sources.forEach((source, i) => {
        const path = relative(join(work, 'unpacked'), resolve(join(work, 'unpacked'), dirname(map), sourceRoot, source)).split(sep).join('/');
        if (path.startsWith('../')) problems.push(`${map}: ${source} is outside the package`);
        if (!files.has(path) && typeof sourcesContent?.[i] !== 'string') problems.push(`${map}: ${source} is neither shipped nor embedded`);
      });
    }
    for (const js of [...files].filter((f) => f.endsWith('.js') && f.startsWith('dist/'))) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(work, 'unpacked', js), 'utf8'))?.[1];
      if (url && !files.has(join(dirname(js), url).split(sep).join('/'))) problems.push(`${js}: its map ${url} is not shipped`);
    }
    expect(problems).toEqual([]);
  });
});

describe('a consumer of the tarball', () => {
  it('type-checks isolog, isolog/browser, isolog/node and isolog/worker.js without @types/node', () => {
    const dir = consumer('page', [], {
      'page.ts': PAGE_TS,
      'tsconfig.json': JSON.stringify({ compilerOptions: { ...STRICT, module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'], types: [] }, files: ['page.ts'] }),
      'tsconfig.bundler.json': JSON.stringify({ compilerOptions: { ...STRICT, module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'], types: [] }, files: ['page.ts'] }),
    });
    expect(typecheck(dir, 'tsconfig.json')).toBe('');
    expect(typecheck(dir, 'tsconfig.bundler.json')).toBe('');
  }, 60_000);

  it('type-checks a Worker on isolog and isolog/edge with the WebWorker library alone (no Node, no DOM)', () => {
    const dir = consumer('edge', [], {
      'worker.ts': EDGE_TS,
      'tsconfig.json': JSON.stringify({ compilerOptions: { ...STRICT, module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'WebWorker'], types: [] }, files: ['worker.ts'] }),
    });
    expect(typecheck(dir, 'tsconfig.json')).toBe('');
  }, 60_000);

  it('type-checks a Service Worker on isolog and isolog/service-worker with the WebWorker library alone, and its page with DOM', () => {
    const dir = consumer('service-worker', [], {
      'sw.ts': SERVICE_WORKER_TS,
      'page.ts': SERVICE_WORKER_PAGE_TS,
      'tsconfig.json': JSON.stringify({ compilerOptions: { ...STRICT, module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'WebWorker'], types: [] }, files: ['sw.ts'] }),
      'tsconfig.node.json': JSON.stringify({ compilerOptions: { ...STRICT, module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'WebWorker'], types: [] }, files: ['sw.ts'] }),
      'tsconfig.page.json': JSON.stringify({ compilerOptions: { ...STRICT, module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'], types: [] }, files: ['page.ts'] }),
    });
    expect(typecheck(dir, 'tsconfig.json')).toBe('');
    expect(typecheck(dir, 'tsconfig.node.json')).toBe('');
    expect(typecheck(dir, 'tsconfig.page.json')).toBe('');
  }, 60_000);

  it('type-checks isolog/collector and isolog/node with no @types at all (no @types/node, no @types/ws, no DOM)', () => {
    const dir = consumer('server', [], {
      'server.ts': SERVER_TS,
      // "types": [] is TypeScript 6+'s default: nothing public of the collector names a Node type
      'tsconfig.json': JSON.stringify({ compilerOptions: { ...STRICT, module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: [] }, files: ['server.ts'] }),
    });
    expect(typecheck(dir, 'tsconfig.json')).toBe('');
  }, 60_000);

  it('loads the Node entries and runs the bin with only idb-keyval and ws installed', () => {
    const dir = consumer('runtime', [], {
      'load.mjs': `const entries = {};
for (const entry of ['isolog', 'isolog/browser', 'isolog/edge', 'isolog/service-worker', 'isolog/node', 'isolog/collector']) entries[entry] = Object.keys(await import(entry)).length;
entries.worker = import.meta.resolve('isolog/worker.js').endsWith('/node_modules/isolog/dist/worker.js');
console.log(JSON.stringify(entries));
`,
    });
    const loaded = JSON.parse(execFileSync(process.execPath, ['load.mjs'], { cwd: dir, encoding: 'utf8' }));
    expect(loaded).toMatchObject({ worker: true });
    for (const entry of ['isolog', 'isolog/browser', 'isolog/edge', 'isolog/service-worker', 'isolog/node', 'isolog/collector']) expect(loaded[entry], entry).toBeGreaterThan(0);
    const usage = execFileSync(process.execPath, [join(dir, 'node_modules/isolog/bin/isolog.js'), '--help'], { cwd: dir, encoding: 'utf8' });
    expect(usage).toMatch(/^usage: isolog collect/);
  }, 60_000);
});
