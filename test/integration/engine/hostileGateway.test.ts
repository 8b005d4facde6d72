/**
 * `pospay pay` and `pospay query` (real processes, same engine and journal as the app)
 * against a stand-in gateway that misbehaves on purpose (test/support/hostileGateway.ts):
 * the holes found by attacking the terminal from outside stay closed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal } from '../../../electron/journal/journal.ts';
import { removeDir, tempDataDir } from '../../support/engineProcess.ts';
import { startHostileGateway, type HostileGateway } from '../../support/hostileGateway.ts';
import { onlyJsonLine, runPospay, startPospay } from '../../support/pospayCli.ts';
import { startTestSimulator, wechatCode } from '../../support/simulator.ts';

let dataDir: string;
let gateway: HostileGateway | undefined;

beforeEach(() => {
  dataDir = tempDataDir();
});

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  removeDir(dataDir);
});

function envFor(target: { baseUrl: string; store: { accId: string; salt: string } }) {
  return {
    POS_DATA_DIR: dataDir,
    POS_GATEWAY_URL: target.baseUrl,
    POS_ACC_ID: target.store.accId,
    POS_SALT: target.store.salt,
  };
}

/** The order id of the only sale in the journal, once it is there. */
async function onlyOrderId(): Promise<string> {
  for (let i = 0; i < 100; i += 1) {
    const run = await runPospay(['history', '--json'], { POS_DATA_DIR: dataDir });
    const line = run.stdout.trim().split('\n')[0];
    if (line) {
      const parsed = JSON.parse(line) as { orderId: string } | { orderId: string }[];
      const first = Array.isArray(parsed) ? parsed[0] : parsed;
      if (first) return first.orderId;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no sale was journaled');
}

function journalStatus(orderId: string): string | undefined {
  const journal = openJournal({ dir: dataDir });
  try {
    return journal.sale(orderId)?.status;
  } finally {
    journal.close();
  }
}

describe('a gateway that registers a payment seconds after it received it', () => {
  it('pospay query meanwhile does not close the sale; both end paid, charged once', async () => {
    gateway = await startHostileGateway({ registerAfterMs: 6000, answerAfterMs: null });
    const env = envFor(gateway);
    const pay = startPospay(
      ['pay', '--amount', '10.00', '--currency', 'CNY', '--code', wechatCode()],
      env,
    );
    // The request is journaled, then held at the gateway (it answers nothing for 10 s).
    const orderId = await onlyOrderId();
    await new Promise((r) => setTimeout(r, 500));
    // What the "payment in progress" refusal tells the cashier to run, from a second process
    // (it waits up to 15 s): 3 s of "does not exist" must not close a sale still in flight.
    const query = await runPospay(['query', orderId], env);
    expect(onlyJsonLine(query).status, query.stderr).toBe('paid');
    expect(query.code).toBe(0);
    const paid = await pay.done;
    expect(paid.code, paid.stderr).toBe(0);
    expect(onlyJsonLine(paid)).toMatchObject({ orderId, status: 'paid' });
    expect(journalStatus(orderId)).toBe('paid');
    expect(gateway.charges()).toHaveLength(1);
  }, 40_000);

  it('SIGKILL while the request is at the gateway, then pospay query: paid once registered — never closed', async () => {
    gateway = await startHostileGateway({ registerAfterMs: 6000, answerAfterMs: null });
    const env = envFor(gateway);
    const pay = startPospay(
      ['pay', '--amount', '10.00', '--currency', 'CNY', '--code', wechatCode()],
      env,
    );
    const orderId = await onlyOrderId();
    await new Promise((r) => setTimeout(r, 500));
    pay.child.kill('SIGKILL');
    await pay.done;
    const query = await runPospay(['query', orderId], env);
    expect(onlyJsonLine(query)).toMatchObject({ status: 'paid' });
    expect(query.code).toBe(0);
    const journal = openJournal({ dir: dataDir });
    try {
      expect(journal.events(orderId).map((e) => e.status)).not.toContain('closed');
    } finally {
      journal.close();
    }
    expect(gateway.charges()).toHaveLength(1);
  }, 40_000);
});

describe('a signed SUCCESS that does not state this amount and currency', () => {
  it('another amount: pospay pay prints one JSON line, unknown, exit 3 (not paid, not silent)', async () => {
    gateway = await startHostileGateway({ statedAmount: { amount: '1.00', currency: 'CNY' } });
    const run = await runPospay(
      ['pay', '--amount', '10.00', '--currency', 'CNY', '--code', wechatCode()],
      envFor(gateway),
    );
    expect(run.code, run.stderr).toBe(3);
    const out = onlyJsonLine(run);
    expect(out.status).toBe('unknown');
    expect(String(out.reason)).toMatch(/reports ¥1\.00 paid for this ¥10\.00 sale/);
  }, 30_000);

  it('another currency: unknown, exit 3', async () => {
    gateway = await startHostileGateway({ statedAmount: { amount: '10.00', currency: 'HKD' } });
    const run = await runPospay(
      ['pay', '--amount', '10.00', '--currency', 'CNY', '--code', wechatCode()],
      envFor(gateway),
    );
    expect(run.code, run.stderr).toBe(3);
    expect(onlyJsonLine(run).status).toBe('unknown');
  }, 30_000);

  it('amount and currency left out: a mismatch, never paid', async () => {
    gateway = await startHostileGateway({ statedAmount: 'omit' });
    const run = await runPospay(
      ['pay', '--amount', '10.00', '--currency', 'CNY', '--code', wechatCode()],
      envFor(gateway),
    );
    expect(run.code, run.stderr).toBe(3);
    const out = onlyJsonLine(run);
    expect(out.status).toBe('unknown');
    expect(String(out.reason)).toMatch(/without its amount and currency/);
  }, 30_000);
});

describe('sign-type downgrade', () => {
  it('a SUCCESS signed MD5 (with the right salt) for a SHA256 request is not taken as paid', async () => {
    gateway = await startHostileGateway({ replySignType: 'MD5' });
    const run = await runPospay(
      ['pay', '--amount', '10.00', '--currency', 'CNY', '--code', wechatCode(), '--deadline', '3'],
      envFor(gateway),
    );
    expect(run.code, run.stderr).toBe(3);
    expect(onlyJsonLine(run).status).toBe('unknown');
    expect(gateway.charges()).toHaveLength(1); // the gateway took it; the till does not trust it
  }, 30_000);
});

describe('a wrong salt', () => {
  it('pospay pay --deadline 3 ends by its deadline, unknown, naming the salt', async () => {
    const sim = await startTestSimulator();
    try {
      const run = await runPospay(
        [
          'pay',
          '--amount',
          '10.00',
          '--currency',
          'CNY',
          '--code',
          wechatCode(),
          '--deadline',
          '3',
        ],
        { ...envFor(sim), POS_SALT: 'this-is-not-the-store-salt' },
      );
      expect(run.code, run.stderr).toBe(3);
      const out = onlyJsonLine(run);
      expect(out.status).toBe('unknown');
      expect(String(out.reason)).toMatch(/refused our signature \(104000\): check the salt/);
      expect(String(out.reason)).not.toMatch(/did not confirm/);
    } finally {
      await sim.close();
    }
  }, 30_000);
});
