/**
 * Pay on the customer's phone (issue 13) on the cashier's screen, in Chromium against the
 * embedded simulator: a typed amount, "Customer pays on phone", a brand — two taps; the QR
 * of the checkout page is read back from a screenshot (jsQR) of the till's small QR and of the
 * customer display's big one, and is the sale's paymentUrl; the customer's phone (a browser
 * of its own) opens that page (Pay / Fail); the till's sale screens show paid or not paid,
 * with the tender and the brand. The cashier can cancel while the customer has not paid.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { membersZhCN, membersZhHK } from '../../renderer/src/i18n/members.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';
import { decodeQr, openCustomerDisplay } from '../support/customerScreen.ts';

const e2e = useChromiumTerminal();

async function typeAmount(page: Page, amount: string): Promise<void> {
  await page.bringToFront();
  await page.keyboard.type(amount, { delay: 30 });
  await expect
    .poll(async () => (await page.getByTestId('amount-display').textContent())?.replace(/,/g, ''))
    .toContain(amount);
}

/** The paymentUrl of the sale at the till, as the terminal gives it (not read from the page). */
async function currentPaymentUrl(): Promise<string> {
  const current = await e2e.terminal.app.invoke('sale:current', {});
  const value = (current as { ok: true; value: { paymentUrl?: string | null } | null }).value;
  expect(value?.paymentUrl).toMatch(/\/__sim\/checkout\?ticket=/);
  return value?.paymentUrl ?? '';
}

describe('customer pays on phone', () => {
  it('Apple Pay: the QR on the till and on the customer display is the page; Pay → paid', async () => {
    const page = await e2e.readyPage({ viewport: { width: 1024, height: 768 } });
    const customer = await openCustomerDisplay(page);
    await typeAmount(page, '23.00');
    await page.getByTestId('tender-phone').click();
    await page.getByTestId('pay-on-phone-ApplePay').click();

    await page.getByTestId('checkout-panel').waitFor();
    const url = await currentPaymentUrl();
    await expect(decodeQr(page.getByTestId('cashier-checkout-qr'))).resolves.toBe(url);
    await expect(page.getByTestId('checkout-method').innerText()).resolves.toContain('Apple Pay');
    await expect
      .poll(() => page.getByTestId('checkout-countdown').innerText())
      .toMatch(/Page open for \d+ s more/);
    // Cancel is there while the customer has not paid.
    await expect(page.getByTestId('cancel-button').isEnabled()).resolves.toBe(true);
    await page.screenshot({ path: 'test-results/screens/members-pay-on-phone-1024.png' });

    await expect
      .poll(() => customer.getByTestId('customer-display').getAttribute('data-screen'))
      .toBe('qr');
    await expect(decodeQr(customer.getByTestId('customer-qr'))).resolves.toBe(url);
    await expect(customer.getByTestId('customer-amount').innerText()).resolves.toContain('23.00');

    await e2e.customerPresses(url, 'pay');
    await waitForStatus(page, 'paid');
    await expect(page.getByTestId('result-tender').innerText()).resolves.toMatch(
      /Paid on the phone · Apple Pay/,
    );
    await expect
      .poll(() => customer.getByTestId('customer-display').getAttribute('data-screen'))
      .toBe('paid');
    const charged = e2e.terminal
      .ledger()
      .filter((l) => l.kind === 'charge' && l.amountMinor === 2300 && l.status === 'SUCCESS');
    expect(charged.map((l) => l.source)).toEqual(['checkout']);
  });

  it('Google Pay: Fail on the phone → not paid; Try again opens a new Google Pay page for the same amount', async () => {
    const page = await e2e.readyPage({ viewport: { width: 800, height: 600 } });
    await typeAmount(page, '24.00');
    await page.getByTestId('tender-phone').click();
    await page.getByTestId('pay-on-phone-GooglePay').click();
    await page.getByTestId('checkout-panel').waitFor();
    const url = await currentPaymentUrl();
    await expect(decodeQr(page.getByTestId('cashier-checkout-qr'))).resolves.toBe(url);
    await page.screenshot({ path: 'test-results/screens/members-pay-on-phone-800.png' });
    // At 800×600 the QR, the countdown and Cancel are in view without scrolling.
    const fits = await page.evaluate(
      () => document.documentElement.scrollHeight <= window.innerHeight,
    );
    expect(fits).toBe(true);

    await e2e.customerPresses(url, 'fail');
    await page.locator('.result-screen').waitFor();
    const status = await page.getByTestId('payment-status').getAttribute('data-status');
    expect(['declined', 'closed']).toContain(status);
    await expect(page.getByTestId('result-tender').innerText()).resolves.toContain('Google Pay');
    // Try again: a new page of the same brand for the same amount (not a scan prompt).
    await page.getByTestId('try-again-button').click();
    await page.getByTestId('checkout-panel').waitFor();
    await expect(page.getByTestId('checkout-method').innerText()).resolves.toContain('Google Pay');
    const again = await currentPaymentUrl();
    expect(again).not.toBe(url);
    await expect(decodeQr(page.getByTestId('cashier-checkout-qr'))).resolves.toBe(again);
    await e2e.customerPresses(again, 'pay');
    await waitForStatus(page, 'paid');
    await expect(page.getByTestId('result-tender').innerText()).resolves.toContain('Google Pay');
  });

  it('the card page, cancelled by the cashier: not paid, and the page no longer takes a payment', async () => {
    const page = await e2e.readyPage();
    await typeAmount(page, '25.00');
    await page.getByTestId('tender-phone').click();
    await page.getByTestId('pay-on-phone-Card').click();
    await page.getByTestId('checkout-panel').waitFor();
    const url = await currentPaymentUrl();
    await expect(page.getByTestId('checkout-method').innerText()).resolves.toContain('Card');
    await page.getByTestId('cancel-button').click();
    await page.locator('.result-screen').waitFor();
    await expect(page.getByTestId('payment-status').getAttribute('data-status')).resolves.not.toBe(
      'paid',
    );
    // The customer pressing Pay afterwards moves no money for good (refunded if it did).
    await e2e.customerPresses(url, 'pay').catch(() => undefined);
    await expect
      .poll(() => {
        const ok = e2e.terminal
          .ledger()
          .filter((l) => l.amountMinor === 2500 && l.status === 'SUCCESS');
        return (
          ok.filter((l) => l.kind === 'charge').length -
          ok.filter((l) => l.kind === 'refund').length
        );
      })
      .toBe(0);
  });

  for (const [language, words] of [
    ['zh-HK', membersZhHK],
    ['zh-CN', membersZhCN],
  ] as const) {
    it(`in Chinese (${language}): the tender, the page (QR on the customer display) and the result in the till’s words`, async () => {
      await e2e.terminal.app.invoke('settings:save', { language });
      try {
        const page = await e2e.readyPage({ viewport: { width: 800, height: 600 } });
        await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(language);
        const customer = await openCustomerDisplay(page);
        await typeAmount(page, '27.00');
        await expect(page.getByTestId('tender-phone').innerText()).resolves.toBe(
          words.tender.phone,
        );
        await page.getByTestId('tender-phone').click();
        await page.getByTestId('pay-on-phone-GooglePay').click();
        await page.getByTestId('checkout-panel').waitFor();
        const url = await currentPaymentUrl();
        await expect(decodeQr(page.getByTestId('cashier-checkout-qr'))).resolves.toBe(url);
        await expect
          .poll(() => customer.getByTestId('customer-display').getAttribute('data-screen'))
          .toBe('qr');
        await expect(decodeQr(customer.getByTestId('customer-qr'))).resolves.toBe(url);
        await expect(page.getByTestId('checkout-method').innerText()).resolves.toBe(
          words.checkout.waiting.replace('{{method}}', 'Google Pay'),
        );
        await page.screenshot({
          path: `test-results/screens/members-pay-on-phone-${language}-800.png`,
        });
        await e2e.customerPresses(url, 'pay');
        await waitForStatus(page, 'paid');
        await expect(page.getByTestId('result-tender').innerText()).resolves.toBe(
          `${words.tender.checkout} · Google Pay`,
        );
      } finally {
        await e2e.terminal.app.invoke('settings:save', { language: 'en' });
      }
    });
  }

  for (const viewport of [
    { width: 1024, height: 768 },
    { width: 800, height: 600 },
  ]) {
    it(`the amount screen with its tenders fits ${viewport.width}×${viewport.height}, buttons ≥ 44 px`, async () => {
      const page = await e2e.readyPage({ viewport });
      await typeAmount(page, '26.00');
      await page.getByTestId('tender-phone').click();
      await page.getByTestId('pay-on-phone-Card').waitFor();
      await page.screenshot({
        path: `test-results/screens/members-tenders-${viewport.width}.png`,
      });
      const fits = await page.evaluate(
        () => document.documentElement.scrollHeight <= window.innerHeight,
      );
      expect(fits).toBe(true);
      for (const id of ['charge-button', 'pay-on-phone-ApplePay', 'pay-on-phone-back']) {
        const box = await page.getByTestId(id).boundingBox();
        expect(box?.height ?? 0, id).toBeGreaterThanOrEqual(44);
        expect((box?.y ?? 0) + (box?.height ?? 0), id).toBeLessThanOrEqual(viewport.height);
      }
      await page.getByTestId('pay-on-phone-back').click();
      for (const id of ['tender-member', 'tender-phone']) {
        const box = await page.getByTestId(id).boundingBox();
        expect(box?.height ?? 0, id).toBeGreaterThanOrEqual(44);
        expect((box?.y ?? 0) + (box?.height ?? 0), id).toBeLessThanOrEqual(viewport.height);
      }
    });
  }

  it('needs an amount first, and says why a tender is refused', async () => {
    const page = await e2e.readyPage();
    await expect(page.getByTestId('tender-phone').isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('tender-member').isDisabled()).resolves.toBe(true);
    // Above the till's ceiling: refused by the terminal, the amount kept with the reason.
    await typeAmount(page, '99999999');
    await page.getByTestId('tender-phone').click();
    await page.getByTestId('pay-on-phone-ApplePay').click();
    await page.getByTestId('tender-error').waitFor();
    await expect(page.getByTestId('amount-display').textContent()).resolves.toContain('99,999,999');
    await expect(page.getByTestId('tender-error').innerText()).resolves.toMatch(/limit/i);
    await expect(page.getByTestId('scan-prompt').count()).resolves.toBe(0);
  });
});
