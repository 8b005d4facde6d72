/**
 * Attack (fixed defect): a refused member charge or pay-on-phone still throws away the sale
 * the customer was about to pay by code, saying it was "Paid another way".
 *
 * `replaces` (sale:start-member / sale:start-checkout) lets another tender take the place of
 * the sale on screen that waits for its code. Tenders.checkNewSale
 * (electron/engine/tenders.ts) closes that sale FIRST — emitted to every window as closed,
 * reason "Paid another way (no code was scanned)" — and only then checks the journal, the
 * currency, the amount, the member and the link. When any of those refuse, nothing was paid
 * another way: the cashier's screen (and the customer display) were told the sale is over as
 * paid otherwise, and the customer's code scanned next is refused.
 *
 * Expected: a tender refused before anything is sent leaves the sale waiting for its code as
 * it was (the draft is replaced only once the new tender is journaled).
 * Fixed: Tenders.replaceDraft closes it only after the new tender's attempt is journaled.
 */
import { describe, expect, it } from 'vitest';
import { useMemberTerminals } from '../support/memberTerminal.ts';
import type { SaleView } from '../../shared/ipc/contract.ts';

const members = useMemberTerminals('A2RP');
const { terminal } = members;

describe('a tender refused before sending', () => {
  it('a member charge refused (no such member) leaves the sale waiting for its code', async () => {
    const t = await terminal();
    const draft = t.engine.startSale({ amountMinor: 42_00, currency: 'HKD' });
    expect(draft.status).toBe('awaiting-scan');
    const seen: SaleView[] = [];
    const stop = t.engine.onSaleUpdated((v) => seen.push(v));
    const refusal = await t.engine
      .chargeMember({
        amountMinor: 42_00,
        currency: 'HKD',
        memberId: 'NO-SUCH-MEMBER',
        replaces: draft.orderId,
      })
      .catch((e: unknown) => e);
    stop();
    expect(refusal).toBeInstanceOf(Error);
    // Nothing was paid another way: no window was told so, and the sale still waits.
    expect(seen.filter((v) => v.orderId === draft.orderId && v.status === 'closed')).toEqual([]);
    expect(t.engine.current()).toMatchObject({ orderId: draft.orderId, status: 'awaiting-scan' });
  });

  it('a pay-on-phone above the till’s limit leaves the sale waiting for its code', async () => {
    const t = await terminal();
    const draft = t.engine.startSale({ amountMinor: 42_00, currency: 'HKD' });
    const refusal = await t.engine
      .startCheckout({ amountMinor: 999_999_99, currency: 'HKD', replaces: draft.orderId })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(Error);
    expect(t.engine.current()).toMatchObject({ orderId: draft.orderId, status: 'awaiting-scan' });
  });
});
