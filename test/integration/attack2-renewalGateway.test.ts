/**
 * Attack (fixed defect): a membership is renewed through a gateway it was never made with.
 *
 * Sales and linked wallets are each tied to the gateway (and training/live mode) they were
 * made with: a linked wallet of another gateway is never charged (MemberService.isOurs in
 * prepareLinkedCharge), and "training (simulator) and live sales are never swept by the other
 * gateway" (docs/ARCHITECTURE.md). Memberships are not: MemberService.prepareRenewal
 * (electron/members/memberService.ts) and dueRenewals take every subscription of the
 * journal, so the same data folder switched to another gateway (training ↔ live, sandbox ↔
 * production) sends the member's kept payment token — a secret of the first gateway — to the
 * other one (it answers "token does not exist": a declined renewal reported to IT as an
 * integration fault, with the customer told to scan or link again).
 *
 * Expected: a membership made with another gateway is not due here, and its renewal is
 * refused before anything is sent; the membership stays active.
 *
 * Fixed: dueRenewals and prepareRenewal take only memberships of this gateway
 * ('subscription-other-gateway').
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { monthlyCheckout, daysAgo } from '../support/memberTerminal.ts';
import { newDataKey } from '../../electron/members/tokenCipher.ts';
import { isShownFinal, removeDir, tempDataDir, waitFor } from '../support/engineProcess.ts';
import {
  customerDoes,
  openMemberTerminal,
  startMemberSim,
  type MemberSim,
  type MemberTerminal,
} from './members/support.ts';

let first: MemberSim;
let other: MemberSim;
const key = newDataKey();
const open: MemberTerminal[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  first = await startMemberSim(0.05);
  other = await startMemberSim(0.05);
});
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  for (const d of dirs.splice(0)) removeDir(d);
});
afterAll(async () => {
  await first.close();
  await other.close();
});

async function settled(t: MemberTerminal, orderId: string) {
  return waitFor(
    () => t.engine.sale(orderId),
    (s) => s !== null && isShownFinal(s) && !(s.status === 'unknown' && s.abandoned),
    20_000,
  );
}

describe('memberships and the gateway they were made with', () => {
  it('a membership of another gateway is not due here and is never charged through this one', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const a = await openMemberTerminal(first, { key, terminalId: 'A2GA', dataDir, keepDir: true });
    const memberId = `A2G-${Date.now().toString(36)}`;
    // One monthly renewal due, on any day.
    const sale = await monthlyCheckout(a, memberId, 50_00, daysAgo(40));
    await customerDoes(sale.paymentUrl as string, 'pay');
    expect(await settled(a, sale.orderId)).toMatchObject({ status: 'paid' });
    await waitFor(
      () => a.members.subscriptions(memberId)[0],
      (s) => s?.status === 'active',
    );
    await a.close();

    // The same data folder, now with another gateway.
    const b = await openMemberTerminal(other, { key, terminalId: 'A2GB', dataDir, keepDir: true });
    open.push(b);
    expect.soft(b.members.dueRenewals().filter((s) => s.memberId === memberId)).toEqual([]);
    const attempt = await b.engine
      .renew({ memberId, amountMinor: 50_00, currency: 'HKD' })
      .then((v) => settled(b, v.orderId))
      .catch((e: unknown) => e);
    // Expected: refused before anything is sent (today: sent, declined 'member-token-mismatch').
    expect.soft(attempt).toBeInstanceOf(Error);
    expect.soft(b.members.subscriptions(memberId)[0]?.status).toBe('active');
  });
});
