/**
 * The QR code the customer display shows (renderer/src/components/QrCode.tsx) is read back
 * the way a phone reads it: from a picture. The component is drawn in Chromium, screenshot,
 * and decoded with jsQR; what it encodes is nowhere else on the page.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QrCode } from '../../renderer/src/components/QrCode.tsx';
import { launchChromium } from '../support/chromium.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function decodeDrawn(text: string, pixels: number): Promise<string | null> {
  const svg = renderToStaticMarkup(createElement(QrCode, { text, label: 'Scan to pay' }));
  expect(svg).not.toContain(text);
  const page = await browser.newPage({ viewport: { width: pixels + 40, height: pixels + 40 } });
  try {
    await page.setContent(
      `<!doctype html><body style="margin:20px;background:#14273d">` +
        `<div style="width:${pixels}px;height:${pixels}px">${svg.replace('<svg', '<svg width="100%" height="100%"')}</div></body>`,
    );
    await expect(page.getByTestId('customer-qr').count()).resolves.toBe(1);
    const png = PNG.sync.read(await page.screenshot());
    const found = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    return found?.data ?? null;
  } finally {
    await page.close();
  }
}

describe('the customer QR code', () => {
  it('decodes from a screenshot to exactly the link it was given', async () => {
    const url = 'https://checkout.example.com/pay/T1-20261202140311-abc?sig=Zx_9-Q';
    await expect(decodeDrawn(url, 300)).resolves.toBe(url);
  });

  it('stays readable for a long link drawn small', async () => {
    const url = `https://link.example.com/codegrant/${'a1B2c3D4'.repeat(20)}`;
    await expect(decodeDrawn(url, 240)).resolves.toBe(url);
  });
});
