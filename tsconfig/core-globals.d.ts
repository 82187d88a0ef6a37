// What every runtime that isolog's core runs in provides (browsers, their workers, workerd, Node,
// Deno, Bun), beyond the ES library: the core is checked against this and nothing more, so that it
// cannot come to depend on one runtime's API by accident.
interface Console {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
}
declare var console: Console;
declare function queueMicrotask(callback: () => void): void;
interface TimerHandle { readonly __timer?: never }
declare function setTimeout<A extends unknown[]>(callback: (...args: A) => void, ms?: number, ...args: A): TimerHandle;
declare function clearTimeout(handle: TimerHandle | undefined): void;
