// What the runtimes that isolog's senders run in provide beyond core-globals.d.ts: fetch and the
// few web APIs around it, as browsers, their workers, workerd, Node 20, Deno and Bun all have them
// (WinterTC's minimum common API). Only the members isolog uses: the transport is checked against
// these and nothing more, so that it cannot come to need the DOM or Node by accident.

interface AbortSignal { readonly aborted: boolean }
declare var AbortSignal: { timeout(ms: number): AbortSignal; any(signals: AbortSignal[]): AbortSignal };
declare class AbortController { readonly signal: AbortSignal; abort(reason?: unknown): void }

interface ReadableStream<R = unknown> { readonly __chunk?: R }
interface WritableStreamDefaultWriter<W> { write(chunk: W): Promise<void>; close(): Promise<void> }
interface WritableStream<W> { getWriter(): WritableStreamDefaultWriter<W> }
declare class CompressionStream {
  constructor(format: 'gzip' | 'deflate' | 'deflate-raw');
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}
declare class TextEncoder { encode(input?: string): Uint8Array<ArrayBuffer> }

interface Headers { get(name: string): string | null }
interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  credentials?: 'omit' | 'same-origin' | 'include';
  keepalive?: boolean;
  signal?: AbortSignal;
}
declare class Response {
  constructor(body?: ReadableStream<Uint8Array> | string | null);
  readonly status: number;
  readonly ok: boolean;
  readonly headers: Headers;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}
declare function fetch(input: string, init?: RequestInit): Promise<Response>;
