"""Writes test/fixtures/format-cases.json: what CPython answers for %-formatting, format specs and
logging.Formatter on the same inputs the TypeScript tests use. Run: python3 test/python/gen_format_cases.py
Values are JSON, so JS and Python read the same ones (whole numbers are ints on both sides)."""
import json, logging, os, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'fixtures', 'format-cases.json')

percent = [
    ('%s', ['a']), ('%s %s', ['a', 'b']), ('%d', [42]), ('%i|%u', [-7, 7]), ('%5d|%-5d|%05d', [42, 42, 42]),
    ('%+d % d %+d', [5, 5, -5]), ('%.3d', [7]), ('%x %X %o', [255, 255, 8]), ('%#x %#X %#o', [255, 255, 8]),
    ('%08.3f', [3.14159]), ('%f', [1.5]), ('%.2f', [2.675]), ('%.0f', [0.5]), ('%.0f', [1.5]), ('%.0f', [2.5]),
    ('%.1f', [0.25]), ('%.2f', [0.125]), ('%e', [12345.678]), ('%E', [0.000123]), ('%.0e', [9.5]),
    ('%g', [0.0001]), ('%g', [0.00001234]), ('%g', [123456789.5]), ('%g', [1234567.5]), ('%.3g', [3.14159]),
    ('%#g', [1.5]), ('%G', [1.5e-10]), ('%10.4s|', ['abcdefgh']), ('%-10s|', ['left']), ('%r', ['quote']),
    ('%r', ["it's"]), ('%r', ['both \' and "']), ('%r', ['tab\tnew\nline']), ('%s', [[1, 2, 'x']]),
    ('%s', [{'a': 1, 'b': [True, None]}]), ('%r', [[1.5, 'a']]), ('%s', [True]), ('%s', [None]),
    ('%d', [True]), ('%c%c', [65, 'z']), ('100%%', []), ('%s%%', ['50']), ('%(a)s-%(b)05.1f', {'a': 'x', 'b': 2.25}),
    ('%(a)r', {'a': 'x'}), ('%s', {'a': 1}), ('%5s|%-6r|', ['ab', 'cd']), ('%*d|%-*d|', [5, 42, 4, 7]),
    ('%.*f', [2, 3.14159]), ('%s', [1.5]), ('%s', [1e-7]), ('%s', [1.5e-20]), ('%s', [9007199254740991]),
    ('%a', ['caf\u00e9']), ('%s', ['caf\u00e9']), ('%r', ['caf\u00e9\u200b']), ('%5.1f%%', [99.44]),
    ('%f', [1e22]), ('%.3e', [0.0]), ('%g', [0]), ('%d', [-0.5]), ('%d', [3.99]), ('%x', [-255]),
    ('%s and %s', ['a']), ('%s', ['a', 'b']), ('%d', ['x']), ('%x', [1.5]), ('%f', ['x']), ('%z', [1]),
    ('%(a)s', ['not a mapping']), ('%(missing)s', {'a': 1}), ('%', ['a']), ('%c', ['ab']),
    ('[%5s][%-4s][%.1s][%3c][%-3r]', ['\U0001F600', '\U0001F600', '\U0001F600x', '\U0001F600', '\U0001F600']),    # whole numbers past 2**53 print every digit, as Python's int does
    ('%d|%s|%r|%x|%i', [2**60, 2**60, 2**60, 2**60, -(2**62)]), ('%s', [[2**55, {'k': 2**70}]]),
]
specs = [
    ('INFO', '^9'), ('INFO', '<8'), ('INFO', '>8'), ('INFO', '*^10'), ('x', '.0'), ('abcdef', '.3'), ('abc', '10.2'),
    (7, '03d'), (7, '03'), (42, '+d'), (42, ' d'), (-42, '=8'), (-42, '08d'), (255, 'x'), (255, '#x'), (255, '#X'),
    (5, 'b'), (5, '#010b'), (1234567, ','), (1234567, '_'), (1234567.891, ',.2f'), (65535, '_x'), (3.14159, '.2f'),
    (3.14159, '10.3f'), (3.14159, '<10.3f'), (3.14159, '^10.1f'), (0.5, '.0f'), (2.5, '.0f'), (1.5, 'e'),
    (1.5, '.2E'), (1234.5, 'g'), (0.00001234, 'g'), (1.5, '%'), (0.256, '.1%'), (2.5, ''), (2.5, '.3'),
    (1.5, '.1'), (-1.5, '+.2f'), (1.5, ' .2f'), (-0.0001, 'z.2f'), (1e20, 'f'), (1.5e-7, ''), (65, 'c'), (3, 'n'),
    (1.5, 'n'), ('x', 'd'), (3, 's'), (1.5, 'x'), ('x', '+'), ('x', '='), (2.5, '.1'), (0.000012345, '.3'), (123.456, '.2'), (100.5, '.3'), (0.5, '.1'), (True, ''), (None, ''),
    ('\U0001F600', '>5'), ('\U0001F600x', '.1'), ('\U0001F600', '*^6'),
]
formats = [
    ('%(name)-12s: %(levelname)-8s %(message)s', '%', None),
    ('%(name)s|%(levelno)03d|%(levelname).3s|%(message)r', '%', None),
    ('{name:<12}|{levelname:^9}|{levelno:03d}|{message}', '{', None),
    ('{name!r:>15} {message!s:.4}', '{', None),
    ('${name} $levelname $$ ${message}', '$', None),
    ('%(asctime)s %(message)s', '%', None),
    ('%(asctime)s %(message)s', '%', '%m-%d %H:%M'),
    ('%(asctime)s', '%', '%Y-%m-%dT%H:%M:%S %j %a %A %b %B %p %I %y %w %%'),
    # glibc's conversions and flags, as time.strftime gives them on Linux; %f and %Q stay as written
    ('%(asctime)s', '%', '%c|%x|%X|%U|%W|%Z|%z|%e|%G|%g|%V|%u|%C|%D|%F|%T|%R|%r|%h|%n|%t|%k|%l|%P|%f|%Q|%'),
    ('%(asctime)s', '%', '%-d|%_d|%0e|%^a|%^B|%-j|%_H|%-I|%-m|%10Y|%_5d|%Ey|%Od|%#Z|%#p|%-p'),
    ('{asctime} {msecs:03.0f} {created:.3f}', '{', None),
    ('%(msecs)03d', '%', None),
    ('%(custom)s %(message)s', '%', None),
    ('no fields here', '%', None),
    ('{}', '{', None),
    ('$$ only', '$', None),
    ('{message!x}', '{', None),
    ('{message:zz}', '{', None),
    ('bare $ here ${message}', '$', None),
    # malformed {} formats: CPython's parser names the first fault it meets
    ('{', '{', None), ('a{', '{', None), ('{name', '{', None), ('{name:', '{', None), ('{name!', '{', None),
    ('{name!r', '{', None), ('{name!}', '{', None), ('{name!rr}', '{', None), ('{name:{levelno}', '{', None),
    ('x}y {name}', '{', None), ('{name}}', '{', None), ('{name[}', '{', None), ('{name[0}', '{', None),
    ('{name.}', '{', None), ('{bad-name} {', '{', None), ('{name:{', '{', None), ('{name:}}', '{', None),
    ('{name:{{}}}', '{', None), ('{!r}', '{', None), ('{:>3}', '{', None), ('{name[0]!r} {{x}}', '{', None),
    ('{name:{levelno}.{levelno}}|', '{', None), ('{name:{levelno:>2}}', '{', None), ('{na{me}', '{', None),
]
# the same style unvalidated (validate=False): what str.format itself does with the record's fields
unvalidated = [
    '{name:{levelno:>2}}|', '{name:{levelno:{levelno}}}', '{}', '{0}', '{name.nope}', '{name[0]}{name[2]}',
    '{name[9]}', '{name[x]}', '{levelno[0]}', '{name!x}', '{name.}', '{name[0]x}', '{missing}', '{args[0]}',
]

def unvalidated_case(fmt):
    f = logging.Formatter(fmt, style='{', validate=False)
    r = logging.LogRecord('app.db', logging.WARNING, '(unknown file)', 0, 'disk %d%% full', (93,), None)
    try:
        return {'out': f.format(r)}
    except Exception as e:
        return {'error': type(e).__name__, 'message': str(e).strip("\"")}

def percent_case(fmt, args):
    try:
        value = fmt % (args if isinstance(args, dict) else tuple(args))
        return {'out': value}
    except Exception as e:
        return {'error': type(e).__name__, 'message': str(e)}

def spec_case(value, spec):
    try:
        return {'out': format(value, spec)}
    except Exception as e:
        return {'error': type(e).__name__, 'message': str(e)}

CREATED = 1763806830.123  # fixed instant; tests format it in UTC

def formatter_case(fmt, style, datefmt):
    try:
        f = logging.Formatter(fmt, datefmt, style)
    except Exception as e:
        return {'construct_error': type(e).__name__, 'message': str(e)}
    f.converter = time.gmtime
    r = logging.LogRecord('app.db', logging.WARNING, '(unknown file)', 0, 'disk %d%% full', (93,), None)
    r.created = CREATED
    r.msecs = 123.0
    try:
        return {'out': f.format(r)}
    except Exception as e:
        return {'error': type(e).__name__, 'message': str(e)}

# !a, !r and !s of a record field, in the { style: ascii() escapes as \xe9, \u2028 or \U0001f600
conversion_values = ['é', '😀', 'a\u2028b', ['é', 'ü'], {'k': 'ñ'}, 'plain']

def conversion_case(value):
    return {'out': '{x!a}|{x!r}|{x!s}|{x!a:>12}'.format(x=value)}

error_calls = [
    ('Hello %s', ['a', 'b']), ('%d items', ['many']), ('%s and %s', ['one']), ('%(user)s', [{'id': 1}]),
    ('100% sure %s', ['x']),
]

def logging_error_case(msg, args):
    import io, contextlib
    err = io.StringIO()
    out = io.StringIO()
    logger = logging.getLogger('errors.case')
    logger.propagate = False
    h = logging.StreamHandler(out)
    logger.handlers = [h]
    with contextlib.redirect_stderr(err):
        logger.warning(msg, *args)
        logger.warning('still logging')
    lines = err.getvalue().splitlines()
    keep = [l for l in lines if l.startswith('--- Logging error') or l.startswith('Message: ') or l.startswith('Arguments: ')
            or (not l.startswith(' ') and ('Error: ' in l))]
    return {'report': keep, 'output': out.getvalue()}

data = {
    'logging_errors': [{'msg': m, 'args': a, **logging_error_case(m, a)} for m, a in error_calls],
    'python': sys.version.split()[0],
    'percent': [{'fmt': f, 'args': a, **percent_case(f, a)} for f, a in percent],
    'spec': [{'value': v, 'spec': s, **spec_case(v, s)} for v, s in specs],
    'conversion': [{'value': v, **conversion_case(v)} for v in conversion_values],
    'unvalidated': [{'fmt': f, **unvalidated_case(f)} for f in unvalidated],
    'formatter': [{'fmt': f, 'style': s, 'datefmt': d, 'created': CREATED, **formatter_case(f, s, d)} for f, s, d in formats],
}
with open(OUT, 'w') as fh:
    json.dump(data, fh, indent=1, ensure_ascii=False)
print('wrote', OUT)
