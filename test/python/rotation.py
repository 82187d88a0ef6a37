"""The cookbook's 'Using file rotation' example (maxBytes=20, backupCount=5, 20 records), run in a
temporary folder; writes test/fixtures/rotation.json: each file's name and contents.
Run: python3 test/python/rotation.py"""
import json, logging, logging.handlers, os, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
with tempfile.TemporaryDirectory() as tmp:
    name = os.path.join(tmp, 'logging_rotatingfile_example.out')
    my_logger = logging.getLogger('MyLogger')
    my_logger.setLevel(logging.DEBUG)
    handler = logging.handlers.RotatingFileHandler(name, maxBytes=20, backupCount=5)
    my_logger.addHandler(handler)
    for i in range(20):
        my_logger.debug('i = %d' % i)
    handler.close()
    files = {f: open(os.path.join(tmp, f)).read() for f in sorted(os.listdir(tmp))}
with open(os.path.join(HERE, '..', 'fixtures', 'rotation.json'), 'w') as fh:
    json.dump(files, fh, indent=1)
print(json.dumps(files, indent=1))
