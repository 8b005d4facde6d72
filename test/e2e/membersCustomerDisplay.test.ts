/**
 * The customer display while a member links a wallet (issue 12): the sign-up page's QR is
 * shown big on the customer's screen (/customer) as soon as the cashier starts the link, read
 * back from a screenshot with jsQR = the authUrl the terminal holds; it goes away when the
 * customer has agreed (or declined).
 *
 * Needs the customer view's store to follow member:link-updated (renderer/src/state/
 * customerStore.ts) and the terminal to emit it (electron/app/terminalApp.ts).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useChromiumTerminal } from '../support/chromiumTerminal.ts';
import { decodeQr, openCustomerDisplay } from '../support/customerScreen.ts';

const e2e = useChromiumTerminal();

const screenOf = (customer: Page) =>
  customer.getByTestId('customer-display').getAttribute('data-screen');

describe('the customer display during a wallet link', () => {
  for (const [memberId, action, outcome] of [
    ['M-CD-AGREE', 'agree', 'active'],
    ['M-CD-DECLINE', 'decline', 'declined'],
  ] as const) {
    it(`shows the sign-up QR big until the customer answers (${action})`, async () => {
      const page = await e2e.readyPage({ viewport: { width: 1024, height: 768 } });
      const customer = await openCustomerDisplay(page);
      await page.getByTestId('nav-members').click();
      await page.getByTestId('members-input').fill(memberId);
      await page.getByTestId('members-create').click();
      await page.getByTestId('link-Alipay').click();
      await page.getByTestId('link-qr').waitFor();
      const found = await e2e.terminal.app.invoke('member:find', { memberId });
      const links = (found as { ok: true; value: { links: { authUrl: string | null }[] } }).value
        .links;
      const authUrl = links[0]?.authUrl ?? '';
      expect(authUrl).toMatch(/\/__sim\/wallet\/authorize\?ticket=/);

      await expect.poll(() => screenOf(customer)).toBe('qr');
      await expect(decodeQr(customer.getByTestId('customer-qr'))).resolves.toBe(authUrl);
      await expect(customer.getByTestId('customer-message').innerText()).resolves.toMatch(
        /Scan with your phone to link your wallet/,
      );
      await customer.screenshot({
        path: `test-results/screens/members-customer-link-${action}.png`,
      });

      await e2e.customerPresses(authUrl, action);
      await expect
        .poll(() =>
          page
            .locator('[data-testid="link-row"][data-wallet="Alipay"]')
            .getAttribute('data-status'),
        )
        .toBe(outcome);
      await expect.poll(() => screenOf(customer)).toBe('welcome');
    });
  }

  it('opened while a sign-up already waits: shows its QR at once, and takes it away at the answer', async () => {
    const page = await e2e.readyPage({ viewport: { width: 1024, height: 768 } });
    await page.getByTestId('nav-members').click();
    await page.getByTestId('members-input').fill('M-CD-LATE');
    await page.getByTestId('members-create').click();
    await page.getByTestId('link-Alipay').click();
    await page.getByTestId('link-qr').waitFor();
    const found = await e2e.terminal.app.invoke('member:find', { memberId: 'M-CD-LATE' });
    const authUrl =
      (found as { ok: true; value: { links: { authUrl: string | null }[] } }).value.links[0]
        ?.authUrl ?? '';

    const customer = await openCustomerDisplay(page);
    await expect.poll(() => screenOf(customer)).toBe('qr');
    await expect(decodeQr(customer.getByTestId('customer-qr'))).resolves.toBe(authUrl);
    await e2e.customerPresses(authUrl, 'agree');
    await expect.poll(() => screenOf(customer)).toBe('welcome');
  });
});
