// The same checks of the core, run unchanged in Node, a Chromium page, a Web Worker and workerd.
// Each returns text that the runtime's test compares with CORE_EXPECTED.
import * as logging from '../../src/index.js';

class Lines implements logging.TextStream {
  text = '';
  write(s: string): void { this.text += s; }
}

export async function runCoreChecks(): Promise<Record<string, string>> {
  const results: Record<string, string> = {};
  const out = new Lines();
  const handler = new logging.StreamHandler(out);
  handler.setFormatter(new logging.Formatter('%(name)-12s|%(levelname)-8s|%(message)s'));
  const app = logging.getLogger('rt.app');
  app.propagate = false;
  app.setLevel(logging.DEBUG);
  app.addHandler(handler);
  app.debug('%s=%05.1f', 'pi', 3.14159);
  app.info('%(user)s in', { user: 'ann' });
  logging.getLogger('rt.app.child').warning('%-4s|%x', 'ab', 255);
  results.percent = out.text;

  const curly = new logging.Formatter('{levelname:^9}|{name!r}|{levelno:03d}', null, '{');
  const record = new logging.LogRecord('rt.x', logging.ERROR, '', 0, 'm', [], null);
  results.curly = curly.format(record);

  const late = logging.getLogger('rt.tree.a.b');
  const mid = logging.getLogger('rt.tree');
  results.placeholder = String(late.parent === mid);

  const errors: string[] = [];
  logging.setInternalErrorSink((t) => errors.push(t));
  app.info('%d items', 'many');
  logging.setInternalErrorSink(null);
  results.loggingError = errors.map((e) => e.split('\n').filter((l) => /^(---|Message|Arguments|TypeError)/.test(l)).join('\n')).join('');

  const cyclic: Record<string, unknown> = { n: 1n };
  cyclic.self = cyclic;
  results.json = logging.safeStringify(cyclic);

  const q = new logging.MemoryQueue();
  const queued = new Lines();
  const listener = new logging.QueueListener(q, new logging.StreamHandler(queued));
  const qlog = logging.getLogger('rt.queue');
  qlog.propagate = false;
  qlog.addHandler(new logging.QueueHandler(q));
  listener.start();
  for (let i = 0; i < 3; i++) qlog.warning('q%d', i);
  await listener.stop();
  results.queue = queued.text;

  const e = new Error('outer', { cause: new TypeError('inner') });
  const text = logging.formatError(e);
  results.cause = String(text.indexOf('TypeError: inner') < text.indexOf('Error: outer'));
  return results;
}

export const CORE_EXPECTED: Record<string, string> = {
  percent: 'rt.app      |DEBUG   |pi=003.1\nrt.app      |INFO    |ann in\nrt.app.child|WARNING |ab  |ff\n',
  curly: '  ERROR  |\'rt.x\'|040',
  placeholder: 'true',
  loggingError: "--- Logging error ---\nTypeError: %d format: a real number is required, not str\nMessage: '%d items'\nArguments: ('many',)",
  json: '{"n":"1","self":"[Circular]"}',
  queue: 'q0\nq1\nq2\n',
  cause: 'true',
};
