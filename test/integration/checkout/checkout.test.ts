/**
 * Pay on the customer's phone (issue 13) against the real simulator: the checkout page is
 * created write-ahead, its paymentUrl is on the sale (for the QR), the till queries until
 * the customer paid, failed or the page closed; cancel by the cashier stops showing it and
 * a payment made after that is refunded automatically. Memberships: the first payment keeps
 * the member's payment token (only after SUCCESS), a renewal is charged with it, a revoked
 * token is refused with a clear reason. Ledger vs journal after each; no token in the file.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { monthlyCheckout } from '../../support/memberTerminal.ts';
import { localDay } from '../../../shared/sale.ts';
import { reasonLine } from '../../../shared/reasonTexts.ts';
import { EngineError } from '../../../electron/engine/errors.ts';
import { newDataKey } from '../../../electron/members/tokenCipher.ts';
import { isShownFinal, ledgerProblems, waitFor } from '../../support/engineProcess.ts';
import {
  customerDoes,
  journalBytes,
  openMemberTerminal,
  startMemberSim,
  type MemberSim,
  type MemberTerminal,
} from '../members/support.ts';

let sim: MemberSim;
let fast: MemberSim;
const open: MemberTerminal[] = [];
const key = newDataKey();
let seq = 0;

beforeAll(async () => {
  sim = await startMemberSim(0.05);
  fast = await startMemberSim(0.005); // an unpaid page closes after 4.5 s
});
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});
afterAll(async () => {
  await sim.close();
  await fast.close();
});

async function terminal(on: MemberSim = sim) {
  seq += 1;
  const t = await openMemberTerminal(on, { key, terminalId: `CO${seq}` });
  open.push(t);
  return t;
}

async function settled(t: MemberTerminal, orderId: string, timeoutMs = 20_000) {
  return waitFor(
    () => t.engine.sale(orderId),
    (s) => s !== null && isShownFinal(s) && !(s.status === 'unknown' && s.abandoned),
    timeoutMs,
  );
}

describe('pay on phone', () => {
  it('paid on the phone: paid once, method the brand, refundable like any sale', async () => {
    const t = await terminal();
    const view = await t.engine.startCheckout({
      amountMinor: 88_00,
      currency: 'HKD',
      brand: 'ApplePay',
    });
    expect(view).toMatchObject({
      status: 'waiting-for-customer',
      tender: 'checkout',
      method: 'ApplePay',
    });
    expect(view.paymentUrl).toMatch(/\/__sim\/checkout\?ticket=/);
    expect(view.paymentExpiresAt).toBeGreaterThan(Date.now());
    expect(await customerDoes(view.paymentUrl as string, 'pay')).toBeLessThan(400);
    const paid = await settled(t, view.orderId);
    expect(paid).toMatchObject({ status: 'paid', method: 'ApplePay', paymentUrl: null });
    const refunded = await t.engine.refund(view.orderId, 8_00);
    await waitFor(
      () => t.engine.sale(view.orderId),
      (s) => s?.refunds[0]?.status === 'refunded',
    );
    expect(refunded.orderId).toBe(view.orderId);
    expect(ledgerProblems(sim.ledger(), t.terminal.journal, { terminalId: t.terminalId })).toEqual(
      [],
    );
    const report = t.engine.report(localDay(Date.now()));
    expect(JSON.stringify(report)).toContain('ApplePay');
  });

  it('the card page (no brand): method Card; failed on the phone: declined, nothing charged', async () => {
    const t = await terminal();
    const view = await t.engine.startCheckout({ amountMinor: 10_00, currency: 'HKD' });
    expect(view.method).toBe('Card');
    await customerDoes(view.paymentUrl as string, 'fail');
    const failed = await settled(t, view.orderId);
    expect(failed).toMatchObject({ status: 'declined', reasonCode: 'checkout-failed' });
    expect(ledgerProblems(sim.ledger(), t.terminal.journal, { terminalId: t.terminalId })).toEqual(
      [],
    );
  });

  it('nobody pays: the page closes, the sale is closed as expired, nothing charged', async () => {
    const t = await terminal(fast);
    const view = await t.engine.startCheckout({
      amountMinor: 20_00,
      currency: 'HKD',
      brand: 'GooglePay',
    });
    const closed = await settled(t, view.orderId, 30_000);
    expect(closed).toMatchObject({ status: 'closed', reasonCode: 'checkout-expired' });
    expect(ledgerProblems(fast.ledger(), t.terminal.journal, { terminalId: t.terminalId })).toEqual(
      [],
    );
  });

  it('cancelled by the cashier, then paid anyway: the page stops showing, the payment is refunded', async () => {
    const t = await terminal();
    const view = await t.engine.startCheckout({
      amountMinor: 30_00,
      currency: 'HKD',
      brand: 'ApplePay',
    });
    const cancelled = t.engine.cancel(view.orderId);
    expect(cancelled).toMatchObject({
      status: 'unknown',
      abandoned: true,
      reasonCode: 'checkout-cancelled',
      paymentUrl: null,
    });
    await customerDoes(view.paymentUrl as string, 'pay');
    const after = await waitFor(
      () => t.engine.sale(view.orderId),
      (s) => s?.status === 'paid' && s.refunds.some((r) => r.status === 'refunded'),
      20_000,
    );
    expect(after).toMatchObject({ status: 'paid', reasonCode: 'auto-refunded' });
    expect(ledgerProblems(sim.ledger(), t.terminal.journal, { terminalId: t.terminalId })).toEqual(
      [],
    );
  });

  it('cancelled and never paid: closed when the page closes, "cancelled", nothing charged', async () => {
    const t = await terminal(fast);
    const view = await t.engine.startCheckout({ amountMinor: 40_00, currency: 'HKD' });
    t.engine.cancel(view.orderId);
    const closed = await settled(t, view.orderId, 30_000);
    expect(closed).toMatchObject({ status: 'closed', reasonCode: 'checkout-cancelled' });
  });
});

describe('memberships', () => {
  it('first payment keeps the token; a renewal charges it; revoked: refused with the reason', async () => {
    const t = await terminal();
    const memberId = `SUBM-${Date.now().toString(36)}`;
    const today = localDay(Date.now());
    // Started 70 days ago: two monthly renewals are due (a renewal not due is refused).
    const startDate = localDay(Date.now() - 70 * 86_400_000);
    const first = await monthlyCheckout(t, memberId, 120_00, startDate, 'GooglePay');
    // No token before it is paid.
    expect(t.members.subscriptions(memberId)[0]).toMatchObject({
      status: 'pending',
      nextDue: null,
    });
    await customerDoes(first.paymentUrl as string, 'pay');
    expect(await settled(t, first.orderId)).toMatchObject({ status: 'paid' });
    const sub = await waitFor(
      () => t.members.subscriptions(memberId)[0],
      (s) => s?.status === 'active',
    );
    expect(sub).toMatchObject({ status: 'active', paidCount: 1 });
    expect(sub?.nextDue).not.toBeNull();
    expect(sub?.nextDue && sub.nextDue <= today).toBe(true);

    const renewal = await t.engine.renew({ memberId, amountMinor: 120_00, currency: 'HKD' });
    const renewed = await settled(t, renewal.orderId);
    expect(renewed).toMatchObject({ status: 'paid', tender: 'renewal', method: 'GooglePay' });
    expect(t.members.subscriptions(memberId)[0]?.paidCount).toBe(2);

    // The payer revokes it: the next renewal is declined with the reason, then refused.
    const tokens = [...t.secrets.tokens];
    expect(tokens.some((tok) => sim.revokePaymentToken(tok))).toBe(true);
    const refused = await t.engine.renew({ memberId, amountMinor: 120_00, currency: 'HKD' });
    const declined = await settled(t, refused.orderId);
    expect(declined).toMatchObject({
      status: 'declined',
      reasonCode: 'subscription-token-revoked',
    });
    expect(t.members.subscriptions(memberId)[0]?.status).toBe('revoked');
    const again = await t.engine
      .renew({ memberId, amountMinor: 120_00, currency: 'HKD' })
      .catch((e: unknown) => e as EngineError);
    expect((again as EngineError).reasonCode).toBe('subscription-token-revoked');

    expect(ledgerProblems(sim.ledger(), t.terminal.journal, { terminalId: t.terminalId })).toEqual(
      [],
    );
    const bytes = journalBytes(t.terminal.dataDir);
    const csv = t.engine.exportCsv(today).csv;
    expect(csv).toContain(first.orderId);
    for (const token of t.secrets.tokens) {
      expect(bytes).not.toContain(token);
      expect(csv).not.toContain(token);
    }
  });

  it('a first payment that ended while no members side was attached: active with its token once it is', async () => {
    // As `pospay query` (no members side) recovering a killed `pospay checkout --member`.
    const t = await terminal();
    const memberId = `SUBL-${Date.now().toString(36)}`;
    const first = await monthlyCheckout(t, memberId, 70_00);
    t.engine.useMembers(undefined);
    await customerDoes(first.paymentUrl as string, 'pay');
    expect(await settled(t, first.orderId)).toMatchObject({ status: 'paid' });
    expect(t.members.subscriptions(memberId)[0]).toMatchObject({ status: 'pending' });

    t.engine.useMembers(t.members);
    const sub = await waitFor(
      () => t.members.subscriptions(memberId)[0],
      (s) => s?.status === 'active',
    );
    expect(sub).toMatchObject({ status: 'active', paidCount: 1 });
    expect(
      t.terminal.journal.members.subscription(sub?.subscriptionId ?? '')?.tokenSealed,
    ).not.toBeNull();
    const bytes = journalBytes(t.terminal.dataDir);
    for (const token of t.secrets.tokens) expect(bytes).not.toContain(token);
  });

  it('a membership whose first payment was refunded in full is not due and not renewed', async () => {
    const t = await terminal();
    const memberId = `SUBR-${Date.now().toString(36)}`;
    const first = await monthlyCheckout(t, memberId, 40_00, localDay(Date.now() - 40 * 86_400_000));
    await customerDoes(first.paymentUrl as string, 'pay');
    await settled(t, first.orderId);
    await waitFor(
      () => t.members.subscriptions(memberId)[0],
      (s) => s?.status === 'active',
    );
    expect(t.members.dueRenewals().map((s) => s.memberId)).toContain(memberId);
    await t.engine.refund(first.orderId, 40_00);
    await waitFor(
      () => t.engine.sale(first.orderId),
      (s) => s?.refunds.some((r) => r.status === 'refunded') === true,
    );
    expect(t.members.dueRenewals().map((s) => s.memberId)).not.toContain(memberId);
    const refunded = t.members.subscriptions(memberId)[0];
    expect(refunded).toMatchObject({ nextDue: null, reasonCode: 'subscription-first-refunded' });
    // The Members screen of a Chinese till says why in Chinese.
    expect(reasonLine('zh-HK', refunded ?? { reason: null, reasonCode: null })).toBe(
      '首筆付款已全數退款 — 不會續費；請重新售出會員訂閱',
    );
    const refusal = await t.engine
      .renew({ memberId, amountMinor: 40_00, currency: 'HKD' })
      .catch((e: unknown) => e as EngineError);
    expect(refusal).toBeInstanceOf(EngineError);
    expect((refusal as EngineError).message).toMatch(/refunded in full/);
    expect(t.terminal.journal.listSales().filter((s) => s.tender === 'renewal')).toEqual([]);
  });

  it('a membership whose first payment failed has no token: renew is refused before sending', async () => {
    const t = await terminal();
    const memberId = `SUBF-${Date.now().toString(36)}`;
    const first = await t.engine.startCheckout({
      amountMinor: 50_00,
      currency: 'HKD',
      subscription: {
        memberId,
        schedule: {
          startDate: localDay(Date.now()),
          intervalUnit: 'week',
          intervalCount: 2,
          endDate: '2099-01-01',
        },
      },
    });
    await customerDoes(first.paymentUrl as string, 'fail');
    await settled(t, first.orderId);
    const failed = t.members.subscriptions(memberId)[0];
    expect(failed).toMatchObject({ status: 'failed', reasonCode: 'subscription-first-unpaid' });
    expect(reasonLine('zh-CN', failed ?? { reason: null, reasonCode: null })).toMatch(
      /^首笔付款未完成 — 会员订阅未售出/,
    );
    const refusal = await t.engine
      .renew({ memberId, amountMinor: 50_00, currency: 'HKD' })
      .catch((e: unknown) => e as EngineError);
    expect(refusal).toBeInstanceOf(EngineError);
    expect((refusal as EngineError).reasonCode).toBe('subscription-missing');
  });
});
