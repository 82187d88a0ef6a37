import { beforeEach, describe, expect, it } from 'vitest';
import * as logging from '../../../src/index.js';
import { DEBUG, ERROR, INFO, WARNING, getLogger } from '../../../src/index.js';
import { resetLogging, StringStream } from '../helpers.js';

beforeEach(resetLogging);

describe('QueueHandler.prepare', () => {
  it('merges arguments, turns the exception into text, keeps extra fields and drops what cannot be cloned', () => {
    const q = new logging.MemoryQueue<logging.PlainRecord>();
    const qh = new logging.QueueHandler(q);
    const logger = getLogger('qp');
    logger.addHandler(qh);
    const circular: Record<string, unknown> = { fn: () => 1 };
    circular.me = circular;
    logger.error('job %s failed after %d tries', 'sync', 3, new Error('timeout', { cause: new Error('socket') }),
      logging.extra({ job: circular, big: 2n }));
    const item = q.get_nowait() as logging.PlainRecord;
    expect(item.msg).toBe('job sync failed after 3 tries');
    expect(item.message).toBe(item.msg);
    expect(item.args).toBeNull();
    expect(item.exc_info).toBeNull();
    expect(item.exc_text).toContain('Error: socket');
    expect(item.exc_text).toContain('Error: timeout');
    expect(item.job).toEqual({ fn: '[Function fn]', me: '[Circular]' });
    expect(item.big).toBe('2');
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
    expect(() => structuredClone(item)).not.toThrow();
  });

  it('with a formatter set, the message is the formatted text, as in Python', () => {
    const q = new logging.MemoryQueue<logging.PlainRecord>();
    const qh = new logging.QueueHandler(q);
    qh.setFormatter(new logging.Formatter('%(levelname)s|%(message)s'));
    qh.handle(new logging.LogRecord('x', WARNING, '', 0, 'a %s', ['b'], new Error('e')));
    const item = q.get_nowait() as logging.PlainRecord;
    expect(item.msg).toMatch(/^WARNING\|a b\nError: e/);
    expect(item.exc_text).toBeNull();
  });

  it('a queue whose put rejects is reported through handleError', async () => {
    const reports: string[] = [];
    logging.setInternalErrorSink((t) => reports.push(t));
    const qh = new logging.QueueHandler({ put: () => Promise.reject(new Error('queue closed')), get: () => new Promise(() => {}) });
    qh.handle(new logging.LogRecord('x', WARNING, '', 0, 'lost?', [], null));
    await new Promise((r) => setTimeout(r, 0));
    logging.setInternalErrorSink(null);
    expect(reports[0]).toContain('queue closed');
    expect(reports[0]).toContain("Message: 'lost?'");
  });
});

describe('QueueListener', () => {
  it('stop() resolves only after every record queued before it was handled', async () => {
    const q = new logging.MemoryQueue();
    const out = new StringStream();
    const listener = new logging.QueueListener(q, new logging.StreamHandler(out));
    const logger = getLogger('ql');
    logger.setLevel(DEBUG);
    logger.propagate = false;
    logger.addHandler(new logging.QueueHandler(q));
    listener.start();
    for (let i = 0; i < 500; i++) logger.info('n=%d', i);
    await listener.stop();
    const lines = out.getvalue().trim().split('\n');
    expect(lines).toHaveLength(500);
    expect(lines[499]).toBe('n=499');
  });

  it('respects handler levels only when asked', async () => {
    const q = new logging.MemoryQueue();
    const all = new StringStream();
    const errorsOnly = new StringStream();
    const h1 = new logging.StreamHandler(all);
    const h2 = new logging.StreamHandler(errorsOnly);
    h2.setLevel(ERROR);
    const plain = new logging.QueueListener(q, h1, h2);
    plain.start();
    q.put(new logging.LogRecord('x', INFO, '', 0, 'info', [], null));
    await plain.stop();
    expect(errorsOnly.getvalue()).toBe('info\n');
    const strict = new logging.QueueListener(q, h1, h2, { respectHandlerLevel: true });
    strict.start();
    q.put(new logging.LogRecord('x', INFO, '', 0, 'info2', [], null));
    q.put(new logging.LogRecord('x', ERROR, '', 0, 'err', [], null));
    await strict.stop();
    expect(errorsOnly.getvalue()).toBe('info\nerr\n');
    expect(all.getvalue()).toBe('info\ninfo2\nerr\n');
  });

  it('prepare turns plain data into a LogRecord, so formatters see the fields', async () => {
    const q = new logging.MemoryQueue();
    const out = new StringStream();
    const h = new logging.StreamHandler(out);
    h.setFormatter(new logging.Formatter('%(name)s %(levelname)s %(user)s %(message)s'));
    const listener = new logging.QueueListener(q, h);
    listener.start();
    q.put(structuredClone({ name: 'remote', levelno: 30, levelname: 'WARNING', msg: 'hi', args: null, user: 'ann', created: 1 }));
    await listener.stop();
    expect(out.getvalue()).toBe('remote WARNING ann hi\n');
  });

  it('start twice is an error; stop before start does nothing', async () => {
    const l = new logging.QueueListener(new logging.MemoryQueue());
    await l.stop();
    l.start();
    expect(() => l.start()).toThrow('already started');
    await l.stop();
  });
});
