/**
 * The simulator's customer pages (electron/simulator/pages.ts) without HTTP: what a customer
 * may press in each state, stable `data-action` hooks for browser tests, and merchant-given
 * text (a member id) shown as text, never as markup.
 */
import { describe, expect, it } from 'vitest';
import { amountText, checkoutPage, walletPage } from '../../electron/simulator/pages.ts';

const wallet = (status: string, merchantUserId = 'member-7') => ({
  store: '2018092714313010016291',
  merchantUserId,
  wallet: 'AlipayHK',
  status,
  action: '/__sim/wallet/authorize?ticket=abc',
  limit: 'HKD 50,000.00 per payment',
});

function actions(html: string): string[] {
  return [...html.matchAll(/data-action="([a-z]+)"/g)].map((m) => m[1] ?? '');
}

describe('wallet page', () => {
  it.each([
    ['PENDING', ['agree', 'decline']],
    ['ACTIVE', ['unbind']],
    ['DECLINED', []],
    ['EXPIRED', []],
    ['UNBOUND', []],
  ])('%s offers %j', (status, expected) => {
    const html = walletPage(wallet(status));
    expect(actions(html)).toEqual(expected);
    expect(html).toContain(`data-status="${status}"`);
  });

  it('each button is its own form POST to the page, carrying action=…', () => {
    const html = walletPage(wallet('PENDING'));
    expect(html).toContain(
      '<form method="post" action="/__sim/wallet/authorize?ticket=abc"><button type="submit" name="action" value="agree" id="agree" data-action="agree">Agree</button></form>',
    );
  });

  it('shows a member id with markup as text', () => {
    const html = walletPage(wallet('PENDING', '<img src=x onerror=alert(1)>'));
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('a missing sign-up says so and offers nothing', () => {
    const html = walletPage(null, 'No sign-up has this link.');
    expect(html).toContain('No sign-up has this link.');
    expect(actions(html)).toEqual([]);
  });
});

describe('checkout page', () => {
  const view = (status: string) => ({
    store: '2018092714313010016291',
    merchantTransactionId: 'M<1>',
    amount: amountText(123450, 'HKD'),
    brand: 'GooglePay',
    status,
    action: '/__sim/checkout?ticket=t',
    subscription: null,
  });

  it('offers Pay and Fail only while pending, with the amount on the Pay button', () => {
    const html = checkoutPage(view('PENDING'));
    expect(actions(html)).toEqual(['pay', 'fail']);
    expect(html).toContain('>Pay HKD 1,234.50</button>');
    for (const status of ['SUCCESS', 'FAILED', 'CLOSED']) {
      expect(actions(checkoutPage(view(status)))).toEqual([]);
    }
    expect(html).toContain('M&lt;1&gt;');
  });

  it('writes amounts with the currency and its own decimals', () => {
    expect(amountText(5_000_000, 'HKD')).toBe('HKD 50,000.00');
    expect(amountText(50_000, 'CNY')).toBe('CNY 500.00');
    expect(amountText(1200, 'JPY')).toBe('JPY 1,200');
  });
});
