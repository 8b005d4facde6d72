/** When the till sounds: once, as the sale on screen reaches its outcome. */
import { describe, expect, it } from 'vitest';
import type { SaleView } from '../../../shared/ipc/contract.ts';
import { toneForChange } from '../../../renderer/src/state/saleSound.ts';
import { saleView } from '../../support/saleViews.ts';

/** A sale waiting for the customer, as the screen sees it; `patch` makes it what a test needs. */
function view(patch: Partial<SaleView> = {}): SaleView {
  return saleView({
    orderId: 'T1',
    status: 'waiting-for-customer',
    amountMinor: 100,
    method: null,
    maskedCode: null,
    ...patch,
  });
}

describe('toneForChange', () => {
  it('sounds paid, or not paid, when the sale on screen ends', () => {
    expect(toneForChange(view(), view({ status: 'paid' }))).toBe('paid');
    expect(toneForChange(view(), view({ status: 'declined' }))).toBe('not-paid');
    expect(toneForChange(view(), view({ status: 'closed' }))).toBe('not-paid');
    const abandoned = view({ status: 'unknown', abandoned: true, reasonCode: 'customer-timeout' });
    expect(toneForChange(view(), abandoned)).toBe('not-paid');
  });

  it('stays silent while unsure, for a repeat of the same outcome, and for another sale', () => {
    expect(toneForChange(view(), view({ status: 'unknown' }))).toBeNull();
    expect(toneForChange(view({ status: 'paid' }), view({ status: 'paid' }))).toBeNull();
    expect(toneForChange(view(), view({ orderId: 'T2', status: 'paid' }))).toBeNull();
    expect(toneForChange(null, view({ status: 'paid' }))).toBeNull();
  });
});
