import { describe, expect, it } from 'vitest';
import { getLogger, StreamHandler, Formatter, DEBUG } from '../../../src/index.js';

describe('smoke', () => {
  it('logs', () => {
    const lines: string[] = [];
    const log = getLogger('smoke');
    const h = new StreamHandler({ write: (s) => lines.push(s) });
    h.setFormatter(new Formatter('%(name)-12s|%(levelname)-8s|%(message)s|%(levelno)03d'));
    log.addHandler(h);
    log.setLevel(DEBUG);
    log.debug('hello %s %d %5.2f %x %r', 'a', 42, 3.14159, 255, 'q');
    log.info('%(a)s-%(b)d', { a: 'x', b: 3 });
    expect(lines).toEqual(['smoke       |DEBUG   |hello a 42  3.14 ff \'q\'|010\n', 'smoke       |INFO    |x-3|020\n']);
  });
});
