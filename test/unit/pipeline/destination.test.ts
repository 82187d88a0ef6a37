// One IndexedDB queue per destination: the name changes with the collector, the transport and the
// token, stays the same for the same destination, and never holds the token.
import { describe, expect, it } from 'vitest';
import { queueName } from '../../../src/pipeline/page/destination.js';

describe('queueName', () => {
  it('names one database per collector, transport and token, without the token in it', () => {
    const a = queueName('isolog', 'fetch', 'http://127.0.0.1:4318/v1/logs');
    expect(a).toMatch(/^isolog-[0-9a-z]{1,7}$/);
    expect(queueName('isolog', 'fetch', 'http://127.0.0.1:4318/v1/logs')).toBe(a);
    const others = [
      queueName('isolog', 'fetch', 'http://127.0.0.1:4319/v1/logs'),
      queueName('isolog', 'websocket', 'http://127.0.0.1:4318/v1/logs'),
      queueName('isolog', 'fetch', 'http://127.0.0.1:4318/v1/logs', 'secret-token'),
      queueName('isolog', 'fetch', 'http://127.0.0.1:4318/v1/logs', 'secret-tokem'),
      queueName('app', 'fetch', 'http://127.0.0.1:4318/v1/logs'),
    ];
    expect(new Set([a, ...others]).size).toBe(6);
    expect(others.join(' ')).not.toMatch(/secret/);
  });
});
