/**
 * What leaves the engine as text: order and refund ids the gateway accepts, reasons a cashier
 * understands, the Z report's net, and a CSV a spreadsheet opens safely.
 */
import { describe, expect, it } from 'vitest';
import { csvField, zReport } from '../../../electron/engine/reports.ts';
import { newOrderId, refundIdFor, requestIdFor } from '../../../electron/engine/ids.ts';
import { closedReason, declineReason } from '../../../electron/engine/reasons.ts';
import { exitCodeForSale } from '../../../electron/cli/output.ts';

describe('gateway identifiers', () => {
  it('order, request and refund ids stay within 64 safe characters and never repeat', () => {
    const now = Date.UTC(2025, 0, 31, 23, 59, 59);
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i += 1) ids.add(newOrderId('Shop 7 / Till #2 (front)', now));
    expect(ids.size).toBe(2000);
    const id = [...ids][0] as string;
    expect(id).toMatch(/^Shop7Till2front-20250131235959-[0-9A-Z]{8}$/);
    const longest = newOrderId('X'.repeat(80), now);
    for (const value of [longest, requestIdFor(longest, 99), refundIdFor(longest, 99)]) {
      expect(value.length).toBeLessThanOrEqual(64);
      expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    expect(requestIdFor(id, 2)).not.toBe(requestIdFor(id, 1));
  });
});

describe('reasons', () => {
  it('tells an expired code, a risk refusal and a wallet decline apart', () => {
    expect(declineReason({ code: '105000', resultCode: '105000', description: 'expired' })).toEqual(
      {
        reason: 'Payment code expired — ask the customer for a fresh code',
        reasonCode: 'code-expired',
      },
    );
    expect(
      declineReason({ code: '201000', resultCode: '201000', description: 'risk' }).reasonCode,
    ).toBe('risk-declined');
    expect(
      declineReason({ code: '000000', resultCode: '301000', description: 'insufficient balance' })
        .reason,
    ).toBe('Declined by the wallet: insufficient balance');
    expect(declineReason({ code: '300000', resultCode: '300000', description: '' }).reason).toBe(
      'Declined by the wallet — the customer may try again with a new code',
    );
    expect(
      declineReason({ code: '300000', resultCode: '300000', description: 'x'.repeat(400) }).reason
        .length,
    ).toBeLessThanOrEqual(150);
    expect(closedReason('deadline').reason).toBe(
      'Customer did not confirm in time — nothing was charged',
    );
  });
});

describe('pospay exit codes', () => {
  it('0 paid, 1 not paid, 3 unknown', () => {
    expect(exitCodeForSale({ status: 'paid' })).toBe(0);
    expect(exitCodeForSale({ status: 'declined' })).toBe(1);
    expect(exitCodeForSale({ status: 'closed' })).toBe(1);
    expect(exitCodeForSale({ status: 'unknown' })).toBe(3);
    expect(exitCodeForSale({ status: 'waiting-for-customer' })).toBe(3);
  });
});

describe('daily report and CSV', () => {
  it('the net of each row is sales minus refunds', () => {
    expect(
      zReport('2025-01-31', [
        {
          method: 'Wechat-Offline',
          currency: 'CNY',
          salesCount: 3,
          salesMinor: 4500,
          refundsCount: 1,
          refundsMinor: 700,
        },
      ]).rows[0]?.netMinor,
    ).toBe(3800);
  });

  it('quotes commas and quotes, and never lets a field start a spreadsheet formula', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('Declined, try again')).toBe('"Declined, try again"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(-5)).toBe('-5');
    expect(csvField(null)).toBe('');
  });
});
