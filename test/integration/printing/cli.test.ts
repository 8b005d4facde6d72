/**
 * `pospay print` end to end (the real process): a paid training sale journaled by
 * `pospay pay`, printed on a socat pty printer, on an out-of-paper one (the sale untouched),
 * and the day's report to a file:.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { localDay } from '../../../shared/sale.ts';
import { loadSettings, saveSettings } from '../../../electron/app/settings.ts';
import { removeDir, tempDataDir } from '../../support/engineProcess.ts';
import {
  indexOfBytes,
  startSerialFakePrinter,
  startTcpFakePrinter,
  type FakePrinter,
} from '../../support/fakePrinter.ts';
import { onlyJsonLine, runPospay } from '../../support/pospayCli.ts';
import { wechatCode } from '../../support/simulator.ts';
import { stopAllSocat } from '../../support/socatPair.ts';

const CUT = Uint8Array.of(0x1d, 0x56);
const dataDir = tempDataDir();
const env = {
  POS_DATA_DIR: dataDir,
  POS_GATEWAY_URL: 'simulator',
  POS_ACC_ID: undefined,
  POS_SALT: undefined,
  POS_PRINTER: undefined,
  POS_STORE_NAME: '好味茶餐厅',
  POS_STORE_ADDRESS: '北京市朝阳区建国路 1 号',
};
const fakes: FakePrinter[] = [];
let orderId = '';

beforeAll(async () => {
  const paid = await runPospay(['pay', '--amount', '10.00', '--code', wechatCode()], env);
  expect(paid.code, paid.stderr).toBe(0);
  const line = onlyJsonLine(paid);
  expect(line).toMatchObject({ status: 'paid' });
  orderId = String(line.orderId);
});

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
  await stopAllSocat();
});

afterAll(() => removeDir(dataDir));

async function historyOf(id: string): Promise<Record<string, unknown> | undefined> {
  const run = await runPospay(['history', '--json'], env);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((s) => s.orderId === id);
}

describe('pospay print', () => {
  it('prints the paid training sale on a serial printer (POS_PRINTER), in GB18030, marked TRAINING', async () => {
    const fake = await startSerialFakePrinter();
    fakes.push(fake);
    const run = await runPospay(['print', orderId], { ...env, POS_PRINTER: fake.spec });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toEqual({ printed: true, printer: fake.spec });
    await vi.waitFor(() => expect(indexOfBytes(fake.received(), CUT)).toBeGreaterThan(0), {
      timeout: 10_000,
      interval: 20,
    });
    const text = iconv.decode(fake.received(), 'gb18030');
    expect(text).toContain('好味茶餐厅');
    expect(text).toContain('北京市朝阳区建国路 1 号');
    expect(text).toContain('微信支付');
    expect(text).toContain('CNY 10.00');
    expect(text).toContain(orderId);
    expect(text).toContain('TRAINING — NOT A RECEIPT');
    expect(text).toMatch(/\d{6}\*+\d{4}/);
    // A full order id is too long for CODE128 on 80 mm: its QR code (GS ( k … 49 80 48 data).
    const qr = Buffer.concat([
      Buffer.from([0x1d, 0x28, 0x6b, orderId.length + 3, 0x00, 0x31, 0x50, 0x30]),
      Buffer.from(orderId, 'ascii'),
    ]);
    expect(indexOfBytes(fake.received(), qr)).toBeGreaterThan(0);
  });

  it('--printer wins over POS_PRINTER; Big5 with --codepage', async () => {
    const fake = await startSerialFakePrinter();
    fakes.push(fake);
    const run = await runPospay(
      ['print', orderId, '--printer', fake.spec, '--codepage', 'big5', '--width', '58'],
      { ...env, POS_PRINTER: 'file:/nonexistent/dir/r.bin', POS_STORE_NAME: '好味茶餐廳' },
    );
    expect(run.code, run.stderr).toBe(0);
    await vi.waitFor(() => expect(indexOfBytes(fake.received(), CUT)).toBeGreaterThan(0), {
      timeout: 10_000,
      interval: 20,
    });
    expect(iconv.decode(fake.received(), 'big5')).toContain('好味茶餐廳');
  });

  it('prints on a TCP printer on 127.0.0.1', async () => {
    const fake = await startTcpFakePrinter();
    fakes.push(fake);
    const run = await runPospay(['print', orderId, '--printer', fake.spec], env);
    expect(run.code, run.stderr).toBe(0);
    await vi.waitFor(() => expect(indexOfBytes(fake.received(), CUT)).toBeGreaterThan(0), {
      timeout: 10_000,
      interval: 20,
    });
    expect(iconv.decode(fake.received(), 'gb18030')).toContain(orderId);
  });

  it('out of paper: "receipt not printed: <why>" on stderr, exit 1, the sale still paid', async () => {
    const fake = await startSerialFakePrinter({ paper: 'out-of-paper' });
    fakes.push(fake);
    const run = await runPospay(['print', orderId, '--printer', fake.spec], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('receipt not printed: the printer is out of paper');
    expect(await historyOf(orderId)).toMatchObject({ status: 'paid' });
  });

  it('printer gone: exit 1 with the reason', async () => {
    const run = await runPospay(
      ['print', orderId, '--printer', 'serial:/dev/pospay-no-such-printer'],
      env,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('receipt not printed: no printer at /dev/pospay-no-such-printer');
  });

  it('--report DAY --training prints the Z report to file:', async () => {
    const file = path.join(dataDir, 'z.bin');
    const day = localDay(Date.now());
    const run = await runPospay(
      ['print', '--report', day, '--training', '--printer', `file:${file}`],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const text = iconv.decode(readFileSync(file), 'gb18030');
    expect(text).toContain(`Z REPORT ${day}`);
    expect(text).toContain('微信支付 (CNY)');
    expect(text).toMatch(/Sales x1\s+CNY 10\.00/);
    expect(text).toContain('TRAINING — NOT A RECEIPT');
  });

  it('a refund id prints the refund slip, naming the original sale', async () => {
    const refund = await runPospay(['refund', orderId, '--amount', '2.00'], env);
    expect(refund.code, refund.stderr).toBe(0);
    const sale = await historyOf(orderId);
    const refunds = (sale?.refunds ?? []) as { refundId: string; status: string }[];
    const refundId = refunds[0]?.refundId ?? '';
    expect(refunds[0]?.status).toBe('refunded');
    const file = path.join(dataDir, 'refund.bin');
    const run = await runPospay(['print', refundId, '--printer', `file:${file}`], env);
    expect(run.code, run.stderr).toBe(0);
    const text = iconv.decode(readFileSync(file), 'gb18030');
    expect(text).toContain('REFUND');
    expect(text).toContain(refundId);
    expect(text).toContain('Original sale');
    expect(text).toContain(orderId);
    expect(text).toContain('-CNY 2.00');
    expect(text).toContain('TRAINING — NOT A RECEIPT');
  });

  it('reads the printer, store and paper from Settings (settings.json); POS_PRINTER and flags win', async () => {
    const fromSettings = path.join(dataDir, 'settings-printer.bin');
    const saved = await loadSettings(dataDir);
    saveSettings(dataDir, {
      ...saved,
      receipts: {
        ...saved.receipts,
        printer: `file:${fromSettings}`,
        storeName: '设置里的店名',
        storeAddress: '',
        paperWidth: 58,
      },
    });
    const plain = { ...env, POS_STORE_NAME: undefined, POS_STORE_ADDRESS: undefined };
    try {
      const run = await runPospay(['print', orderId], plain);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout.trim())).toEqual({
        printed: true,
        printer: `file:${fromSettings}`,
      });
      const text = iconv.decode(readFileSync(fromSettings), 'gb18030');
      expect(text).toContain('设置里的店名');
      expect(text).toContain(`${'-'.repeat(32)}\n`); // 58 mm: 32 columns
      expect(text).not.toContain('-'.repeat(33));

      const fromEnv = path.join(dataDir, 'env-printer.bin');
      const envRun = await runPospay(['print', orderId, '--width', '80'], {
        ...plain,
        POS_PRINTER: `file:${fromEnv}`,
        POS_STORE_NAME: '环境变量店名',
      });
      expect(envRun.code, envRun.stderr).toBe(0);
      const envText = iconv.decode(readFileSync(fromEnv), 'gb18030');
      expect(envText).toContain('环境变量店名');
      expect(envText).toContain('-'.repeat(48));
    } finally {
      saveSettings(dataDir, saved);
    }
  });

  it('usage errors exit 2: no printer, unknown sale, both or neither of ORDER_ID and --report', async () => {
    const none = await runPospay(['print', orderId], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no printer');
    const unknown = await runPospay(['print', 'NOPE-1', '--printer', 'file:/dev/null'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no sale or refund "NOPE-1"');
    const neither = await runPospay(['print', '--printer', 'file:/dev/null'], env);
    expect(neither.code).toBe(2);
  });
});
