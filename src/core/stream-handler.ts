// StreamHandler and the standard streams. In core, as in CPython's logging/__init__.py: the
// last-resort handler that the logger falls back to is one.
import { Handler } from './handler.js';
import { getLevelName } from './level.js';
import type { LogRecord } from './record.js';

/** Anything text can be written to: a Node stream, a buffer in a test, a socket wrapper. */
export interface TextStream {
  write(text: string): unknown;
  flush?(): unknown;
  /** Shown in the handler's repr, as Python shows a file's name: `<StreamHandler <stderr> (NOTSET)>`. */
  name?: unknown;
}

/**
 * Python's stderr, where no stream is given: each line goes to console.error, which is the
 * process's stderr in Node and workerd, and the console in a browser.
 */
export const stderrStream: TextStream = {
  name: '<stderr>',
  write(text: string) {
    console.error(text.endsWith('\n') ? text.slice(0, -1) : text);
  },
};

/** Python's stdout for `ext://sys.stdout`: each line goes to console.log. */
export const stdoutStream: TextStream = {
  name: '<stdout>',
  write(text: string) {
    console.log(text.endsWith('\n') ? text.slice(0, -1) : text);
  },
};

/**
 * Python's `StreamHandler`: writes each formatted record and a terminator to `stream.write`.
 * @example getLogger().addHandler(new StreamHandler({ write: (s) => process.stdout.write(s) }))
 */
export class StreamHandler extends Handler {
  terminator = '\n';
  stream: TextStream;

  constructor(stream?: TextStream | null) {
    super();
    this.stream = stream ?? stderrStream;
  }

  /** Python's setStream: returns the old stream, or null when it is the same one. */
  setStream(stream: TextStream): TextStream | null {
    if (stream === this.stream) return null;
    const old = this.stream;
    this.flush();
    this.stream = stream;
    return old;
  }

  override flush(): void {
    if (typeof this.stream.flush === 'function') this.stream.flush();
  }

  override toString(): string {
    let name = '';
    try {
      name = this.stream.name === undefined || this.stream.name === null ? '' : String(this.stream.name);
    } catch { /* a stream whose name cannot be read has none */ }
    return `<${this.constructor.name} ${name ? name + ' ' : ''}(${getLevelName(this.level)})>`;
  }

  emit(record: LogRecord): void {
    try {
      this.stream.write(this.format(record) + this.terminator);
      this.flush();
    } catch (err) {
      this.handleError(record, err);
    }
  }
}
