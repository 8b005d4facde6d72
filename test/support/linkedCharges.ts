/**
 * Linked-wallet charges whose outcome is not known yet, for the tests of the link-unsettled
 * rule: two tills on one data folder and one member's wallet (till A linked the member's
 * AlipayHK, the customer agreed; till B re-checks the link before each charge, so a test can
 * hold B there), and a charge cancelled while the customer confirms.
 */
import { expect } from 'vitest';
import type { SaleView } from '../../shared/ipc/contract.ts';
import {
  customerDoes,
  openMemberTerminal,
  type MemberTerminal,
} from '../integration/members/support.ts';
import { tempDataDir, waitFor } from './engineProcess.ts';
import type { MemberTerminals } from './memberTerminal.ts';

export async function twoTillsOneWallet(
  members: MemberTerminals,
  prefix: string,
): Promise<{ a: MemberTerminal; b: MemberTerminal; memberId: string }> {
  const dataDir = members.removeAfter(tempDataDir());
  const { key } = members;
  const a = members.track(
    await openMemberTerminal(members.sim, {
      key,
      terminalId: `${prefix}A`,
      dataDir,
      keepDir: true,
    }),
  );
  const b = members.track(
    await openMemberTerminal(members.sim, {
      key,
      terminalId: `${prefix}B`,
      dataDir,
      keepDir: true,
      memberTuning: { recheckAfterMs: 0 },
    }),
  );
  const memberId = `${prefix}-${Date.now().toString(36)}`;
  const pending = await a.members.link(memberId, 'AlipayHK');
  expect(await customerDoes(pending.authUrl as string, 'agree')).toBeLessThan(400);
  expect((await a.members.waitForLink(pending.linkId, 10_000)).status).toBe('active');
  return { a, b, memberId };
}

/** Holds till `t`'s next link re-check: `reached` once it is asked, `release()` lets it go on. */
export function holdLinkRecheck(t: MemberTerminal): {
  reached: Promise<void>;
  release: () => void;
} {
  const client = t.terminal.client as unknown as { queryBind: (r: unknown) => Promise<unknown> };
  const realQuery = client.queryBind.bind(client);
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let reach: () => void = () => {};
  const reached = new Promise<void>((resolve) => (reach = resolve));
  client.queryBind = async (r) => {
    reach();
    await held;
    return realQuery(r);
  };
  return { reached, release };
}

/**
 * Till `t` charges the member's wallet (HKD; an amount ending in 2: the customer confirms in
 * the wallet, in 4: never, the gateway closes it later) and the cashier cancels while the
 * customer confirms: abandoned, not settled.
 */
export async function chargeThenCancel(
  t: MemberTerminal,
  memberId: string,
  amountMinor = 7_02,
): Promise<SaleView> {
  const first = await t.engine.chargeMember({ amountMinor, currency: 'HKD', memberId });
  await waitFor(
    () => t.engine.sale(first.orderId),
    (s) => s?.status === 'waiting-for-customer',
    10_000,
  );
  t.engine.cancel(first.orderId);
  return first;
}
