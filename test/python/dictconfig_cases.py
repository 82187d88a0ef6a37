"""dictConfig under CPython 3.11: '()' factories (classes and functions) for formatters, filters
and handlers, cfg:// and ext:// references, keys of the configuration's own, and the refusals
(formatter classes that are not Formatters, filters that are None, numbers or objects without
filter). test/unit/config/dict-config-parity.test.ts runs the same configurations through
configure(). Writes test/fixtures/dictconfig-cases.json. Run: python3.11 test/python/dictconfig_cases.py"""
import io, json, logging, logging.config, os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_PATH = os.path.join(HERE, '..', 'fixtures', 'dictconfig-cases.json')

OUT = io.StringIO()  # reached as ext://__main__.OUT


class BracketFormatter(logging.Formatter):
    def format(self, record):
        return '[' + super().format(record) + ']'


def upper_formatter(**kw):
    f = logging.Formatter(kw['format'].upper().replace('%(LEVELNAME)S', '%(levelname)s').replace('%(MESSAGE)S', '%(message)s'))
    return f


class PrefixFilter:
    def __init__(self, **kw):
        self.prefix = kw['prefix']

    def filter(self, record):
        return record.getMessage().startswith(self.prefix)


def tagging_filter(**kw):
    def f(record):
        record.tag = kw['tag']
        return True
    return f


class ListHandler(logging.Handler):
    def __init__(self, **kw):
        super().__init__()
        self.options = kw
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def list_handler(**kw):
    return ListHandler(**kw)


def reset():
    root = logging.getLogger()
    for h in root.handlers[:]:
        root.removeHandler(h)
    root.setLevel(logging.WARNING)
    OUT.seek(0)
    OUT.truncate(0)


def factories():
    logging.config.dictConfig({
        'version': 1,
        'formatters': {
            'bracket': {'()': BracketFormatter, 'format': '%(levelname)s %(message)s'},
            'upper': {'()': upper_formatter, 'format': '%(levelname)s: %(message)s'},
        },
        'filters': {
            'prefix': {'()': PrefixFilter, 'prefix': 'keep'},
            'tag': {'()': tagging_filter, 'tag': 't1'},
        },
        'handlers': {
            'cls': {'()': ListHandler, 'formatter': 'bracket', 'filters': ['prefix'], 'colour': 'blue'},
            'fn': {'()': list_handler, 'formatter': 'upper', 'filters': ['tag'], 'size': 3},
        },
        'root': {'level': 'INFO', 'handlers': ['cls', 'fn']},
    })
    log = logging.getLogger('app')
    log.info('keep this')
    log.warning('drop this from cls')
    cls, fn = logging.root.handlers
    return '\n'.join(['cls %s %r' % (type(cls).__name__, cls.options), *cls.lines,
                      'fn %s %r' % (type(fn).__name__, fn.options), *fn.lines])


def cfg_references():
    logging.config.dictConfig({
        'version': 1,
        'custom': {'fmt': '%(name)s|%(message)s', 'mail': {'toaddrs': ['ops@example.com', 'dev@example.com']}},
        'formatters': {'f': {'format': 'cfg://custom.fmt'}},
        'handlers': {
            'email': {'()': ListHandler, 'toaddrs': ['a@example.com', 'b@example.com'], 'formatter': 'f'},
            'another': {'()': ListHandler, 'first': 'cfg://handlers.email[toaddrs][0]',
                      'second': 'cfg://custom[mail][toaddrs][1]', 'section': 'cfg://custom.mail'},
        },
        'root': {'level': 'INFO', 'handlers': ['another', 'email']},
    })
    logging.getLogger('cfg').info('hello')
    # handlers are made in sorted order, and Python's cfg://handlers.X gives the handler once X is
    # made: 'another' comes before 'email', so it reads email's configuration
    another, email = logging.root.handlers
    return '\n'.join(['another %r' % sorted(another.options.items()), *email.lines])


def ext_references():
    logging.config.dictConfig({
        'version': 1,
        'formatters': {'f': {'format': '%(levelname)s:%(message)s'}},
        'handlers': {'s': {'class': 'logging.StreamHandler', 'stream': 'ext://__main__.OUT', 'formatter': 'f'}},
        'root': {'handlers': ['s']},
    })
    logging.warning('through ext://')
    return OUT.getvalue()


def own_top_level_keys():
    logging.config.dictConfig({
        'version': 1,
        'my_settings': {'anything': 1},
        'comment': 'ignored',
        'handlers': {'s': {'class': 'logging.StreamHandler', 'stream': 'ext://__main__.OUT'}},
        'root': {'handlers': ['s']},
    })
    logging.warning('configured')
    return OUT.getvalue()


class NotAFormatter:
    pass


ERRORS = {
    'formatter class that is not a Formatter': {'version': 1, 'formatters': {'f': {'class': '__main__.NotAFormatter'}}},
    'handler filter None': {'version': 1, 'handlers': {'h': {'class': 'logging.StreamHandler', 'filters': [None]}}},
    'handler filter number': {'version': 1, 'handlers': {'h': {'class': 'logging.StreamHandler', 'filters': [3]}}},
    'handler filter object without filter': {'version': 1, 'handlers': {'h': {'class': 'logging.StreamHandler', 'filters': [{'a': 1}]}}},
    'handler filter not configured': {'version': 1, 'handlers': {'h': {'class': 'logging.StreamHandler', 'filters': ['nope']}}},
    'logger filter None': {'version': 1, 'loggers': {'x': {'filters': [None]}}},
    'root filter number': {'version': 1, 'root': {'filters': [3]}},
    'cfg key missing': {'version': 1, 'handlers': {'h': {'class': 'logging.StreamHandler', 'stream': 'cfg://nope'}}},
    'cfg index out of range': {'version': 1, 'x': {'a': [1]}, 'handlers': {'h': {'class': 'logging.StreamHandler', 'stream': 'cfg://x.a[5]'}}},
    'cfg unparsable': {'version': 1, 'handlers': {'h': {'class': 'logging.StreamHandler', 'stream': 'cfg://!x'}}},
    'ext name unknown': {'version': 1, 'handlers': {'h': {'class': 'logging.StreamHandler', 'stream': 'ext://nope.x'}}},
}


def refusal(config):
    try:
        logging.config.dictConfig(config)
        return {'error': None}
    except Exception as e:
        chain = []
        x = e
        while x is not None:
            chain.append('%s: %s' % (type(x).__name__, x))
            x = x.__cause__
        return {'error': chain}


if __name__ == '__main__':
    results = {}
    for case in [factories, cfg_references, ext_references, own_top_level_keys]:
        reset()
        results[case.__name__] = case()
    refusals = {}
    for name, config in ERRORS.items():
        reset()
        refusals[name] = refusal(config)
    reset()
    with open(OUT_PATH, 'w') as f:
        json.dump({'output': results, 'refusals': refusals}, f, indent=1, sort_keys=True)
        f.write('\n')
    print('wrote %d cases to %s' % (len(results) + len(refusals), os.path.relpath(OUT_PATH)))
