/**
 * Attack (fixed in c7a7c31): the cashier's app had no members side.
 *
 * The member channels (shared/ipc/memberChannels.ts, electron/app/memberHandlers.ts) answer
 * from the context's `members()`, which the composition root must provide
 * (electron/members/runtime.ts membersForRuntime, "the members side of the app's runtime in
 * one call"). electron/app/terminalApp.ts never calls it: in the app (browser mode, and the
 * Electron core, which runs the same createTerminalApp) every member channel answers
 * 409 "Members are not available on this terminal yet." — the Members screen, "Member" and
 * "Customer pays on phone" on the amount screen cannot work at all, and a membership's first
 * payment or a linked-wallet charge recovered by the app is never told to the members side.
 *
 * Expected: in training mode (embedded simulator, its training data key) the app finds and
 * creates members, and a membership's first payment starts (its paymentUrl for the QR).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTerminalServer, type TerminalServer } from '../support/browserMode.ts';

let terminal: TerminalServer;

beforeAll(async () => {
  terminal = await startTerminalServer();
});
afterAll(async () => {
  await terminal?.close();
});

describe('the app with members (open)', () => {
  it('member:create answers the member (not "Members are not available")', async () => {
    const created = await terminal.app.invoke('member:create', { memberId: 'A2-APP-1' });
    expect(created).toMatchObject({ ok: true, value: { memberId: 'A2-APP-1', links: [] } });
    const found = await terminal.app.invoke('member:find', { memberId: 'A2-APP-1' });
    expect(found).toMatchObject({ ok: true, value: { memberId: 'A2-APP-1' } });
  });

  it("a membership's first payment (sale:start-checkout with a schedule) starts, with its paymentUrl", async () => {
    const started = await terminal.app.invoke('sale:start-checkout', {
      amountText: '12.00',
      subscription: {
        memberId: 'A2-APP-2',
        intervalUnit: 'month',
        intervalCount: 1,
        endDate: '2099-12-31',
      },
    });
    expect(started).toMatchObject({ ok: true });
    const sale = (started as { ok: true; value: { orderId: string; paymentUrl: string | null } })
      .value;
    expect(sale.paymentUrl).toMatch(/^http/);
    await terminal.app.invoke('sale:cancel', { orderId: sale.orderId });
  });
});
