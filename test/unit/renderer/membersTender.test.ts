/**
 * The sale screens' part of the member tenders (renderer/src/components/members/SaleTender.tsx),
 * rendered to markup: a checkout waiting for the customer shows its page as a QR code — the
 * link only in the picture, never as text or in an attribute — with the brand; a linked-wallet
 * charge names the member and the wallet; a scanned code's sale shows nothing extra.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SaleView } from '../../../shared/ipc/contract.ts';
import {
  SaleTenderFacts,
  SaleTenderPanel,
} from '../../../renderer/src/components/members/SaleTender.tsx';
import { initI18n } from '../../../renderer/src/i18n/index.ts';

const base: SaleView = {
  orderId: 'T1-20261202-ABC',
  status: 'waiting-for-customer',
  amountMinor: 2300,
  currency: 'HKD',
  method: 'ApplePay',
  maskedCode: null,
  reason: null,
  reasonCode: null,
  remainingMs: 60_000,
  abandoned: false,
  recovered: false,
  refundedMinor: 0,
  refunds: [],
  createdAt: 0,
  updatedAt: 0,
  tender: 'checkout',
  memberId: null,
  paymentUrl: 'http://127.0.0.1:4000/__sim/checkout?ticket=abc123',
  paymentExpiresAt: Date.now() + 60_000,
};

beforeAll(() => {
  initI18n('en');
});

const html = (sale: SaleView, facts = false) =>
  renderToStaticMarkup(createElement(facts ? SaleTenderFacts : SaleTenderPanel, { sale }));

describe('SaleTenderPanel', () => {
  it('a checkout waiting: the QR of its page (not as text), the brand and the time left', () => {
    const out = html(base);
    expect(out).toContain('data-testid="cashier-checkout-qr"');
    expect(out).not.toContain('ticket=abc123');
    expect(out).toContain('pays on the phone (Apple Pay)');
    expect(out).toMatch(/Page open for (59|60) s more/);
  });

  it('a checkout that ended: no QR any more', () => {
    expect(html({ ...base, status: 'paid' })).not.toContain('cashier-checkout-qr');
    expect(html({ ...base, paymentExpiresAt: Date.now() - 1 })).not.toContain(
      'cashier-checkout-qr',
    );
  });

  it('a linked wallet: the member and the wallet; a scanned code: nothing', () => {
    const linked = {
      ...base,
      tender: 'linked-wallet' as const,
      method: 'Alipay' as const,
      memberId: 'M-7',
      paymentUrl: null,
    };
    expect(html(linked)).toContain('Charging member M-7: Alipay (linked)');
    expect(html({ ...base, tender: 'code', method: 'Wechat-Offline', paymentUrl: null })).toBe('');
    expect(html({ ...base, tender: undefined, paymentUrl: null } as SaleView)).toBe('');
  });
});

describe('SaleTenderFacts', () => {
  it('says how it was paid and the member', () => {
    const out = html(
      { ...base, status: 'paid', tender: 'renewal', method: 'Card', memberId: 'M-9' },
      true,
    );
    expect(out).toContain('Membership renewal · Card');
    expect(out).toContain('M-9');
  });
});
