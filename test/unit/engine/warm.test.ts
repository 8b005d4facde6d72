/**
 * startSale asks the gateway client to warm its connection (PaymentGateway.warm, optional):
 * once per sale, before the code is scanned, and nothing about the payment goes with it.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  createPaymentEngine,
  type PaymentGateway,
} from '../../../electron/engine/paymentEngine.ts';
import { openJournal, type Journal } from '../../../electron/journal/journal.ts';
import type { PaymentOutcome } from '../../../shared/gateway/outcome.ts';
import { removeDir, tempDataDir } from '../../support/engineProcess.ts';

let dir: string;
let journal: Journal;
beforeEach(() => {
  dir = tempDataDir();
  journal = openJournal({ dir });
});
afterEach(() => {
  journal.close();
  removeDir(dir);
});

const paid: PaymentOutcome = {
  kind: 'paid',
  code: '000000',
  resultCode: '000000',
  description: 'ok',
  status: 'SUCCESS',
  transactionId: 'TX1',
  amountMinor: 1230,
  currency: 'CNY',
};

function gateway(): { client: PaymentGateway; calls: string[] } {
  const calls: string[] = [];
  const client: PaymentGateway = {
    warm: () => void calls.push('warm'),
    unifiedPay: async () => {
      calls.push('pay');
      return paid;
    },
    query: async () => {
      calls.push('query');
      return paid;
    },
    refund: () => Promise.reject(new Error('no refund expected')),
    refundQuery: () => Promise.reject(new Error('no refund expected')),
  };
  return { client, calls };
}

const settings = {
  terminalId: 'W1',
  region: 'CN' as const,
  currency: 'CNY' as const,
  amountCeilingMinor: 1_000_000,
  customerDeadlineMs: 60_000,
};

it('warms the connection when a sale starts, before the code, sending nothing', async () => {
  const { client, calls } = gateway();
  const engine = createPaymentEngine({ journal, client, settings });
  try {
    const sale = engine.startSale({ amountMinor: 1230 });
    expect(sale.status).toBe('awaiting-scan');
    expect(calls).toEqual(['warm']);
    // Write-ahead unchanged: nothing is journaled, nothing is sent before the code.
    expect(journal.sale(sale.orderId)).toBeFalsy();
    const done = await engine.submitCode(sale.orderId, '134567890123456789', 'manual');
    expect(done.status).toBe('paid');
    expect(calls).toEqual(['warm', 'pay']);
  } finally {
    await engine.stop();
  }
});

it('works with a gateway that has no warm()', async () => {
  const { client } = gateway();
  delete client.warm;
  const engine = createPaymentEngine({ journal, client, settings });
  try {
    expect(engine.startSale({ amountMinor: 1230 }).status).toBe('awaiting-scan');
  } finally {
    await engine.stop();
  }
});

it('engine.warm (the screen asks while the amount is typed) opens the connection and sends nothing', async () => {
  const { client, calls } = gateway();
  const engine = createPaymentEngine({ journal, client, settings });
  engine.warm?.();
  expect(calls).toEqual(['warm']);
  expect(journal.listSales()).toEqual([]);
  await engine.stop();
  engine.warm?.();
  expect(calls).toEqual(['warm']); // a stopped terminal opens nothing
});
