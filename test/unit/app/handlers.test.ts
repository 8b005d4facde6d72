/**
 * The contract handlers (electron/app/handlers.ts) through the real TerminalApp on the real
 * runtime: journal, payment engine and the embedded simulator in training mode (a live
 * gateway saved in the settings is served by a test simulator, test/support/appRuntimes.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SaleView } from '../../../shared/ipc/contract.ts';
import { maskCode } from '../../../shared/paymentCode.ts';
import { PinGuard } from '../../../electron/app/pin.ts';
import { defaultSettings, saveSettings } from '../../../electron/app/settings.ts';
import { createTerminalApp, type TerminalApp } from '../../../electron/app/terminalApp.ts';
import { fakeScannerManager, memoryLogger } from '../../support/appDoubles.ts';
import { realRuntimes, type RealRuntimes } from '../../support/appRuntimes.ts';
import { TEST_TIME_SCALE, waitFor } from '../../support/engineProcess.ts';
import { wechatCode } from '../../support/simulator.ts';

const SALT = 'F78BC96A55548B2319EE68E0';

interface Harness {
  app: TerminalApp;
  runtimes: RealRuntimes;
  scanner: ReturnType<typeof fakeScannerManager>;
  log: ReturnType<typeof memoryLogger>;
  events: Array<{ channel: string; payload: unknown }>;
  dir: string;
  advance(ms: number): void;
}

const open: Harness[] = [];

async function harness(
  env: Record<string, string> = {},
  options: { terminalId?: string } = {},
): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pospay-handlers-'));
  if (options.terminalId)
    saveSettings(dir, { ...defaultSettings(), terminalId: options.terminalId });
  const runtimes = realRuntimes();
  const scanner = fakeScannerManager();
  const log = memoryLogger();
  let now = 1_000;
  const app = await createTerminalApp({
    dataDir: dir,
    env,
    timeScale: TEST_TIME_SCALE,
    openRuntime: runtimes.open,
    scanners: scanner.manager,
    log,
    pinGuard: new PinGuard({ now: () => now, freeAttempts: 3, lockMs: 30_000 }),
  });
  const events: Harness['events'] = [];
  app.onEvent((channel, payload) => events.push({ channel, payload }));
  const h = { app, runtimes, scanner, log, events, dir, advance: (ms: number) => (now += ms) };
  open.push(h);
  return h;
}

afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.app.close();
    await h.runtimes.close();
    rmSync(h.dir, { recursive: true, force: true });
  }
});

async function ok(app: TerminalApp, channel: string, request: unknown): Promise<unknown> {
  const result = await app.invoke(channel, request);
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code} ${result.error.error}`);
  return result.value;
}

async function fail(app: TerminalApp, channel: string, request: unknown) {
  const result = await app.invoke(channel, request);
  if (result.ok) throw new Error(`${channel} unexpectedly succeeded`);
  return result;
}

/** A sale of 20 paid with a manually typed code (the simulator pays it at once). */
async function paidSale(app: TerminalApp): Promise<string> {
  const sale = (await ok(app, 'sale:start', { amountText: '20' })) as { orderId: string };
  const paid = (await ok(app, 'sale:submit-code', {
    orderId: sale.orderId,
    code: wechatCode(),
    source: 'manual',
  })) as SaleView;
  expect(paid.status).toBe('paid');
  return sale.orderId;
}

/** The refunds the engine has of a sale (none unless one was sent). */
const refundsOf = (runtimes: RealRuntimes, orderId: string) =>
  runtimes.terminal.engine.sale(orderId)?.refunds ?? [];
const refund5 = (orderId: string, pin: string) => ({ orderId, amountText: '5', pin });

describe('contract validation at the boundary', () => {
  it('rejects a malformed payload with invalid-request naming the field, before the engine', async () => {
    const { app, runtimes } = await harness();
    const result = await fail(app, 'sale:start', { amountText: 12.5 });
    expect(result.status).toBe(400);
    expect(result.error.code).toBe('invalid-request');
    expect(result.error.error).toContain('amountText');
    expect(runtimes.terminal.engine.current()).toBeNull();
  });

  it('rejects an unknown channel with 404', async () => {
    const { app } = await harness();
    const result = await fail(app, 'sale:delete-everything', {});
    expect(result.status).toBe(404);
    expect(result.error.code).toBe('unknown-channel');
  });

  it('rejects a code longer than the contract allows', async () => {
    const { app } = await harness();
    const sale = (await ok(app, 'sale:start', { amountText: '1' })) as { orderId: string };
    const result = await fail(app, 'sale:submit-code', {
      orderId: sale.orderId,
      code: '1'.repeat(600),
      source: 'manual',
    });
    expect(result.error.code).toBe('invalid-request');
    expect(result.error.error).toContain('code');
  });
});

describe('sale:start amount parsing', () => {
  it('turns the typed amount into minor units of the store currency', async () => {
    const { app, runtimes } = await harness();
    const sale = (await ok(app, 'sale:start', { amountText: '12.5' })) as {
      amountMinor: number;
      currency: string;
      status: string;
    };
    expect(sale).toMatchObject({ amountMinor: 1250, currency: 'CNY', status: 'awaiting-scan' });
    expect(runtimes.terminal.engine.current()?.amountMinor).toBe(1250);
  });

  it('refuses too many decimals with a specific code and a readable message', async () => {
    const { app } = await harness();
    const result = await fail(app, 'sale:start', { amountText: '12.345' });
    expect(result.status).toBe(422);
    expect(result.error.code).toBe('amount-too-many-decimals');
    expect(result.error.error).toMatch(/2 decimal places/);
  });

  it('refuses an amount above the configured ceiling', async () => {
    const { app } = await harness();
    await ok(app, 'settings:save', { pin: '1234', amountCeilingMinor: 10_000 });
    const result = await fail(app, 'sale:start', { amountText: '100.01' });
    expect(result.error.code).toBe('amount-above-ceiling');
    expect(result.error.error).toContain('¥100.00');
  });
});

describe('engine errors', () => {
  it('keeps a typed engine error: its message and code, 409 for a state conflict', async () => {
    const { app, runtimes } = await harness();
    const first = (await ok(app, 'sale:start', { amountText: '5' })) as { orderId: string };
    const result = await fail(app, 'sale:start', { amountText: '6' });
    expect(result).toEqual({
      ok: false,
      status: 409,
      error: {
        error: expect.stringMatching(/^A sale of ¥5\.00 is already open on this terminal/),
        code: 'sale-in-progress',
      },
    });
    expect(runtimes.terminal.engine.current()?.orderId).toBe(first.orderId);
  });

  it('maps a refusal to 422', async () => {
    const { app, runtimes } = await harness();
    const sale = (await ok(app, 'sale:start', { amountText: '5' })) as { orderId: string };
    const result = await fail(app, 'sale:submit-code', {
      orderId: sale.orderId,
      code: '4006381333931',
      source: 'manual',
    });
    expect(result.status).toBe(422);
    expect(result.error).toEqual({
      error: expect.stringMatching(/product barcode/),
      code: 'code-invalid',
    });
    expect(runtimes.terminal.engine.current()?.status).toBe('awaiting-scan');
  });

  it('hides an unexpected error behind a generic message and logs it', async () => {
    const { app, runtimes, log } = await harness();
    // A failure the engine does not type (a bug, a broken disk): its text is not for the screen.
    runtimes.terminal.engine.startSale = () => {
      throw new Error('SQLITE_CORRUPT at /var/secret/path');
    };
    const result = await fail(app, 'sale:start', { amountText: '5' });
    expect(result.status).toBe(500);
    expect(result.error.code).toBe('internal');
    expect(result.error.error).not.toContain('SQLITE');
    expect(log.lines.join('\n')).toContain('SQLITE_CORRUPT');
  });
});

describe('the salt never leaves the main side', () => {
  it('is redacted from responses, events, errors and logs', async () => {
    // A terminal id that happens to be the salt puts it in every order id the engine makes,
    // in every view, event, log line and error naming a sale.
    const { app, runtimes, events, log } = await harness({ POS_SALT: SALT }, { terminalId: SALT });
    const started = (await ok(app, 'sale:start', { amountText: '12.30' })) as { orderId: string };
    expect(started.orderId).toMatch(/^\[redacted\]-/);
    // The screen only ever sees the redacted id; the test goes on with the engine's own.
    const orderId = runtimes.terminal.engine.current()?.orderId ?? '';
    expect(orderId.startsWith(`${SALT}-`)).toBe(true);
    const paid = await ok(app, 'sale:submit-code', {
      orderId,
      code: wechatCode(),
      source: 'manual',
    });
    const error = await fail(app, 'sale:cancel', { orderId: `${SALT}-NO-SUCH-SALE` });
    expect(error.error.code).toBe('not-found');
    const view = await ok(app, 'settings:get', {});
    const everything = JSON.stringify({ paid, error, view, events, log: log.lines });
    expect(everything).not.toContain(SALT);
    expect(JSON.stringify(paid)).toContain('[redacted]');
    expect(JSON.stringify(error)).toContain('[redacted]');
    expect(events.some((e) => JSON.stringify(e).includes('[redacted]'))).toBe(true);
    expect(view).toMatchObject({ saltConfigured: true, saltStorage: 'environment' });
  });

  it('is not in the settings file after it is saved through the settings screen', async () => {
    const { app, dir } = await harness();
    const view = await ok(app, 'settings:save', {
      pin: '1234',
      gatewayUrl: 'sandbox',
      accId: '2018092714313010016291',
      salt: SALT,
    });
    expect(JSON.stringify(view)).not.toContain(SALT);
    expect(readFileSync(path.join(dir, 'settings.json'), 'utf8')).not.toContain(SALT);
    expect(view).toMatchObject({ saltConfigured: true, saltStorage: 'memory-only' });
  });
});

describe('supervisor PIN', () => {
  it('is required for a refund: missing, wrong, then right', async () => {
    const { app, runtimes } = await harness();
    const orderId = await paidSale(app);
    const missing = await fail(app, 'refund:create', refund5(orderId, ''));
    expect(missing.error.code).toBe('pin-required');
    const wrong = await fail(app, 'refund:create', refund5(orderId, '9999'));
    expect(wrong.error.code).toBe('pin-wrong');
    expect(refundsOf(runtimes, orderId)).toEqual([]);
    const refunded = (await ok(app, 'refund:create', refund5(orderId, '1234'))) as {
      refundedMinor: number;
    };
    expect(refunded.refundedMinor).toBe(500);
    expect(refundsOf(runtimes, orderId)).toEqual([
      expect.objectContaining({ amountMinor: 500, status: 'refunded' }),
    ]);
  });

  it('locks after repeated wrong PINs, refusing even the right one until the pause is over', async () => {
    const { app, runtimes, advance } = await harness();
    const orderId = await paidSale(app);
    const attempt = (pin: string) => app.invoke('refund:create', { orderId, amountText: '1', pin });
    const codes: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const r = await attempt('0000');
      codes.push(r.ok ? 'ok' : r.error.code);
    }
    expect(codes).toEqual(['pin-wrong', 'pin-wrong', 'pin-locked']);
    const whileLocked = await attempt('1234');
    expect(whileLocked.ok ? 'ok' : whileLocked.error.code).toBe('pin-locked');
    expect(refundsOf(runtimes, orderId)).toEqual([]);
    advance(30_001);
    const after = await attempt('1234');
    expect(after.ok).toBe(true);
    expect(refundsOf(runtimes, orderId)).toEqual([expect.objectContaining({ amountMinor: 100 })]);
  });

  it('is required to save settings, except a language-only change', async () => {
    const { app } = await harness();
    const noPin = await fail(app, 'settings:save', { amountCeilingMinor: 500 });
    expect(noPin.error.code).toBe('pin-required');
    const language = (await ok(app, 'settings:save', { language: 'zh-HK' })) as {
      language: string;
    };
    expect(language.language).toBe('zh-HK');
    const saved = (await ok(app, 'settings:save', {
      pin: '1234',
      amountCeilingMinor: 500,
    })) as { amountCeilingMinor: number };
    expect(saved.amountCeilingMinor).toBe(500);
  });

  it('lets the cashier save this screen’s preferences (tones, quick amounts, customer display) without the PIN, and nothing else with them', async () => {
    const { app } = await harness();
    const screen = {
      sound: false,
      soundVolume: 30,
      quickAmounts: ['10', '25.50'],
      customerDisplay: 2,
    };
    const saved = (await ok(app, 'settings:save', { screen })) as { screen: unknown };
    expect(saved.screen).toEqual(screen);
    await expect(ok(app, 'settings:get', {})).resolves.toMatchObject({ screen });
    const mixed = await fail(app, 'settings:save', { screen, amountCeilingMinor: 500 });
    expect(mixed.error.code).toBe('pin-required');
    const bad = await fail(app, 'settings:save', { screen: { ...screen, quickAmounts: ['abc'] } });
    expect(bad.error.code).toBe('invalid-request');
  });

  it('can be changed; the old PIN then stops working', async () => {
    const { app } = await harness();
    const before = (await ok(app, 'settings:get', {})) as { supervisorPinIsDefault: boolean };
    expect(before.supervisorPinIsDefault).toBe(true);
    await ok(app, 'settings:save', { pin: '1234', supervisorPin: '246810' });
    const old = await fail(app, 'settings:save', { pin: '1234', language: 'en', accId: '1' });
    expect(old.error.code).toBe('pin-wrong');
    const view = (await ok(app, 'settings:save', { pin: '246810', region: 'CN' })) as {
      region: string;
      supervisorPinIsDefault: boolean;
    };
    expect(view).toMatchObject({ region: 'CN', supervisorPinIsDefault: false });
  });
});

describe('pin:check (unlocking the settings screen)', () => {
  it('refuses a missing or wrong PIN, accepts the right one, and changes nothing', async () => {
    const { app } = await harness();
    const before = await ok(app, 'settings:get', {});
    const missing = await fail(app, 'pin:check', { pin: '' });
    expect(missing.error.code).toBe('pin-required');
    const wrong = await fail(app, 'pin:check', { pin: '9999' });
    expect(wrong.status).toBe(422);
    expect(wrong.error.code).toBe('pin-wrong');
    expect(wrong.error.error).toMatch(/Wrong supervisor PIN \(2 tries left/);
    await expect(ok(app, 'pin:check', { pin: '1234' })).resolves.toEqual({ ok: true });
    await expect(ok(app, 'settings:get', {})).resolves.toEqual(before);
  });

  it('locks after repeated wrong PINs like a refund does, refusing even the right one until the pause is over', async () => {
    const { app, advance } = await harness();
    const codes: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const r = await app.invoke('pin:check', { pin: '0000' });
      codes.push(r.ok ? 'ok' : r.error.code);
    }
    expect(codes).toEqual(['pin-wrong', 'pin-wrong', 'pin-locked']);
    const whileLocked = await fail(app, 'pin:check', { pin: '1234' });
    expect(whileLocked.error.code).toBe('pin-locked');
    expect(whileLocked.error.error).toMatch(/locked for 30 s/);
    advance(30_001);
    await expect(ok(app, 'pin:check', { pin: '1234' })).resolves.toEqual({ ok: true });
  });

  it('keeps a count of wrong PINs per purpose: a settings lock-out leaves refunds open, and settings:save shares the settings lock', async () => {
    const { app, runtimes } = await harness();
    const orderId = await paidSale(app);
    expect((await fail(app, 'pin:check', { pin: '0000' })).error.code).toBe('pin-wrong');
    expect((await fail(app, 'pin:check', { pin: '0001' })).error.code).toBe('pin-wrong');
    expect((await fail(app, 'pin:check', { pin: '0002' })).error.code).toBe('pin-locked');
    const save = await fail(app, 'settings:save', { pin: '1234', amountCeilingMinor: 500 });
    expect(save.error.code).toBe('pin-locked');
    // Refunds have their own count: the right PIN still refunds, one wrong PIN is not a lock.
    const wrongRefund = await fail(app, 'refund:create', refund5(orderId, '0003'));
    expect(wrongRefund.error.error).toMatch(/2 tries left/);
    await ok(app, 'refund:create', refund5(orderId, '1234'));
    expect(refundsOf(runtimes, orderId)).toEqual([
      expect.objectContaining({ amountMinor: 500, status: 'refunded' }),
    ]);
  });

  it('gives the full set of attempts again after a lock-out: one wrong PIN then is not a longer lock', async () => {
    const { app, advance } = await harness();
    const wrong = async () => {
      const r = await fail(app, 'pin:check', { pin: '0000' });
      return `${r.error.code} ${r.error.error}`;
    };
    for (let i = 0; i < 2; i += 1) await wrong();
    expect(await wrong()).toMatch(/pin-locked .*locked for 30 s/);
    advance(30_001);
    expect(await wrong()).toMatch(/pin-wrong .*2 tries left/);
    expect(await wrong()).toMatch(/pin-wrong .*1 try left/);
    // The whole set used up again: now the pause is longer.
    expect(await wrong()).toMatch(/pin-locked .*locked for 60 s/);
    advance(60_001);
    await ok(app, 'pin:check', { pin: '1234' });
    // A right PIN forgets the wrong ones and the lock-outs: back to 3 tries and 30 s.
    for (let i = 0; i < 2; i += 1) expect(await wrong()).toMatch(/pin-wrong/);
    expect(await wrong()).toMatch(/pin-locked .*locked for 30 s/);
  });

  it('accepts a changed PIN and refuses the old one', async () => {
    const { app } = await harness();
    await ok(app, 'settings:save', { pin: '1234', supervisorPin: '246810' });
    expect((await fail(app, 'pin:check', { pin: '1234' })).error.code).toBe('pin-wrong');
    await expect(ok(app, 'pin:check', { pin: '246810' })).resolves.toEqual({ ok: true });
  });

  it('rejects a PIN longer than the contract allows before checking it', async () => {
    const { app } = await harness();
    const result = await fail(app, 'pin:check', { pin: '1'.repeat(17) });
    expect(result.status).toBe(400);
    expect(result.error.code).toBe('invalid-request');
  });
});

describe('settings:save and the runtime', () => {
  it('leaves training mode once gateway, store id and salt are saved', async () => {
    const { app, runtimes } = await harness();
    expect(((await ok(app, 'settings:get', {})) as { trainingMode: boolean }).trainingMode).toBe(
      true,
    );
    expect(runtimes.configs[0]?.embeddedSimulator).toBeDefined();
    const view = (await ok(app, 'settings:save', {
      pin: '1234',
      gatewayUrl: 'sandbox',
      accId: '2018092714313010016291',
      salt: SALT,
    })) as { trainingMode: boolean; gatewayUrl: string };
    expect(view).toMatchObject({
      trainingMode: false,
      gatewayUrl: 'https://sandbox-acquirer-payment.pingpongx.com',
    });
    expect(runtimes.configs).toHaveLength(2);
    expect(runtimes.terminal.trainingMode).toBe(false);
    expect(runtimes.configs[1]?.gateway).toMatchObject({
      baseUrl: 'https://sandbox-acquirer-payment.pingpongx.com',
      accId: '2018092714313010016291',
      clientId: '2018092714313010016',
      salt: SALT,
    });
    expect(runtimes.closed.count).toBe(1);
  });

  it('refuses to switch the gateway while a sale is waiting for its outcome', async () => {
    const { app, runtimes } = await harness();
    await ok(app, 'sale:start', { amountText: '3' });
    const result = await fail(app, 'settings:save', {
      pin: '1234',
      gatewayUrl: 'production',
      accId: '2018092714313010016291',
      salt: SALT,
    });
    expect(result.status).toBe(409);
    expect(result.error.code).toBe('sale-in-progress');
    expect(runtimes.configs).toHaveLength(1);
    expect(((await ok(app, 'settings:get', {})) as { gatewayUrl: string }).gatewayUrl).toBe(
      'simulator',
    );
  });

  it('keeps the settings in force when the new ones cannot be applied', async () => {
    const { app, runtimes, dir } = await harness();
    runtimes.failWhen = (config) => config.gateway !== undefined;
    const result = await fail(app, 'settings:save', {
      pin: '1234',
      gatewayUrl: 'sandbox',
      accId: '2018092714313010016291',
      salt: SALT,
    });
    expect(result.error.code).toBe('settings-not-applied');
    expect(result.error.error).toContain('journal is locked');
    expect(await ok(app, 'settings:get', {})).toMatchObject({
      gatewayUrl: 'simulator',
      trainingMode: true,
    });
    expect(JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8')).gatewayUrl).toBe(
      'simulator',
    );
    expect(await ok(app, 'sale:start', { amountText: '1' })).toMatchObject({
      status: 'awaiting-scan',
    });
  });

  it('rejects an invalid gateway URL without saving anything', async () => {
    const { app } = await harness();
    const result = await fail(app, 'settings:save', { pin: '1234', gatewayUrl: 'ftp://x' });
    expect(result.error.code).toBe('settings-invalid');
    expect(((await ok(app, 'settings:get', {})) as { gatewayUrl: string }).gatewayUrl).toBe(
      'simulator',
    );
  });
});

describe('scanner wiring', () => {
  it('sends a hardware scan to the sale awaiting a code', async () => {
    const { app, runtimes, scanner } = await harness({ POS_SCANNER: 'serial:/dev/ttyFAKE0' });
    const sale = (await ok(app, 'sale:start', { amountText: '8' })) as { orderId: string };
    const code = wechatCode();
    scanner.latest().scan(code);
    const paid = await waitFor(
      () => runtimes.terminal.engine.sale(sale.orderId),
      (s) => s?.status === 'paid',
    );
    expect(paid).toMatchObject({ status: 'paid', maskedCode: maskCode(code) });
    expect(runtimes.terminal.journal.sale(sale.orderId)?.source).toBe('serial');
  });

  it('rejects a scan when no sale is waiting, with a reason and a masked code', async () => {
    const { scanner, events, runtimes } = await harness({ POS_SCANNER: 'serial:/dev/ttyFAKE0' });
    scanner.latest().scan('134567890123456789');
    await expect.poll(() => events.filter((e) => e.channel === 'scan:rejected').length).toBe(1);
    const rejected = events.find((e) => e.channel === 'scan:rejected')?.payload as {
      reason: string;
      text: string;
    };
    expect(rejected.reason).toMatch(/No sale is waiting/);
    expect(rejected.text).toBe('134567********6789');
    expect(runtimes.terminal.engine.history({})).toEqual([]);
    expect(runtimes.terminal.simulator?.ledger()).toEqual([]);
  });

  it('forwards scanner connection state and engine updates as events', async () => {
    const { app, scanner, events } = await harness({ POS_SCANNER: 'serial:/dev/ttyFAKE0' });
    scanner.latest().setState(false, 'disconnected: cable pulled');
    const sale = (await ok(app, 'sale:start', { amountText: '8' })) as { orderId: string };
    expect(events).toContainEqual({
      channel: 'scanner:state',
      payload: {
        spec: 'serial:/dev/ttyFAKE0',
        connected: false,
        detail: 'disconnected: cable pulled',
      },
    });
    expect(events).toContainEqual({
      channel: 'sale:updated',
      payload: expect.objectContaining({ orderId: sale.orderId, status: 'awaiting-scan' }),
    });
    expect(await ok(app, 'scanner:state', {})).toEqual({
      spec: 'serial:/dev/ttyFAKE0',
      connected: false,
      detail: 'disconnected: cable pulled',
    });
  });
});
