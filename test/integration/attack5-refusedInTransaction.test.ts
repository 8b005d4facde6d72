/**
 * Attack5: the link-unsettled refusal thrown by chargeMember's precondition, inside the
 * journal's write-ahead transaction (electron/engine/tenders.ts chargeMember → launch →
 * core.commitAttempt → journal/transactions.ts changeSale). Till B has a sale waiting for its
 * code (a draft) and pays it with the member's linked wallet instead (`replaces`); its check
 * before the transaction passed, then till A (same data folder) charged the wallet and
 * cancelled. B's charge must be refused with `link-unsettled` and leave nothing behind: no
 * sale row, nothing sent, no update on B's screen, and B's draft still waiting for its code.
 * (Setup from attack4-unsettledTwoTills.)
 */
import { describe, expect, it } from 'vitest';
import type { SaleView } from '../../shared/ipc/contract.ts';
import { useMemberTerminals } from '../support/memberTerminal.ts';
import { EngineError } from '../../electron/engine/errors.ts';
import { chargeThenCancel, holdLinkRecheck, twoTillsOneWallet } from '../support/linkedCharges.ts';

const members = useMemberTerminals('VR');

describe('a linked-wallet charge refused inside the write-ahead transaction', () => {
  it('tells the cashier link-unsettled and leaves the draft it was to replace as it was', async () => {
    const { a, b, memberId: id } = await twoTillsOneWallet(members, 'VR');

    // Till B: a sale of 8.00 waiting for its code, then "pay with the member's wallet".
    const draft = b.engine.startSale({ amountMinor: 8_00, currency: 'HKD' });
    expect(draft.status).toBe('awaiting-scan');

    const { reached: atCheck, release } = holdLinkRecheck(b);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const shownOnB: SaleView[] = [];
    const off = b.engine.onSaleUpdated((view) => shownOnB.push(view));
    const second = b.engine
      .chargeMember({ amountMinor: 8_00, currency: 'HKD', memberId: id, replaces: draft.orderId })
      .catch((e: unknown) => e as EngineError);
    await atCheck;

    const first = await chargeThenCancel(a, id);
    release();
    const outcome = await second;
    off();

    expect(outcome).toBeInstanceOf(EngineError);
    expect((outcome as EngineError).reasonCode).toBe('link-unsettled');
    expect((outcome as EngineError).message).toContain(first.orderId);
    expect((outcome as EngineError).message).toMatch(/nothing was charged/);
    // Nothing sent, nothing journaled for B's attempt.
    const charges = members.sim
      .ledger()
      .filter((e) => e.merchantUserId === id && e.kind === 'charge')
      .map((e) => e.merchantTransactionId);
    expect(charges).toEqual([first.orderId]);
    expect(b.engine.history().map((s) => s.orderId)).toEqual([first.orderId]);
    // B's screen: no update at all (neither a new sale nor its draft shown closed).
    expect(shownOnB).toEqual([]);
    // The draft still waits for its code, and can still be paid by a scan or cancelled.
    expect(b.engine.current()).toMatchObject({ orderId: draft.orderId, status: 'awaiting-scan' });
    expect(b.engine.cancel(draft.orderId)).toMatchObject({ status: 'closed' });
  });
});
