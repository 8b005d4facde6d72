/**
 * Attack (fixed defect): a linked wallet blocked for ever by a charge that is settled but not
 * 'paid' — the gateway's SUCCESS stated another amount.
 *
 * electron/engine/decide.ts:177 records such an answer as status 'unknown' with settled
 * true ("nothing left to ask", for the supervisor); shared/saleTransitions.ts makes
 * unknown/final terminal, and recovery never asks about a settled sale again. The link-
 * unsettled check (electron/journal/members.ts:477 unsettledLinkedCharges) reads only the
 * status ("NOT IN paid, declined, closed"), not `settled`, so that sale counts as "still
 * being confirmed" for ever: every later charge of the member's wallet is refused with
 * "wait for its result (pospay query …)" — a wait that never ends, and the wrong advice (the
 * gateway has answered; nothing of it can still go through).
 *
 * Expected: a settled charge never blocks the wallet (its money cannot be taken again by a
 * second charge); the next charge of the wallet is sent and paid.
 *
 * Fixed: unsettledLinkedCharges (and a membership's unsettledCharges) skip settled sales.
 */
import { describe, expect, it } from 'vitest';
import { useMemberTerminals } from '../support/memberTerminal.ts';
import { settled } from '../support/memberTerminal.ts';
import { waitFor } from '../support/engineProcess.ts';
import { customerDoes, type MemberTerminal } from './members/support.ts';
import type { PaymentOutcome } from '../../shared/gateway/outcome.ts';

const members = useMemberTerminals('UF');

async function linked(t: MemberTerminal, id: string): Promise<void> {
  const pending = await t.members.link(id, 'AlipayHK');
  expect(await customerDoes(pending.authUrl as string, 'agree')).toBeLessThan(400);
  expect((await t.members.waitForLink(pending.linkId, 10_000)).status).toBe('active');
}

describe('a linked-wallet charge whose SUCCESS states another amount', () => {
  it('is settled for the supervisor; the wallet can be charged again', async () => {
    const t = await members.terminal();
    const id = `M-${Date.now().toString(36)}-mm`;
    await linked(t, id);
    // The gateway's first answer states 1.00 more than asked (once).
    const client = t.terminal.client as unknown as {
      unifiedPayToken: (r: unknown) => Promise<PaymentOutcome>;
    };
    const real = client.unifiedPayToken.bind(client);
    let tampered = false;
    client.unifiedPayToken = async (r) => {
      const outcome = await real(r);
      if (tampered || outcome.kind !== 'paid' || outcome.amountMinor === undefined) return outcome;
      tampered = true;
      return { ...outcome, amountMinor: outcome.amountMinor + 100 };
    };
    const first = await t.engine.chargeMember({ amountMinor: 5_00, currency: 'HKD', memberId: id });
    const done = await waitFor(
      () => t.terminal.journal.sale(first.orderId),
      (s) => s?.settled === true,
      10_000,
    );
    expect(tampered).toBe(true);
    expect(done).toMatchObject({ status: 'unknown', reasonCode: 'amount-mismatch', settled: true });

    const next = await t.engine
      .chargeMember({ amountMinor: 6_00, currency: 'HKD', memberId: id })
      .catch((e: unknown) => e as Error);
    expect(next instanceof Error ? next.message : 'sent').toBe('sent');
    expect(await settled(t, (next as { orderId: string }).orderId)).toMatchObject({
      status: 'paid',
    });
  });
});
