/**
 * The gateway client over real HTTPS on loopback: the extra CA is trusted besides Node's
 * store; an untrusted, wrong-host or expired certificate is a clear "unknown" naming the host
 * after exactly one connection attempt; warm() opens a verified connection ahead (a bare
 * connect: nothing is sent), re-opens it when the server closes it, and the payment and the
 * queries after it travel on it.
 */
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GatewayClient } from '../../electron/gateway/client.ts';
import { gatewayTlsOptions, parseExtraCa, trustedCas } from '../../electron/gateway/tls.ts';
import { DEFAULT_STORES, startSimulator, type Simulator } from '../../electron/simulator/index.ts';
import type { PaymentOutcome } from '../../shared/gateway/outcome.ts';
import { uniqueId, wechatCode } from '../support/simulator.ts';
import { certWorkshop, type CertificateAuthority, type KeyAndCert } from '../support/tlsCerts.ts';
import tls from 'node:tls';
import { scaledTuning } from '../../electron/app/runtime.ts';
import { createPaymentEngine } from '../../electron/engine/paymentEngine.ts';
import { openJournal } from '../../electron/journal/journal.ts';
import { removeDir, tempDataDir } from '../support/engineProcess.ts';

const STORE = DEFAULT_STORES[0] as { accId: string; salt: string };
const workshop = certWorkshop();
let ca: CertificateAuthority;
let valid: KeyAndCert;
afterAll(() => workshop.remove());
beforeAll(() => {
  ca = workshop.ca('PosPay Test CA');
  valid = ca.issue({});
});

function clientFor(baseUrl: string, extraCaPem: string | undefined): GatewayClient {
  return new GatewayClient({
    baseUrl,
    accId: STORE.accId,
    salt: STORE.salt,
    timeoutMs: 5_000,
    ...(extraCaPem === undefined ? {} : { extraCaPem }),
  });
}

function pay(
  client: GatewayClient,
  merchantTransactionId = uniqueId('M'),
): Promise<PaymentOutcome> {
  return client.unifiedPay({
    merchantTransactionId,
    requestId: uniqueId('R'),
    amountMinor: 1230,
    currency: 'CNY',
    method: 'Wechat-Offline',
    scanCodeId: wechatCode(),
  });
}

/** A bare HTTPS server that counts TCP connections, completed TLS handshakes and requests. */
async function countingServer(certificate: KeyAndCert): Promise<{
  baseUrl: string;
  port: number;
  counts: { connections: number; handshakes: number; requests: number };
  dropConnections(): void;
  close(): Promise<void>;
}> {
  const counts = { connections: 0, handshakes: 0, requests: 0 };
  const server = https.createServer(
    { key: certificate.key, cert: certificate.cert },
    (req, res) => {
      counts.requests += 1;
      req.resume();
      req.on('end', () => res.writeHead(503, { 'content-type': 'text/plain' }).end('busy'));
    },
  );
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    counts.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', () => {
    counts.handshakes += 1;
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `https://127.0.0.1:${port}`,
    port,
    counts,
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP proxy in front of the HTTPS simulator, counting connections (= TLS handshakes). */
async function countingProxy(targetPort: number): Promise<{
  baseUrl: string;
  connections(): number;
  dropAll(): void;
  close(): Promise<void>;
}> {
  let connections = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    connections += 1;
    const upstream = net.connect(targetPort, '127.0.0.1');
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    dropAll: () => {
      for (const socket of open) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('TLS options', () => {
  it("keeps Node's CA store when an extra CA is given, and requires TLS 1.2", () => {
    expect(trustedCas()).toBeUndefined();
    const cas = trustedCas(ca.cert);
    expect(cas).toHaveLength(tls.rootCertificates.length + 1);
    expect(cas?.slice(0, tls.rootCertificates.length)).toEqual([...tls.rootCertificates]);
    expect(gatewayTlsOptions().minVersion).toBe('TLSv1.2');
    expect(gatewayTlsOptions(ca.cert).minVersion).toBe('TLSv1.2');
  });

  it('refuses a server that offers only TLS 1.1', async () => {
    let server: https.Server;
    try {
      server = https.createServer({
        key: valid.key,
        cert: valid.cert,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
    } catch {
      return; // this OpenSSL cannot serve TLS 1.1 at all
    }
    let requests = 0;
    server.on('request', () => (requests += 1));
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const client = clientFor(`https://127.0.0.1:${port}`, ca.cert);
    try {
      const outcome = await pay(client);
      expect(outcome).toMatchObject({ kind: 'unknown' });
      if (outcome.kind === 'unknown') {
        expect(outcome.detail).toContain(`no secure connection to the gateway 127.0.0.1:${port}`);
      }
      expect(requests).toBe(0);
    } finally {
      client.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses an extra CA that is not a certificate', () => {
    expect(() => parseExtraCa('not a certificate')).toThrow(/no PEM certificate/);
    expect(() =>
      clientFor(
        'https://127.0.0.1:1',
        '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
      ),
    ).toThrow(/not a valid certificate/);
  });
});

describe('HTTPS simulator through the client', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ timeScale: 0.05, https: valid });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('is trusted through the extra CA', async () => {
    expect(sim.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const client = clientFor(sim.baseUrl, ca.cert);
    try {
      const id = uniqueId('M');
      const outcome = await pay(client, id);
      expect(outcome).toMatchObject({ kind: 'paid', merchantTransactionId: id, amountMinor: 1230 });
    } finally {
      client.close();
    }
  });

  it('warm() opens the connection the payment and its queries then use', async () => {
    const proxy = await countingProxy(Number(new URL(sim.baseUrl).port));
    const client = clientFor(proxy.baseUrl, ca.cert);
    try {
      client.warm();
      await vi.waitFor(() => expect(proxy.connections()).toBe(1));
      const id = uniqueId('M');
      const paid = await pay(client, id);
      expect(paid.kind).toBe('paid');
      const queried = await client.query({ merchantTransactionId: id });
      expect(queried.kind).toBe('paid');
      expect(proxy.connections()).toBe(1);
      expect(sim.ledger().filter((e) => e.merchantTransactionId === id)).toHaveLength(1);
    } finally {
      client.close();
      await proxy.close();
    }
  });
});

describe('the warm connection of a waiting sale', () => {
  it('is kept when a query about another, earlier sale comes back decided', async () => {
    const sim = await startSimulator({ timeScale: 0.05, https: valid });
    const proxy = await countingProxy(Number(new URL(sim.baseUrl).port));
    const client = clientFor(proxy.baseUrl, ca.cert);
    try {
      const earlier = uniqueId('M');
      expect((await pay(client, earlier)).kind).toBe('paid');
      proxy.dropAll(); // its connection is gone; that sale is decided: nothing re-opened
      client.warm(); // the next sale waits for its code
      await vi.waitFor(() => expect(proxy.connections()).toBe(2));
      // The sweeper asks about the earlier sale: decided, but the waiting sale still wants
      // its connection, so when the server closes it, it is opened again.
      expect((await client.query({ merchantTransactionId: earlier })).kind).toBe('paid');
      expect(proxy.connections()).toBe(2);
      proxy.dropAll();
      await vi.waitFor(() => expect(proxy.connections()).toBe(3));
    } finally {
      client.close();
      await proxy.close();
      await sim.close();
    }
  });
});

describe('a sale through the engine over HTTPS', () => {
  it('startSale warms the connection; the payment and its queries ride it', async () => {
    let queries = 0;
    const sim = await startSimulator({
      timeScale: 0.05,
      https: valid,
      log: (line) => {
        if (line.startsWith('POST /v4/payment/query ')) queries += 1;
      },
    });
    const proxy = await countingProxy(Number(new URL(sim.baseUrl).port));
    const client = clientFor(proxy.baseUrl, ca.cert);
    const dir = tempDataDir();
    const journal = openJournal({ dir });
    const engine = createPaymentEngine({
      journal,
      client,
      settings: {
        terminalId: 'TLS',
        region: 'CN',
        currency: 'CNY',
        amountCeilingMinor: 1_000_000,
        customerDeadlineMs: 60_000,
      },
      tuning: scaledTuning(0.05),
    });
    try {
      // Scenario 2: pending, then SUCCESS a little later (queried).
      const sale = engine.startSale({ amountMinor: 1232 });
      await vi.waitFor(() => expect(proxy.connections()).toBe(1));
      expect(sim.ledger()).toHaveLength(0); // nothing about the payment went ahead
      await engine.submitCode(sale.orderId, wechatCode(), 'manual');
      await vi.waitFor(() => expect(engine.sale(sale.orderId)?.status).toBe('paid'), {
        timeout: 10_000,
      });
      expect(queries).toBeGreaterThan(0);
      expect(proxy.connections()).toBe(1);
    } finally {
      await engine.stop();
      client.close();
      journal.close();
      removeDir(dir);
      await proxy.close();
      await sim.close();
    }
  });
});

describe('warm()', () => {
  it('completes a verified handshake and sends nothing', async () => {
    const server = await countingServer(valid);
    const client = clientFor(server.baseUrl, ca.cert);
    try {
      client.warm();
      client.warm(); // a second call keeps the one connection
      await vi.waitFor(() => expect(server.counts.handshakes).toBe(1));
      // Let anything that might follow the handshake arrive.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(server.counts).toEqual({ connections: 1, handshakes: 1, requests: 0 });
    } finally {
      client.close();
      await server.close();
    }
  });

  it('re-opens the connection when the server closes it, and the payment uses it', async () => {
    const server = await countingServer(valid);
    const client = clientFor(server.baseUrl, ca.cert);
    try {
      client.warm();
      await vi.waitFor(() => expect(server.counts.handshakes).toBe(1));
      // The server's keep-alive window lapses: it closes the idle connection.
      await new Promise((resolve) => setTimeout(resolve, 1_100)); // older than a failed spare
      server.dropConnections();
      await vi.waitFor(() => expect(server.counts.handshakes).toBe(2));
      expect(server.counts.requests).toBe(0);
      const outcome = await pay(client);
      // The fake gateway answers 503: unknown, resolved by query; one request, on the
      // re-opened connection.
      expect(outcome).toMatchObject({ kind: 'unknown', cause: 'http-error' });
      expect(server.counts).toEqual({ connections: 2, handshakes: 2, requests: 1 });
    } finally {
      client.close();
      await server.close();
    }
  });

  it('never throws, even after close', () => {
    const client = clientFor('https://127.0.0.1:1', ca.cert);
    client.close();
    expect(() => client.warm()).not.toThrow();
  });
});

describe('a certificate that is not trusted', () => {
  const cases: {
    name: string;
    certificate: () => KeyAndCert;
    extraCa: () => string | undefined;
    why: RegExp;
  }[] = [
    {
      name: 'issued by a CA the till does not know',
      certificate: () => valid,
      extraCa: () => undefined,
      why: /its issuer is not a trusted certificate authority/,
    },
    {
      name: 'issued by another CA than the extra one',
      certificate: () => workshop.ca('Someone Else CA').issue({}),
      extraCa: () => ca.cert,
      why: /its issuer is not a trusted certificate authority/,
    },
    {
      name: 'for another host name',
      certificate: () => ca.issue({ hosts: ['gateway.example'] }),
      extraCa: () => ca.cert,
      why: /it was issued for another host/,
    },
    {
      name: 'expired',
      certificate: () => ca.issue({ startDate: '20200101000000Z', endDate: '20200201000000Z' }),
      extraCa: () => ca.cert,
      why: /it has expired/,
    },
  ];
  for (const testCase of cases) {
    it(`${testCase.name}: one attempt, an unknown outcome naming the host`, async () => {
      const server = await countingServer(testCase.certificate());
      const client = clientFor(server.baseUrl, testCase.extraCa());
      try {
        const outcome = await pay(client);
        expect(outcome.kind).toBe('unknown');
        if (outcome.kind !== 'unknown') return;
        expect(outcome.detail).toContain(
          `the gateway's certificate for 127.0.0.1:${server.port} is not trusted`,
        );
        expect(outcome.detail).toMatch(testCase.why);
        expect(server.counts.connections).toBe(1);
        expect(server.counts.requests).toBe(0);
        // The query that follows meets the same refusal; still nothing reached the gateway.
        const queried = await client.query({ merchantTransactionId: uniqueId('M') });
        expect(queried).toMatchObject({ kind: 'unknown' });
        expect(server.counts.requests).toBe(0);
      } finally {
        client.close();
        await server.close();
      }
    });
  }
});
