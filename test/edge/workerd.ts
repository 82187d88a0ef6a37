// Runs a TypeScript entry inside real workerd through Miniflare, offline (no cf fetch, no metrics).
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
process.env.WRANGLER_SEND_METRICS = 'false';

export interface WorkerOptions {
  /** Compatibility flags (`nodejs_compat` gives AsyncLocalStorage). */
  flags?: string[];
  /** Text bindings, the Worker's `env`. */
  bindings?: Record<string, string>;
  /** Receives what the Worker writes to the console (workerd's stdout and stderr). */
  onOutput?: (text: string) => void;
}

/** An entry bundled as wrangler would (ESM, `node:` modules left to the runtime). */
export async function bundleWorker(entry: string): Promise<string> {
  const bundle = await build({
    entryPoints: [entry], bundle: true, format: 'esm', target: 'es2022', write: false, platform: 'neutral',
    external: ['node:*'], logLevel: 'warning',
  });
  return bundle.outputFiles[0].text;
}

export async function startWorker(entry: string, options: WorkerOptions = {}): Promise<Miniflare> {
  const script = await bundleWorker(entry);
  const output = options.onOutput;
  return new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2026-04-01',
    compatibilityFlags: options.flags ?? [],
    bindings: options.bindings ?? {},
    cf: false,
    ...(output ? {
      handleRuntimeStdio(stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) {
        stdout.on('data', (d: Buffer) => output(String(d)));
        stderr.on('data', (d: Buffer) => output(String(d)));
      },
    } : {}),
  });
}
