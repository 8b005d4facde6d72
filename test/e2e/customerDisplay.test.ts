/**
 * The customer-facing display (issue 10, "what every till has"): in browser mode the page
 * /customer, opened from the till's screen in a window of its own (the launch token goes
 * with it; without the token it is refused like the till's page). It shows welcome, the
 * amount with "please show your payment code", the countdown while the customer confirms,
 * and the result — in the till's language with English under Chinese — and it has no
 * controls: keys pressed there start nothing.
 *
 * Time scale 1: a "payer confirms" sale (amount ending in 2) waits 3 s for the customer.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { invokeOverHttp } from '../support/browserMode.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';
import { decodeQr, openCustomerDisplay } from '../support/customerScreen.ts';

const e2e = useChromiumTerminal({ timeScale: 1 });

async function startSale(page: Page, amount: string): Promise<void> {
  await page.bringToFront();
  await page.keyboard.type(amount, { delay: 40 });
  await expect.poll(() => page.getByTestId('amount-display').textContent()).toContain(amount);
  await page.keyboard.press('Enter');
  await waitForStatus(page, 'awaiting-scan');
}

const screenOf = (customer: Page) =>
  customer.getByTestId('customer-display').getAttribute('data-screen');

describe('the customer display', () => {
  it('follows the sale: welcome, amount and "show your code", countdown, paid, not paid', async () => {
    const page = await e2e.readyPage();
    const customer = await openCustomerDisplay(page);
    // The token left the address bar, as on the till's page.
    expect(new URL(customer.url()).pathname).toBe('/customer');
    expect(new URL(customer.url()).search).toBe('');
    await expect(screenOf(customer)).resolves.toBe('welcome');
    await expect(customer.getByTestId('customer-message').innerText()).resolves.toMatch(
      /Welcome\s+欢迎光临/,
    );
    // Nothing to press on the customer's side.
    await expect(customer.locator('button, input, select, a, [tabindex]').count()).resolves.toBe(0);

    await startSale(page, '6.02');
    await expect.poll(() => screenOf(customer)).toBe('show-code');
    await expect(customer.getByTestId('customer-amount').innerText()).resolves.toContain('¥6.02');
    await expect(customer.getByTestId('customer-message').innerText()).resolves.toMatch(
      /Please show your payment code\s+请出示付款码/,
    );
    await customer.screenshot({ path: 'test-results/customer-show-code.png' });

    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await expect.poll(() => screenOf(customer)).toBe('confirm');
    await expect
      .poll(() => customer.getByTestId('customer-countdown').innerText())
      .toMatch(/^\d+ s left$/);
    await customer.screenshot({ path: 'test-results/customer-confirm.png' });
    await waitForStatus(page, 'paid');
    await expect.poll(() => screenOf(customer)).toBe('paid');
    await expect(customer.getByTestId('customer-message').innerText()).resolves.toMatch(
      /Paid — thank you\s+支付成功，谢谢/,
    );

    // Declined (insufficient balance): "not paid", and the customer is sent to the cashier.
    await page.getByTestId('new-sale-button').click();
    await startSale(page, '12.31');
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await waitForStatus(page, 'declined');
    await expect.poll(() => screenOf(customer)).toBe('not-paid');
    await expect(customer.locator('.customer-display').innerText()).resolves.toMatch(
      /Not paid[\s\S]*Please see the cashier/,
    );
  });

  it('speaks Chinese first and English under it on a Chinese till', async () => {
    await e2e.terminal.app.invoke('settings:save', { language: 'zh-HK' });
    try {
      const page = await e2e.readyPage();
      const customer = await openCustomerDisplay(page);
      await expect.poll(() => customer.locator('html').getAttribute('lang')).toBe('zh-HK');
      await startSale(page, '8.00');
      await expect.poll(() => screenOf(customer)).toBe('show-code');
      const lines = customer.getByTestId('customer-message').locator('p');
      await expect(lines.allInnerTexts()).resolves.toEqual([
        '請出示付款碼',
        'Please show your payment code',
      ]);
      await page.getByTestId('cancel-button').click();
    } finally {
      await e2e.terminal.app.invoke('settings:save', { language: 'en' });
    }
  });

  it('starts nothing from its own keyboard', async () => {
    const page = await e2e.readyPage();
    const customer = await openCustomerDisplay(page);
    await customer.bringToFront();
    await customer.keyboard.type('5', { delay: 40 });
    await customer.keyboard.press('Enter');
    await dispatchKeys(customer, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await expect(screenOf(customer)).resolves.toBe('welcome');
    const current = await e2e.terminal.app.invoke('sale:current', {});
    expect(current).toMatchObject({ ok: true, value: null });
  });

  it('shows the pay-on-phone page as a QR code the phone can read, with the amount', async () => {
    const page = await e2e.readyPage();
    const customer = await openCustomerDisplay(page);
    const checkout = await e2e.terminal.app.invoke('sale:start-checkout', { amountText: '30' });
    if (!checkout.ok) throw new Error(checkout.error.error);
    const { paymentUrl, orderId } = checkout.value as { paymentUrl: string; orderId: string };
    expect(paymentUrl).toMatch(/^https?:/);
    await expect.poll(() => screenOf(customer)).toBe('qr');
    await expect(customer.getByTestId('customer-amount').innerText()).resolves.toContain('¥30.00');
    await expect.poll(() => decodeQr(customer.getByTestId('customer-qr'))).toBe(paymentUrl);
    // The link is only in the picture.
    await expect(customer.content()).resolves.not.toContain(paymentUrl);
    await customer.screenshot({ path: 'test-results/customer-pay-on-phone.png' });
    await e2e.terminal.app.invoke('sale:cancel', { orderId });
    await expect.poll(() => screenOf(customer)).not.toBe('qr');
    // (A linked-wallet sign-up's QR code comes the same way: membersCustomerDisplay.test.ts.)
  });

  it('holds a token of its own that may only read, never the launch token', async () => {
    const page = await e2e.readyPage();
    const customer = await openCustomerDisplay(page);
    const launch = e2e.terminal.token;
    const kept = await customer.evaluate(() => JSON.stringify({ ...sessionStorage }));
    expect(kept).not.toContain(launch);
    const displayToken = (JSON.parse(kept) as Record<string, string>)['pospay.launchToken'] ?? '';
    expect(displayToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const as = (token: string) => (channel: string, body: unknown) =>
      invokeOverHttp(`${e2e.terminal.origin}/?token=${token}`, channel, body);
    const display = as(displayToken);
    const before = await e2e.terminal.app.invoke('sale:current', {});
    await expect(display('sale:current', {})).resolves.toMatchObject({ status: 200 });
    await expect(display('settings:get', {})).resolves.toMatchObject({ status: 200 });
    for (const [channel, body] of [
      ['sale:start', { amountText: '5' }],
      ['settings:save', { language: 'zh-CN' }],
      ['pin:check', { pin: '1234' }],
    ] as const) {
      const refused = await display(channel, body);
      expect({ channel, status: refused.status, json: refused.json }).toEqual({
        channel,
        status: 403,
        json: { code: 'customer-display-read-only', error: expect.any(String) },
      });
    }
    // Nor can it get (another) display token, which only the till's screen may ask for.
    const again = await fetch(`${e2e.terminal.origin}/api/customer-display`, {
      method: 'POST',
      headers: { Origin: e2e.terminal.origin, 'X-PosPay-Token': displayToken },
    });
    expect(again.status).toBe(403);
    // No sale was started by it.
    const orderOf = (r: unknown) => (r as { value: { orderId: string } | null }).value?.orderId;
    expect(orderOf(await e2e.terminal.app.invoke('sale:current', {}))).toBe(orderOf(before));
  });

  it('needs the launch token like the till’s page', async () => {
    const page = await e2e.openScreen(`${e2e.terminal.origin}/customer`);
    await page.getByTestId('token-required').waitFor();
    await expect(page.getByTestId('customer-display').count()).resolves.toBe(0);
  });
});
