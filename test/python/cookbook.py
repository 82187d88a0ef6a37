"""Runs the examples of shared/seeds/python-logging-cookbook.rst that need no file or socket, with
two changes that keep the output comparable: files become in-memory streams, and random.choice
becomes a deterministic cycle (the TypeScript transcriptions use the same cycle). Writes
test/fixtures/cookbook.json, {example: output}. Run: python3 test/python/cookbook.py"""
import io, json, logging, logging.handlers, os, queue, re

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'fixtures', 'cookbook.json')

class Cycle:
    def __init__(self): self.i = 0
    def choice(self, seq):
        v = seq[self.i % len(seq)]; self.i += 1; return v

def reset():
    root = logging.getLogger()
    for h in root.handlers[:]: root.removeHandler(h)
    root.setLevel(logging.WARNING)
    for name in list(logging.Logger.manager.loggerDict):
        lg = logging.Logger.manager.loggerDict[name]
        if isinstance(lg, logging.Logger):
            for h in lg.handlers[:]: lg.removeHandler(h)
            lg.setLevel(logging.NOTSET); lg.filters = []; lg.disabled = False; lg.propagate = True

def multiple_modules():
    out = io.StringIO(); err = io.StringIO()
    logger = logging.getLogger('spam_application')
    logger.setLevel(logging.DEBUG)
    fh = logging.StreamHandler(out)
    fh.setLevel(logging.DEBUG)
    ch = logging.StreamHandler(err)
    ch.setLevel(logging.ERROR)
    formatter = logging.Formatter('%(asctime)s - %(name)s - %(levelname)s - %(message)s')
    fh.setFormatter(formatter); ch.setFormatter(formatter)
    logger.addHandler(fh); logger.addHandler(ch)
    module_logger = logging.getLogger('spam_application.auxiliary')
    class Auxiliary:
        def __init__(self):
            self.logger = logging.getLogger('spam_application.auxiliary.Auxiliary')
            self.logger.info('creating an instance of Auxiliary')
        def do_something(self):
            self.logger.info('doing something')
            a = 1 + 1
            self.logger.info('done doing something')
    def some_function():
        module_logger.info('received a call to "some_function"')
    logger.info('creating an instance of auxiliary_module.Auxiliary')
    a = Auxiliary()
    logger.info('created an instance of auxiliary_module.Auxiliary')
    logger.info('calling auxiliary_module.Auxiliary.do_something')
    a.do_something()
    logger.info('finished auxiliary_module.Auxiliary.do_something')
    logger.info('calling auxiliary_module.some_function()')
    some_function()
    logger.info('done with auxiliary_module.some_function()')
    return '[file]\n' + out.getvalue() + '[console]\n' + err.getvalue()

def multiple_handlers():
    out = io.StringIO(); err = io.StringIO()
    logger = logging.getLogger('simple_example')
    logger.setLevel(logging.DEBUG)
    fh = logging.StreamHandler(out)
    fh.setLevel(logging.DEBUG)
    ch = logging.StreamHandler(err)
    ch.setLevel(logging.ERROR)
    formatter = logging.Formatter('%(asctime)s - %(name)s - %(levelname)s - %(message)s')
    ch.setFormatter(formatter); fh.setFormatter(formatter)
    logger.addHandler(ch); logger.addHandler(fh)
    logger.debug('debug message')
    logger.info('info message')
    logger.warning('warn message')
    logger.error('error message')
    logger.critical('critical message')
    return '[file]\n' + out.getvalue() + '[console]\n' + err.getvalue()

def multiple_destinations():
    out = io.StringIO(); err = io.StringIO()
    logging.basicConfig(level=logging.DEBUG,
                        format='%(asctime)s %(name)-12s %(levelname)-8s %(message)s',
                        datefmt='%m-%d %H:%M', stream=out)
    console = logging.StreamHandler(err)
    console.setLevel(logging.INFO)
    formatter = logging.Formatter('%(name)-12s: %(levelname)-8s %(message)s')
    console.setFormatter(formatter)
    logging.getLogger('').addHandler(console)
    logging.info('Jackdaws love my big sphinx of quartz.')
    logger1 = logging.getLogger('myapp.area1')
    logger2 = logging.getLogger('myapp.area2')
    logger1.debug('Quick zephyrs blow, vexing daft Jim.')
    logger1.info('How quickly daft jumping zebras vex.')
    logger2.warning('Jail zesty vixen who grabbed pay from quack.')
    logger2.error('The five boxing wizards jump quickly.')
    return '[file]\n' + out.getvalue() + '[console]\n' + err.getvalue()

def queue_handler():
    out = io.StringIO()
    que = queue.Queue(-1)
    queue_handler = logging.handlers.QueueHandler(que)
    handler = logging.StreamHandler(out)
    listener = logging.handlers.QueueListener(que, handler)
    root = logging.getLogger()
    root.addHandler(queue_handler)
    formatter = logging.Formatter('%(threadName)s: %(message)s')
    handler.setFormatter(formatter)
    listener.start()
    root.warning('Look out!')
    listener.stop()
    return out.getvalue()

LEVELS = (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL)

def logger_adapter():
    out = io.StringIO()
    rnd = Cycle()
    class ConnInfo:
        def __getitem__(self, name):
            if name == 'ip': return rnd.choice(['127.0.0.1', '192.168.0.1'])
            elif name == 'user': return rnd.choice(['jim', 'fred', 'sheila'])
            return self.__dict__.get(name, '?')
        def __iter__(self):
            keys = ['ip', 'user']; keys.extend(self.__dict__.keys()); return keys.__iter__()
    a1 = logging.LoggerAdapter(logging.getLogger('a.b.c'), {'ip': '123.231.231.123', 'user': 'sheila'})
    logging.basicConfig(level=logging.DEBUG, stream=out,
        format='%(asctime)-15s %(name)-5s %(levelname)-8s IP: %(ip)-15s User: %(user)-8s %(message)s')
    a1.debug('A debug message')
    a1.info('An info message with %s', 'some parameters')
    a2 = logging.LoggerAdapter(logging.getLogger('d.e.f'), ConnInfo())
    for x in range(10):
        lvl = rnd.choice(LEVELS)
        lvlname = logging.getLevelName(lvl)
        a2.log(lvl, 'A message at %s level with %d %s', lvlname, 2, 'parameters')
    return out.getvalue()

def context_filter():
    out = io.StringIO()
    rnd = Cycle()
    class ContextFilter(logging.Filter):
        USERS = ['jim', 'fred', 'sheila']
        IPS = ['123.231.231.123', '127.0.0.1', '192.168.0.1']
        def filter(self, record):
            record.ip = rnd.choice(ContextFilter.IPS)
            record.user = rnd.choice(ContextFilter.USERS)
            return True
    logging.basicConfig(level=logging.DEBUG, stream=out,
        format='%(asctime)-15s %(name)-5s %(levelname)-8s IP: %(ip)-15s User: %(user)-8s %(message)s')
    a1 = logging.getLogger('a.b.c')
    a2 = logging.getLogger('d.e.f')
    f = ContextFilter()
    a1.addFilter(f); a2.addFilter(f)
    a1.debug('A debug message')
    a1.info('An info message with %s', 'some parameters')
    for x in range(10):
        lvl = rnd.choice(LEVELS)
        lvlname = logging.getLevelName(lvl)
        a2.log(lvl, 'A message at %s level with %d %s', lvlname, 2, 'parameters')
    return out.getvalue()

def subclassed_queue():
    """The ZeroMQ QueueHandler/QueueListener subclasses, with an in-memory socket in place of zmq."""
    out = io.StringIO()
    class FakeSocket:
        def __init__(self): self.messages = []
        def send(self, data): self.messages.append(data)
        def recv(self): return self.messages.pop(0)
    sock = FakeSocket()
    class ZeroMQSocketHandler(logging.handlers.QueueHandler):
        def enqueue(self, record):
            data = json.dumps(record.__dict__)
            self.queue.send(data)
    handler = ZeroMQSocketHandler(sock)
    sender = logging.getLogger('zmq.sender')
    sender.propagate = False
    sender.addHandler(handler)
    sender.setLevel(logging.DEBUG)
    sender.info('value is %d', 42)
    sender.warning('second %s', 'message')
    target = logging.StreamHandler(out)
    target.setFormatter(logging.Formatter('%(name)s %(levelname)s %(message)s'))
    for _ in range(2):
        record = logging.makeLogRecord(json.loads(sock.recv()))
        target.handle(record)
    return out.getvalue()

EXAMPLES = [multiple_modules, multiple_handlers, multiple_destinations, queue_handler,
            logger_adapter, context_filter, subclassed_queue]

result = {}
for fn in EXAMPLES:
    reset()
    result[fn.__name__] = fn()
with open(OUT, 'w') as fh:
    json.dump(result, fh, indent=1)
print(json.dumps(result, indent=1))
