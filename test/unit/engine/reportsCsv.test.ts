/**
 * The day's CSV (issue 10, defect 11; electron/engine/reports.ts): local times with the
 * terminal's zone, and the reason column in the language asked for — the screen's own words
 * (shared/reasonTexts.ts), with the gateway's facts, never English under Chinese.
 */
import { describe, expect, it } from 'vitest';
import type { RefundRecord, SaleRecord } from '../../../electron/journal/journal.ts';
import { dayCsv, localTimeWithZone } from '../../../electron/engine/reports.ts';

// 2026-12-02 06:03:11 UTC = 14:03:11 in Hong Kong and Shenzhen (UTC+8).
const AT = Date.UTC(2026, 11, 2, 6, 3, 11);
const CHINA = () => 480;

function sale(partial: Partial<SaleRecord>): SaleRecord {
  return {
    orderId: 'T1-20261202140311-abc',
    terminalId: 'T1',
    status: 'paid',
    amountMinor: 1231,
    currency: 'CNY',
    method: 'Wechat-Offline',
    maskedCode: '134567********1234',
    source: 'wedge',
    attempt: 1,
    requestId: 'r1',
    transactionId: null,
    gatewayStatus: null,
    reason: null,
    reasonCode: null,
    abandoned: null,
    recovered: false,
    settled: true,
    createdAt: AT,
    updatedAt: AT,
    day: '2026-12-02',
    ...partial,
  } as SaleRecord;
}

const declined = sale({
  status: 'declined',
  reason: 'Declined by the wallet: insufficient balance (200002)',
  reasonCode: 'declined',
});

function rowsOf(csv: string): string[][] {
  return csv
    .trim()
    .split('\r\n')
    .map((line) => line.split(','));
}

function column(csv: string, name: string): string[] {
  const [header = [], ...rows] = rowsOf(csv);
  const at = header.indexOf(name);
  return rows.map((r) => r[at] ?? '');
}

describe('the CSV export', () => {
  it('writes the local time with the zone: 2026-12-02 14:03:11 +08:00', () => {
    expect(localTimeWithZone(AT, CHINA)).toBe('2026-12-02 14:03:11 +08:00');
    expect(localTimeWithZone(AT, () => -210)).toBe('2026-12-02 02:33:11 -03:30');
    const csv = dayCsv(
      [sale({})],
      () => [],
      [],
      () => null,
      () => false,
      {
        offsetMinutes: CHINA,
      },
    );
    expect(column(csv, 'time')).toEqual(['2026-12-02 14:03:11 +08:00']);
    expect(rowsOf(csv)[0]).not.toContain('time_utc');
  });

  it('uses this machine’s zone by default (the terminal’s)', () => {
    const offset = -new Date(AT).getTimezoneOffset();
    const csv = dayCsv(
      [sale({})],
      () => [],
      [],
      () => null,
    );
    const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
    expect(column(csv, 'time')[0]).toMatch(new RegExp(`^2026-12-0[12] \\d\\d:\\d3:11 \\${zone}$`));
  });

  it('gives the reason with its fact in the language asked for', () => {
    const refund: RefundRecord = {
      refundId: 'R1',
      orderId: 'T1-20261202140311-abc',
      amountMinor: 500,
      currency: 'CNY',
      status: 'declined',
      reason: 'The gateway refused the refund: this payment cannot be refunded',
      reasonCode: null,
      automatic: false,
      gatewayRefundId: null,
      sends: 1,
      settled: true,
      createdAt: AT + 1000,
      updatedAt: AT + 1000,
      day: '2026-12-02',
    };
    const csvIn = (language: 'en' | 'zh-CN' | 'zh-HK') =>
      dayCsv(
        [declined],
        () => [],
        [refund],
        () => 'Wechat-Offline',
        () => false,
        {
          language,
          offsetMinutes: CHINA,
        },
      );
    // Quoted fields: the reason column is the one before `training`.
    const reasons = (csv: string) =>
      csv
        .trim()
        .split('\r\n')
        .slice(1)
        .map((line) => line.split(',').at(-2));
    expect(reasons(csvIn('zh-CN'))).toEqual([
      '被钱包拒绝（余额不足；网关代码 200002）',
      '支付网关拒绝了这笔退款（这笔支付不能退款）',
    ]);
    expect(reasons(csvIn('zh-HK'))[0]).toMatch(/^被錢包拒絕（餘額不足/);
    expect(csvIn('en')).toContain('Declined by the wallet: insufficient balance (200002)');
    expect(csvIn('zh-CN')).not.toMatch(/insufficient|refused/);
  });
});
