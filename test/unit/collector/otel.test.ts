// What the real @opentelemetry/exporter-logs-otlp-http sends arrives intact.
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { afterEach, expect, it } from 'vitest';
import { collector, stored } from './helpers.js';

let running: Awaited<ReturnType<typeof collector>> | undefined;
afterEach(async () => { await running?.close(); running = undefined; });

it('stores what the OpenTelemetry OTLP/HTTP exporter sends, field for field', async () => {
  running = await collector();
  const exporter = new OTLPLogExporter({ url: `${running.url}/v1/logs` });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'otel-shop', 'service.version': '1.2.3' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('shop.checkout', '0.1.0');
  logger.emit({ severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: 'payment slow', attributes: { 'http.route': '/pay', ms: 812, ok: false, ratio: 0.5 }, timestamp: 1_763_806_830_123 });
  logger.emit({ severityNumber: SeverityNumber.ERROR, body: { code: 7, reason: 'declined' }, attributes: { 'exception.type': 'CardError', 'exception.message': 'declined', 'exception.stacktrace': 'CardError: declined\n    at pay (shop.js:1:1)' } });
  logger.emit({ severityNumber: SeverityNumber.INFO2, body: 'info two' });
  await provider.forceFlush();
  await provider.shutdown();
  const lines = stored(running.dir);
  expect(lines).toHaveLength(3);
  const [warn, error, info] = lines;
  expect(warn).toMatchObject({
    time: '2025-11-22T10:20:30.123Z', timeUnixNano: '1763806830123000000', level: 30, levelname: 'WARN', logger: 'shop.checkout',
    message: 'payment slow', attributes: { 'http.route': '/pay', ms: 812, ok: false, ratio: 0.5 },
    resource: expect.objectContaining({ 'service.name': 'otel-shop', 'service.version': '1.2.3' }),
  });
  expect(typeof warn.uid).toBe('string');
  expect(error).toMatchObject({ level: 40, levelname: 'ERROR', message: '{"code":7,"reason":"declined"}', exception: 'CardError: declined\n    at pay (shop.js:1:1)' });
  expect(info).toMatchObject({ level: 23, levelname: 'Level 23', message: 'info two' });
});
