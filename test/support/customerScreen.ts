/**
 * What the end-to-end tests do with the customer's side of a sale: open the customer display
 * from the till's Settings (a window of the till's own browser, as a cashier opens it), and
 * read a QR code on either screen from a screenshot, as a phone's camera reads it.
 */
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { Locator, Page } from 'playwright-core';

/** What the QR code on screen encodes (null if no code can be read from it). */
export async function decodeQr(qr: Locator): Promise<string | null> {
  await qr.waitFor();
  const png = PNG.sync.read(await qr.screenshot());
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
}

/**
 * Opens the customer display from Settings, waits until it is ready, and brings the till's
 * sale screen back to the front (where the cashier goes on).
 */
export async function openCustomerDisplay(page: Page): Promise<Page> {
  await page.getByTestId('nav-settings').click();
  const [customer] = await Promise.all([
    page.waitForEvent('popup'),
    page.getByTestId('customer-display-open').click(),
  ]);
  await customer.locator('[data-testid="customer-display"][data-ready="true"]').waitFor();
  await page.bringToFront();
  await page.getByTestId('nav-sale').click();
  return customer;
}
