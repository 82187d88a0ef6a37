import { afterEach, describe, expect, it } from 'vitest';
import { collector } from './helpers.js';

let running: Awaited<ReturnType<typeof collector>> | undefined;
afterEach(async () => { await running?.close(); running = undefined; });

describe('the live view', () => {
  it('carries its icon inline, and its policy lets the icon load', async () => {
    running = await collector();
    const page = await fetch(`${running.url}/`);
    const html = await page.text();
    const href = /<link rel="icon" type="image\/svg\+xml" href="([^"]+)">/.exec(html)?.[1] ?? '';
    expect(href.startsWith('data:image/svg+xml,')).toBe(true);
    expect(decodeURIComponent(href.slice('data:image/svg+xml,'.length))).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^]*<\/svg>$/);
    expect(page.headers.get('content-security-policy')).toMatch(/img-src [^;]*data:/);
  });

  it('answers /favicon.ico with the same icon, not a 404', async () => {
    running = await collector();
    const icon = await fetch(`${running.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    const svg = await icon.text();
    expect(svg).toMatch(/^<svg [^]*<\/svg>$/);
    const page = await (await fetch(`${running.url}/`)).text();
    expect(page).toContain(encodeURIComponent(svg));
  });
});
