// The Logging Cookbook's examples that need no file or socket, transcribed from
// shared/seeds/python-logging-cookbook.rst. Each prints what CPython printed for the same calls
// (test/python/cookbook.py wrote test/fixtures/cookbook.json), timestamps aside. As in the Python
// script, files are in-memory streams and random.choice is a deterministic cycle.
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import * as logging from '../../../src/index.js';
import { maskTimes, resetLogging, StringStream } from '../helpers.js';

const expected = JSON.parse(readFileSync(new URL('../../fixtures/cookbook.json', import.meta.url), 'utf8')) as Record<string, string>;

class Cycle {
  i = 0;
  choice<T>(seq: readonly T[]): T { return seq[this.i++ % seq.length]; }
}

const LEVELS = [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL];

const examples: Record<string, () => Promise<string> | string> = {
  multiple_modules() {
    const out = new StringStream();
    const err = new StringStream();
    const logger = logging.getLogger('spam_application');
    logger.setLevel(logging.DEBUG);
    const fh = new logging.StreamHandler(out);
    fh.setLevel(logging.DEBUG);
    const ch = new logging.StreamHandler(err);
    ch.setLevel(logging.ERROR);
    const formatter = new logging.Formatter('%(asctime)s - %(name)s - %(levelname)s - %(message)s');
    fh.setFormatter(formatter);
    ch.setFormatter(formatter);
    logger.addHandler(fh);
    logger.addHandler(ch);
    const moduleLogger = logging.getLogger('spam_application.auxiliary');
    class Auxiliary {
      logger = logging.getLogger('spam_application.auxiliary.Auxiliary');
      constructor() { this.logger.info('creating an instance of Auxiliary'); }
      doSomething(): void {
        this.logger.info('doing something');
        this.logger.info('done doing something');
      }
    }
    const someFunction = (): void => moduleLogger.info('received a call to "some_function"');
    logger.info('creating an instance of auxiliary_module.Auxiliary');
    const a = new Auxiliary();
    logger.info('created an instance of auxiliary_module.Auxiliary');
    logger.info('calling auxiliary_module.Auxiliary.do_something');
    a.doSomething();
    logger.info('finished auxiliary_module.Auxiliary.do_something');
    logger.info('calling auxiliary_module.some_function()');
    someFunction();
    logger.info('done with auxiliary_module.some_function()');
    return '[file]\n' + out.getvalue() + '[console]\n' + err.getvalue();
  },

  multiple_handlers() {
    const out = new StringStream();
    const err = new StringStream();
    const logger = logging.getLogger('simple_example');
    logger.setLevel(logging.DEBUG);
    const fh = new logging.StreamHandler(out);
    fh.setLevel(logging.DEBUG);
    const ch = new logging.StreamHandler(err);
    ch.setLevel(logging.ERROR);
    const formatter = new logging.Formatter('%(asctime)s - %(name)s - %(levelname)s - %(message)s');
    ch.setFormatter(formatter);
    fh.setFormatter(formatter);
    logger.addHandler(ch);
    logger.addHandler(fh);
    logger.debug('debug message');
    logger.info('info message');
    logger.warn('warn message');
    logger.error('error message');
    logger.critical('critical message');
    return '[file]\n' + out.getvalue() + '[console]\n' + err.getvalue();
  },

  multiple_destinations() {
    const out = new StringStream();
    const err = new StringStream();
    logging.basicConfig({
      level: logging.DEBUG,
      format: '%(asctime)s %(name)-12s %(levelname)-8s %(message)s',
      datefmt: '%m-%d %H:%M',
      stream: out,
    });
    const console = new logging.StreamHandler(err);
    console.setLevel(logging.INFO);
    console.setFormatter(new logging.Formatter('%(name)-12s: %(levelname)-8s %(message)s'));
    logging.getLogger('').addHandler(console);
    logging.getLogger().info('Jackdaws love my big sphinx of quartz.');
    const logger1 = logging.getLogger('myapp.area1');
    const logger2 = logging.getLogger('myapp.area2');
    logger1.debug('Quick zephyrs blow, vexing daft Jim.');
    logger1.info('How quickly daft jumping zebras vex.');
    logger2.warning('Jail zesty vixen who grabbed pay from quack.');
    logger2.error('The five boxing wizards jump quickly.');
    return '[file]\n' + out.getvalue() + '[console]\n' + err.getvalue();
  },

  async queue_handler() {
    const out = new StringStream();
    const que = new logging.MemoryQueue();
    const queueHandler = new logging.QueueHandler(que);
    const handler = new logging.StreamHandler(out);
    const listener = new logging.QueueListener(que, handler);
    const root = logging.getLogger();
    root.addHandler(queueHandler);
    handler.setFormatter(new logging.Formatter('%(threadName)s: %(message)s'));
    listener.start();
    root.warning('Look out!');
    await listener.stop();
    return out.getvalue();
  },

  logger_adapter() {
    const out = new StringStream();
    const rnd = new Cycle();
    // the cookbook's dict-like ConnInfo: each key read draws a fresh value
    class ConnInfo {
      constructor() {
        Object.defineProperty(this, 'ip', { enumerable: true, get: () => rnd.choice(['127.0.0.1', '192.168.0.1']) });
        Object.defineProperty(this, 'user', { enumerable: true, get: () => rnd.choice(['jim', 'fred', 'sheila']) });
      }
    }
    const a1 = new logging.LoggerAdapter(logging.getLogger('a.b.c'), { ip: '123.231.231.123', user: 'sheila' });
    logging.basicConfig({
      level: logging.DEBUG, stream: out,
      format: '%(asctime)-15s %(name)-5s %(levelname)-8s IP: %(ip)-15s User: %(user)-8s %(message)s',
    });
    a1.debug('A debug message');
    a1.info('An info message with %s', 'some parameters');
    const a2 = new logging.LoggerAdapter(logging.getLogger('d.e.f'), new ConnInfo() as Record<string, unknown>);
    for (let x = 0; x < 10; x++) {
      const lvl = rnd.choice(LEVELS);
      const lvlname = logging.getLevelName(lvl);
      a2.log(lvl, 'A message at %s level with %d %s', lvlname, 2, 'parameters');
    }
    return out.getvalue();
  },

  context_filter() {
    const out = new StringStream();
    const rnd = new Cycle();
    class ContextFilter extends logging.Filter {
      static USERS = ['jim', 'fred', 'sheila'];
      static IPS = ['123.231.231.123', '127.0.0.1', '192.168.0.1'];
      override filter(record: logging.LogRecord): boolean {
        record.ip = rnd.choice(ContextFilter.IPS);
        record.user = rnd.choice(ContextFilter.USERS);
        return true;
      }
    }
    logging.basicConfig({
      level: logging.DEBUG, stream: out,
      format: '%(asctime)-15s %(name)-5s %(levelname)-8s IP: %(ip)-15s User: %(user)-8s %(message)s',
    });
    const a1 = logging.getLogger('a.b.c');
    const a2 = logging.getLogger('d.e.f');
    const f = new ContextFilter();
    a1.addFilter(f);
    a2.addFilter(f);
    a1.debug('A debug message');
    a1.info('An info message with %s', 'some parameters');
    for (let x = 0; x < 10; x++) {
      const lvl = rnd.choice(LEVELS);
      const lvlname = logging.getLevelName(lvl);
      a2.log(lvl, 'A message at %s level with %d %s', lvlname, 2, 'parameters');
    }
    return out.getvalue();
  },

  subclassed_queue() {
    const out = new StringStream();
    // the ZeroMQ socket of the cookbook, in memory
    const sock = { messages: [] as string[], send(data: string) { this.messages.push(data); }, recv() { return this.messages.shift() as string; } };
    class ZeroMQSocketHandler extends logging.QueueHandler {
      override enqueue(record: logging.PlainRecord): void {
        const data = JSON.stringify(record);
        (this.queue as unknown as typeof sock).send(data);
      }
    }
    const handler = new ZeroMQSocketHandler(sock as unknown as logging.LogQueue);
    const sender = logging.getLogger('zmq.sender');
    sender.propagate = false;
    sender.addHandler(handler);
    sender.setLevel(logging.DEBUG);
    sender.info('value is %d', 42);
    sender.warning('second %s', 'message');
    const target = new logging.StreamHandler(out);
    target.setFormatter(new logging.Formatter('%(name)s %(levelname)s %(message)s'));
    for (let i = 0; i < 2; i++) target.handle(logging.makeLogRecord(JSON.parse(sock.recv())));
    return out.getvalue();
  },
};

describe('Logging Cookbook examples print what CPython prints', () => {
  beforeEach(resetLogging);
  for (const [name, run] of Object.entries(examples)) {
    it(name, async () => {
      expect(expected[name], `fixture for ${name}`).toBeDefined();
      expect(maskTimes(await run())).toBe(maskTimes(expected[name]));
    });
  }
  it('covers every example in the fixture', () => {
    expect(Object.keys(examples).sort()).toEqual(Object.keys(expected).sort());
  });
});
