"""The parts of logging's API around the logger tree, run under CPython 3.11: loggers made directly,
Manager, getLogger's TypeError, the module-level functions, setLoggerClass, setLogRecordFactory and
makeRecord's parameters. Each case prints what it saw; test/unit/core/api-parity.test.ts runs the
same calls in isolog and compares. Writes test/fixtures/api-cases.json, {case: output}.
Run: python3.11 test/python/api_cases.py"""
import io, json, logging, os, sys, warnings

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'fixtures', 'api-cases.json')
# no caller lookup, as in isolog: makeRecord gets '(unknown file)', 0, '(unknown function)'
logging._srcfile = None
warnings.simplefilter('ignore')  # logging.warn's DeprecationWarning


def reset():
    root = logging.getLogger()
    for h in root.handlers[:]:
        root.removeHandler(h)
    root.setLevel(logging.WARNING)
    for name in list(logging.Logger.manager.loggerDict):
        lg = logging.Logger.manager.loggerDict[name]
        if isinstance(lg, logging.Logger):
            for h in lg.handlers[:]:
                lg.removeHandler(h)
            lg.setLevel(logging.NOTSET); lg.filters = []; lg.disabled = False; lg.propagate = True
    logging.disable(logging.NOTSET)
    logging.setLoggerClass(logging.Logger)
    logging.setLogRecordFactory(logging.LogRecord)


def stream_handler(fmt='%(levelname)s:%(name)s:%(message)s'):
    s = io.StringIO()
    h = logging.StreamHandler(s)
    h.setFormatter(logging.Formatter(fmt))
    return s, h


def error_text(fn):
    try:
        fn()
        return 'no error'
    except Exception as e:
        return '%s: %s' % (type(e).__name__, e)


def direct_logger():
    out = []
    s, h = stream_handler()
    lg = logging.Logger('direct')
    out.append('manager is global: %s' % (lg.manager is logging.root.manager))
    out.append('root is root: %s' % (lg.root is logging.root))
    out.append('parent: %s' % lg.parent)
    out.append('level %d, effective %d' % (lg.level, lg.getEffectiveLevel()))
    out.append('enabled for DEBUG: %s' % lg.isEnabledFor(logging.DEBUG))
    out.append('in loggerDict: %s' % ('direct' in logging.Logger.manager.loggerDict))
    lg.addHandler(h)
    lg.debug('debug from a direct logger')
    lg.info('info %s', 'too')
    lg.log(5, 'level 5')
    lg2 = logging.Logger('leveled', logging.INFO)
    lg2.addHandler(h)
    lg2.debug('not shown')
    lg2.info('shown at INFO')
    out.append('getLogger gives another: %s' % (logging.getLogger('direct') is not lg))
    return '\n'.join(out) + '\n' + s.getvalue()


def direct_logger_last_resort():
    err = io.StringIO()
    old = logging.lastResort
    logging.lastResort = logging.StreamHandler(err)
    logging.lastResort.setLevel(logging.WARNING)
    try:
        lg = logging.Logger('alone')
        lg.info('info goes nowhere')
        lg.warning('warning goes to the last resort')
    finally:
        logging.lastResort = old
    return err.getvalue()


def manager_disable_assigned():
    out = []
    s, h = stream_handler()
    lg = logging.getLogger('disabling')
    lg.addHandler(h)
    lg.setLevel(logging.DEBUG)
    direct = logging.Logger('direct2')
    direct.addHandler(h)
    lg.manager.disable = 33
    out.append('disable: %d' % logging.root.manager.disable)
    out.append('enabled 33: %s, 34: %s' % (lg.isEnabledFor(33), lg.isEnabledFor(34)))
    out.append('direct enabled 33: %s, 34: %s' % (direct.isEnabledFor(33), direct.isEnabledFor(34)))
    lg.warning('warning dropped')
    lg.error('error shown')
    direct.warning('direct warning dropped')
    direct.error('direct error shown')
    lg.manager.disable = 0
    lg.info('info after disable = 0')
    lg.disabled = True
    lg.manager.disable = 21
    out.append('disabled logger enabled 22: %s' % lg.isEnabledFor(22))
    lg.disabled = False
    lg.manager.disable = 0
    logging.disable()
    out.append('disable() sets %d' % logging.root.manager.disable)
    logging.disable(logging.NOTSET)
    return '\n'.join(out) + '\n' + s.getvalue()


def adapter_manager():
    out = []
    lg = logging.getLogger('adapted')
    a = logging.LoggerAdapter(lg, {})
    aa = logging.LoggerAdapter(a, {})
    orig = aa.manager
    out.append('same manager: %s %s' % (a.manager is orig, lg.manager is orig))
    temp = logging.Manager(None)
    aa.manager = temp
    out.append('after assignment: %s %s %s' % (aa.manager is temp, a.manager is temp, lg.manager is temp))
    aa.manager = orig
    out.append('restored: %s' % (lg.manager is orig))
    return '\n'.join(out)


def get_logger_names():
    out = []
    for label, name in [('None', None), ("''", ''), ("'root'", 'root'), ('0', 0), ('False', False), ('[]', []), ('{}', {})]:
        out.append('%s -> root: %s' % (label, logging.getLogger(name) is logging.root))
    for label, name in [('42', 42), ('1.5', 1.5), ('[1]', [1]), ("{'a': 1}", {'a': 1}), ('True', True)]:
        out.append('%s -> %s' % (label, error_text(lambda: logging.getLogger(name))))
    out.append('manager.getLogger(None) -> %s' % error_text(lambda: logging.Logger.manager.getLogger(None)))
    out.append("getLogger('foo').root is root: %s" % (logging.getLogger('foo').root is logging.root))
    out.append("getLogger('foo').parent is root: %s" % (logging.getLogger('foo').parent is logging.root))
    out.append("getLogger('foo.bar').parent is root: %s" % (logging.getLogger('foo.bar').parent is logging.root))
    out.append("getLogger('\\0') is root: %s" % (logging.getLogger('\0') is logging.root))
    return '\n'.join(out)


def capture_stderr(fn):
    err = io.StringIO()
    old = sys.stderr
    sys.stderr = err
    try:
        fn()
    finally:
        sys.stderr = old
    return err.getvalue()


def module_functions():
    def run():
        logging.debug('debug %s', 'dropped')
        print('handlers after debug: %d' % len(logging.root.handlers), file=sys.stderr)
        logging.info('info dropped')
        logging.warning('warning %d', 1)
        logging.warn('warn %d', 2)
        logging.error('error %s', 'three')
        logging.critical('critical %(n)s', {'n': 4})
        logging.fatal('fatal')
        logging.log(logging.ERROR, 'log at %s', 'ERROR')
        logging.log(25, 'log at 25 dropped')
        logging.exception('exception outside except')
        logging.root.setLevel(logging.DEBUG)
        logging.debug('debug shown')
        logging.log(25, 'log at %d', 25)
    return capture_stderr(run)


def module_functions_keep_handlers():
    s, h = stream_handler('%(name)s|%(levelname)s|%(message)s')
    logging.root.addHandler(h)
    text = capture_stderr(lambda: (logging.warning('to the handler'), logging.info('dropped')))
    return 'stderr: %r\nhandlers: %d\n%s' % (text, len(logging.root.handlers), s.getvalue())


def module_functions_basic_config_once_level():
    # basicConfig() runs even when the call is dropped by the level
    def run():
        logging.root.setLevel(logging.CRITICAL)
        logging.info('dropped')
        print('handlers: %d' % len(logging.root.handlers), file=sys.stderr)
        logging.critical('shown')
    return capture_stderr(run)


class NotALogger:
    pass


def logger_class():
    out = []
    s, h = stream_handler()
    made = []

    class MyLogger(logging.getLoggerClass()):
        def __init__(self, name, level=logging.NOTSET):
            super().__init__(name, level)
            made.append(name)

    before = logging.getLogger('cls.before')
    logging.getLogger('cls.ph.child')
    out.append(error_text(lambda: logging.setLoggerClass(NotALogger)))
    out.append('class still Logger: %s' % (logging.getLoggerClass() is logging.Logger))
    logging.setLoggerClass(MyLogger)
    out.append('getLoggerClass is MyLogger: %s' % (logging.getLoggerClass() is MyLogger))
    after = logging.getLogger('cls.after')
    ph = logging.getLogger('cls.ph')
    out.append('before: %s, after: %s, placeholder: %s' % (type(before).__name__, type(after).__name__, type(ph).__name__))
    out.append('again: %s' % (logging.getLogger('cls.before') is before))
    out.append('child parent is placeholder logger: %s' % (logging.getLogger('cls.ph.child').parent is ph))
    out.append('root: %s' % type(logging.getLogger()).__name__)
    out.append('made: %s' % made)
    after.addHandler(h)
    after.setLevel(logging.DEBUG)
    after.debug('hello')
    after.setLevel(logging.INFO)
    after.debug('not shown')
    after.info('info shown')
    logging.setLoggerClass(logging.Logger)
    out.append('restored: %s' % type(logging.getLogger('cls.restored')).__name__)
    return '\n'.join(out) + '\n' + s.getvalue()


def own_manager():
    out = []
    logged = []

    class MyLogger(logging.Logger):
        def _log(self, level, msg, args, exc_info=None, extra=None, stack_info=False, stacklevel=1):
            logged.append(msg)

    man = logging.Manager(None)
    out.append(error_text(lambda: man.setLoggerClass(NotALogger)))
    man.setLoggerClass(MyLogger)
    lg = man.getLogger('test')
    out.append('class: %s, manager: %s, parent: %s' % (type(lg).__name__, lg.manager is man, lg.parent))
    out.append('in global loggerDict: %s' % ('test' in logging.Logger.manager.loggerDict))
    lg.warning('should appear in logged')
    capture_stderr(lambda: logging.warning('should not appear in logged'))
    out.append('logged: %s' % logged)
    factory = lambda *a: logging.LogRecord(*a)
    man.setLogRecordFactory(factory)
    out.append('logRecordFactory kept: %s' % (man.logRecordFactory is factory))
    root2 = logging.RootLogger(logging.INFO)
    man2 = logging.Manager(root2)
    child = man2.getLogger('a.b')
    out.append('own root: %s, effective: %d' % (child.parent is root2, child.getEffectiveLevel()))
    out.append('own root keeps the global manager: %s' % (root2.manager is logging.Logger.manager))
    root2.setLevel(logging.ERROR)
    out.append('child follows its root: INFO %s, ERROR %s' % (child.isEnabledFor(logging.INFO), child.isEnabledFor(logging.ERROR)))
    logging.Manager(logging.root)
    out.append('global root keeps its manager: %s' % (logging.root.manager is logging.Logger.manager))
    return '\n'.join(out)


def record_factory():
    out = []
    s, h = stream_handler('%(custom_attribute)s %(levelname)s %(message)s')
    lg = logging.getLogger('factory')
    lg.addHandler(h)
    lg.propagate = False
    old = logging.getLogRecordFactory()
    out.append('default makes a LogRecord: %s' % isinstance(old('n', 20, '', 0, 'm', (), None), logging.LogRecord))

    def record_factory(*args, **kwargs):
        record = old(*args, **kwargs)
        record.custom_attribute = 'decafbad'
        return record

    logging.setLogRecordFactory(record_factory)
    out.append('get gives it: %s' % (logging.getLogRecordFactory() is record_factory))
    lg.warning('made by %s', 'the factory')
    r = logging.makeLogRecord({'msg': 'from makeLogRecord'})
    out.append('makeLogRecord: %s %s' % (r.custom_attribute, r.msg))
    logging.setLogRecordFactory(old)
    return '\n'.join(out) + '\n' + s.getvalue()


class DerivedLogRecord(logging.LogRecord):
    pass


def record_factory_class():
    out = []
    s, h = stream_handler()
    lg = logging.getLogger('derived')
    lg.addHandler(h)
    lg.propagate = False
    seen = []

    class CheckingFilter(logging.Filter):
        def filter(self, record):
            seen.append(type(record).__name__)
            return True

    lg.addFilter(CheckingFilter())
    lg.warning('one')
    logging.setLogRecordFactory(DerivedLogRecord)
    lg.error('two')
    out.append('seen: %s' % seen)
    out.append('makeLogRecord: %s' % type(logging.makeLogRecord({})).__name__)
    logging.setLogRecordFactory(logging.LogRecord)
    return '\n'.join(out) + '\n' + s.getvalue()


def make_record_override():
    out = []

    class SpyLogger(logging.Logger):
        def makeRecord(self, name, level, fn, lno, msg, args, exc_info, func=None, extra=None, sinfo=None):
            out.append('name=%r level=%r fn=%r lno=%r msg=%r args=%r exc_info=%r func=%r extra=%r sinfo=%r'
                       % (name, level, fn, lno, msg, len(args), exc_info, func, extra, sinfo))
            return super().makeRecord(name, level, fn, lno, msg, args, exc_info, func, extra, sinfo)

    s, h = stream_handler('%(name)s %(levelname)s %(message)s %(funcName)s %(lineno)d')
    lg = SpyLogger('spy')
    lg.addHandler(h)
    lg.info('hello %s', 'you')
    lg.warning('with extra', extra={'k': 1})
    r = lg.makeRecord('direct', 13, 'f.py', 7, 'm %s', ('a',), None, 'fn', {'x': 2}, None)
    out.append('record: %s %d %s %d %s %s %s %d' % (r.name, r.levelno, r.pathname, r.lineno, r.funcName, r.getMessage(), r.x, r.levelno))
    return '\n'.join(out) + '\n' + s.getvalue()


def args_tuple():
    out = []
    for style, fmt in [('%', '%(args)s|%(args)r'), ('{', '{args}|{args!r}'), ('$', '${args}')]:
        f = logging.Formatter(fmt, style=style)
        for args in [('a',), (), ('a', 1), ({'k': 1},), (None, True, 1.5)]:
            msg = 'm' if len(args) == 0 or isinstance(args[0], dict) else ' '.join(['%r'] * len(args))
            r = logging.LogRecord('n', 20, '', 0, msg, args, None)
            out.append('%s %s' % (style, f.format(r)))
    return '\n'.join(out)


CASES = [args_tuple, direct_logger, direct_logger_last_resort, manager_disable_assigned, adapter_manager, get_logger_names,
         module_functions, module_functions_keep_handlers, module_functions_basic_config_once_level,
         logger_class, own_manager, record_factory, record_factory_class, make_record_override]

if __name__ == '__main__':
    results = {}
    for case in CASES:
        reset()
        results[case.__name__] = case()
    reset()
    with open(OUT, 'w') as f:
        json.dump(results, f, indent=1, sort_keys=True)
        f.write('\n')
    print('wrote %d cases to %s' % (len(results), os.path.relpath(OUT)))
