/**
 * The real terminal (journal, engine, embedded or external simulator) in browser mode, over
 * real HTTP and Server-Sent Events, as the cashier screen uses it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SaleView } from '../../../shared/ipc/contract.ts';
import {
  invokeOverHttp,
  openEventStream,
  startTerminalServer,
  type EventStream,
  type TerminalServer,
} from '../../support/browserMode.ts';
import { startTestSimulator, wechatCode } from '../../support/simulator.ts';

let staticDir = '';
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(() => {
  // A stand-in page: these tests are about the API, not the screen (e2e covers that).
  staticDir = mkdtempSync(path.join(tmpdir(), 'pospay-static-'));
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>PosPay</title>');
});

afterAll(() => rmSync(staticDir, { recursive: true, force: true }));

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function terminal(env: Record<string, string> = {}): Promise<TerminalServer> {
  const server = await startTerminalServer({ staticDir, env });
  cleanups.push(() => server.close());
  return server;
}

async function events(url: string): Promise<EventStream> {
  const stream = await openEventStream(url);
  cleanups.push(() => stream.close());
  return stream;
}

function saleStatuses(stream: EventStream, orderId: string): string[] {
  return stream.events
    .filter((e) => e.channel === 'sale:updated')
    .map((e) => e.payload as SaleView)
    .filter((sale) => sale.orderId === orderId)
    .map((sale) => sale.status)
    .filter((status, i, all) => all[i - 1] !== status);
}

async function startSale(url: string, amountText: string): Promise<SaleView> {
  const reply = await invokeOverHttp(url, 'sale:start', { amountText });
  expect(reply.status, reply.text).toBe(200);
  return reply.json as SaleView;
}

describe('browser mode against the embedded simulator (training mode)', () => {
  it('takes a sale from amount to paid, with one charge at the gateway', async () => {
    const server = await terminal();
    const stream = await events(server.url);
    const settings = await invokeOverHttp(server.url, 'settings:get', {});
    expect(settings.json).toMatchObject({ trainingMode: true, gatewayUrl: 'simulator' });

    const sale = await startSale(server.url, '12.30');
    expect(sale).toMatchObject({ status: 'awaiting-scan', amountMinor: 1230, currency: 'CNY' });
    const code = wechatCode();
    await invokeOverHttp(server.url, 'sale:submit-code', {
      orderId: sale.orderId,
      code,
      source: 'wedge',
    });
    await expect.poll(() => saleStatuses(stream, sale.orderId).at(-1)).toBe('paid');

    const charges = server.ledger().filter((e) => e.merchantTransactionId === sale.orderId);
    expect(charges).toHaveLength(1);
    const history = await invokeOverHttp(server.url, 'history:list', {});
    const row = (history.json as SaleView[]).find((s) => s.orderId === sale.orderId);
    expect(row).toMatchObject({ status: 'paid', method: 'Wechat-Offline' });
    expect(JSON.stringify(history.json)).not.toContain(code);
  });

  it('shows "waiting for customer" before paid when the payer confirms in the wallet', async () => {
    const server = await terminal();
    const stream = await events(server.url);
    const sale = await startSale(server.url, '12.32');
    await invokeOverHttp(server.url, 'sale:submit-code', {
      orderId: sale.orderId,
      code: wechatCode(),
      source: 'wedge',
    });
    await expect.poll(() => saleStatuses(stream, sale.orderId).at(-1)).toBe('paid');
    expect(saleStatuses(stream, sale.orderId)).toContain('waiting-for-customer');
  });

  it('refunds only behind the supervisor PIN', async () => {
    const server = await terminal();
    const sale = await startSale(server.url, '20.00');
    const paid = await invokeOverHttp(server.url, 'sale:submit-code', {
      orderId: sale.orderId,
      code: wechatCode(),
      source: 'manual',
    });
    expect((paid.json as SaleView).status).toBe('paid');

    const refused = await invokeOverHttp(server.url, 'refund:create', {
      orderId: sale.orderId,
      amountText: '5',
      pin: '0000',
    });
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ code: 'pin-wrong' });
    const refundsAtGateway = () =>
      server.ledger().filter((e) => e.merchantTransactionId === sale.orderId).length - 1;
    expect(refundsAtGateway()).toBe(0);

    const refunded = await invokeOverHttp(server.url, 'refund:create', {
      orderId: sale.orderId,
      amountText: '5',
      pin: '1234',
    });
    expect(refunded.status, refunded.text).toBe(200);
    await expect
      .poll(async () => {
        const list = await invokeOverHttp(server.url, 'history:list', {});
        return (list.json as SaleView[]).find((s) => s.orderId === sale.orderId)?.refundedMinor;
      })
      .toBe(500);
    expect(refundsAtGateway()).toBe(1);
  });

  it('refuses a scan that is not a payment code with the reason, charging nothing', async () => {
    const server = await terminal();
    const sale = await startSale(server.url, '3.00');
    const reply = await invokeOverHttp(server.url, 'sale:submit-code', {
      orderId: sale.orderId,
      code: '4006381333931',
      source: 'wedge',
    });
    expect(reply.status).toBe(422);
    expect(reply.json).toMatchObject({ code: 'code-invalid' });
    expect((reply.json as { error: string }).error).toMatch(/EAN-13|product/i);
    expect(server.ledger()).toEqual([]);
  });
});

describe('browser mode against a gateway with real credentials', () => {
  it('never lets the salt reach a response, an event or a log line', async () => {
    const store = { accId: '2018092714313010099999', salt: 'Sup3rSecretSaltValue2024' };
    const sim = await startTestSimulator({ stores: [store] });
    cleanups.push(() => sim.close());
    const server = await terminal({
      POS_GATEWAY_URL: sim.baseUrl,
      POS_ACC_ID: store.accId,
      POS_SALT: store.salt,
    });
    const stream = await events(server.url);
    const replies: unknown[] = [];
    const settings = await invokeOverHttp(server.url, 'settings:get', {});
    replies.push(settings.json);
    expect(settings.json).toMatchObject({ saltConfigured: true, saltStorage: 'environment' });

    const sale = await startSale(server.url, '12.30');
    const paid = await invokeOverHttp(server.url, 'sale:submit-code', {
      orderId: sale.orderId,
      code: wechatCode(),
      source: 'wedge',
    });
    replies.push(paid.json);
    expect((paid.json as SaleView).status).toBe('paid');
    expect(sim.ledger().filter((e) => e.merchantTransactionId === sale.orderId)).toHaveLength(1);
    replies.push(
      (await invokeOverHttp(server.url, 'settings:save', { pin: '1234', salt: 'short' })).json,
    );
    replies.push((await invokeOverHttp(server.url, 'history:list', {})).json);
    await expect.poll(() => saleStatuses(stream, sale.orderId).at(-1)).toBe('paid');

    const everything = JSON.stringify({ replies, events: stream.events, logs: server.logs });
    expect(everything).not.toContain(store.salt);
  });
});
