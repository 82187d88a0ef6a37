import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../src/collector/cli.js';

describe('isolog collect flags', () => {
  it('reads every flag, with repeated --cors values', () => {
    expect(parseArgs(['--host', '127.0.0.2', '--port=9000', '--dir', 'out', '--token', 't', '--cors', 'https://a', 'https://b',
      '--max-bytes', '1000', '--backup-count', '3', '--forward', 'http://127.0.0.1:1/v1/logs', '--rate', '5', '--max-records', '100'])).toEqual({
      host: '127.0.0.2', port: 9000, dir: 'out', token: 't', cors: ['https://a', 'https://b'], maxBytes: 1000, backupCount: 3,
      forward: 'http://127.0.0.1:1/v1/logs', rate: 5, maxRecords: 100,
    });
  });

  it('writes --cors origins as a browser sends them', () => {
    expect(parseArgs(['--cors', 'HTTP://LocalHost:5173/', '*'])).toEqual({ cors: ['http://localhost:5173', '*'] });
  });

  it('takes the same settings from a config file, flags winning', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'isolog-cfg-')), 'collector.json');
    writeFileSync(file, JSON.stringify({ port: 7000, 'max-bytes': 10, cors: ['https://c'], logging: { version: 1 } }));
    expect(parseArgs(['--config', file, '--port', '7001'])).toEqual({ port: 7001, maxBytes: 10, cors: ['https://c'], logging: { version: 1 } });
  });

  it('explains mistakes', () => {
    expect(() => parseArgs(['--port', 'abc'])).toThrow('--port: port must be a whole number, got "abc"');
    expect(() => parseArgs(['--dir'])).toThrow('--dir needs a value');
    expect(() => parseArgs(['--prot', '1'])).toThrow('unknown option --prot; did you mean --port?');
    expect(() => parseArgs(['--bogus'])).toThrow(/^unknown option --bogus\n\nusage:/);
    expect(() => parseArgs(['--cors', 'https://ok.example', 'localhost:5173'])).toThrow('--cors localhost:5173: an origin needs its scheme, e.g. --cors http://localhost:5173');
    const file = join(mkdtempSync(join(tmpdir(), 'isolog-cfg-')), 'bad.json');
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    expect(() => parseArgs(['--config', file])).toThrow('unknown setting "prot"');
    writeFileSync(file, JSON.stringify({ cors: 'http://a.com/x' }));
    expect(() => parseArgs(['--config', file])).toThrow(`--config ${file}: cors http://a.com/x: an origin is scheme://host[:port], with no path; pass --cors http://a.com`);
  });
});
