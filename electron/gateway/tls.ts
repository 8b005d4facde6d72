/**
 * TLS of the gateway client: what it trusts, how a refusal reads, and the connection kept
 * warm for the next payment.
 *
 * - Verification is always on: Node's CA store, plus an optional extra CA (a store behind
 *   TLS inspection, or a test gateway); never `rejectUnauthorized: false`.
 * - TLS 1.2 or later.
 * - A certificate that is not trusted (unknown issuer, expired, another host's) becomes a
 *   message naming the host, so that the cashier's supervisor can act on it.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { isIP, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { isRecord } from '../../shared/guards.ts';

export const MIN_TLS_VERSION = 'TLSv1.2' as const;

export interface GatewayTlsOptions {
  minVersion: typeof MIN_TLS_VERSION;
  /**
   * Made once per client and shared by every connection: with an extra CA it holds Node's CA
   * store and that CA (parsing them takes tens of ms: never per connection, and a `ca` option
   * would also go into the agent's key of every request).
   */
  secureContext: tls.SecureContext;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The certificates of an extra-CA PEM, each checked to be a certificate. Throws a clear error
 * (a configuration mistake) for text without one.
 */
export function parseExtraCa(pem: string, origin = 'the extra CA'): string[] {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new Error(`GatewayClient: ${origin} holds no PEM certificate`);
  }
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new Error(
        `GatewayClient: ${origin} is not a valid certificate: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return blocks;
}

/** Reads an extra-CA file (POS_EXTRA_CA_FILE); throws naming the file when it cannot. */
export function readExtraCaFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = isRecord(error) && typeof error.code === 'string' ? ` (${error.code})` : '';
    throw new Error(`the extra CA file ${file} cannot be read${code}`);
  }
  parseExtraCa(text, `the extra CA file ${file}`);
  return text;
}

/**
 * The CAs a client trusts: undefined = Node's CA store as it is; with an extra CA, Node's
 * store and it (a `ca` replaces the default store, so the store is listed too).
 */
export function trustedCas(extraCaPem?: string): string[] | undefined {
  if (extraCaPem === undefined) return undefined;
  return [...tls.rootCertificates, ...parseExtraCa(extraCaPem)];
}

/** The TLS options of the client's agent and of every connection it opens. */
export function gatewayTlsOptions(extraCaPem?: string): GatewayTlsOptions {
  const ca = trustedCas(extraCaPem);
  return {
    minVersion: MIN_TLS_VERSION,
    secureContext: tls.createSecureContext({
      minVersion: MIN_TLS_VERSION,
      ...(ca ? { ca } : {}),
    }),
  };
}

/** Certificate verification failures (OpenSSL's and Node's codes). */
const CERTIFICATE_CODES: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet (check the till clock)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it was issued for another host',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its issuer is not a trusted certificate authority',
  UNABLE_TO_GET_ISSUER_CERT: 'its issuer is not a trusted certificate authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuer is not a trusted certificate authority',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its issuer is not a trusted certificate authority',
  CERT_SIGNATURE_FAILURE: 'its signature does not verify',
  CERT_REVOKED: 'it has been revoked',
  CERT_UNTRUSTED: 'it is not trusted',
  CERT_REJECTED: 'it is rejected',
  INVALID_CA: 'its issuer is not a valid certificate authority',
  ERR_TLS_CERT_ALTNAME_FORMAT: 'its host names are malformed',
};

/**
 * What a TLS failure means, naming the host; undefined for an error that is not about TLS.
 * An untrusted certificate: "the gateway's certificate for HOST is not trusted: …".
 */
export function describeTlsError(error: unknown, host: string): string | undefined {
  const code = isRecord(error) && typeof error.code === 'string' ? error.code : '';
  const message = (error instanceof Error ? error.message : String(error)).trim();
  const why = CERTIFICATE_CODES[code];
  if (why !== undefined) {
    return `the gateway's certificate for ${host} is not trusted: ${why} (${code}: ${message})`;
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO') {
    return `no secure connection to the gateway ${host} (TLS 1.2 or later, verified): ${code || 'TLS'}: ${message}`;
  }
  return undefined;
}

// ─── The warm connection ────────────────────────────────────────────────────────────────

/** How long after warm() a connection is kept ready (the sale's wait and its queries). */
export const WARM_HOLD_MS = 120_000;
/**
 * A connection opened ahead is replaced after this long unused: well below the idle limits
 * servers and load balancers commonly put on a connection that has sent no request (60 s),
 * so that a payment is never written into a connection the server is closing.
 */
export const SPARE_IDLE_MS = 20_000;
/** A spare closed by the server sooner than this is not re-opened before the next warm(). */
const SPARE_MIN_LIFE_MS = 1_000;

export interface WarmTarget {
  host: string;
  port: number;
  /** TLS options of every connection (https only). */
  tls?: GatewayTlsOptions;
  keepAliveMsecs: number;
}

interface Spare {
  socket: Socket;
  openedAt: number;
  timer: ReturnType<typeof setTimeout>;
}

type CreateConnection = (
  options: http.ClientRequestArgs,
  callback?: (error: Error | null, stream: Duplex) => void,
) => Duplex | null | undefined;

const hasOpen = (pool: NodeJS.ReadOnlyDict<Socket[]>): boolean =>
  Object.values(pool).some((list) => list?.some((socket) => !socket.destroyed) ?? false);

/**
 * Keeps one verified keep-alive connection of `agent` open while a sale may need it: the
 * connection is opened (TCP, and the full TLS handshake with verification) through the
 * agent's own createConnection — so it carries the agent's TLS options and session cache —
 * and handed to the agent's next request instead of a new one. Nothing is ever written on
 * it before a request: a bare connect, no request of any kind.
 *
 * - warm(): from now for WARM_HOLD_MS, make sure a connection is open or opening (one of the
 *   agent's kept-alive ones, one in use, or the spare); re-opened whenever it closes (the
 *   server's keep-alive window lapsed, the agent's idle timeout) and replaced before it is
 *   SPARE_IDLE_MS old.
 * - settle(): the sale is over; nothing more is opened (the spare is closed).
 * - A spare that fails (a refused connection, an untrusted certificate) is not re-opened
 *   before the next warm(): the payment request then meets the same error itself.
 */
export class WarmConnection {
  private spare: Spare | null = null;
  private wantedUntil = 0;
  private paused = false;
  private closed = false;
  private readonly open: CreateConnection;

  constructor(
    private readonly agent: http.Agent,
    private readonly target: WarmTarget,
  ) {
    const original: CreateConnection = agent.createConnection.bind(agent);
    this.open = original;
    agent.createConnection = (options, callback) => {
      const spare = this.take();
      if (spare) return spare;
      const socket = original(options, callback);
      if (socket instanceof Socket) this.watch(socket);
      return socket;
    };
  }

  /** Never throws. */
  warm(): void {
    try {
      if (this.closed) return;
      this.wantedUntil = performance.now() + WARM_HOLD_MS;
      this.paused = false;
      this.maintain();
    } catch {
      // Warming is an optimisation: the payment request opens its own connection.
    }
  }

  settle(): void {
    this.wantedUntil = 0;
    this.dropSpare();
  }

  close(): void {
    this.closed = true;
    this.dropSpare();
  }

  private maintain(): void {
    if (this.closed || this.paused || performance.now() >= this.wantedUntil) return;
    if (this.spare && this.usable(this.spare)) return;
    if (hasOpen(this.agent.freeSockets) || hasOpen(this.agent.sockets)) return;
    this.openSpare();
  }

  private openSpare(): void {
    const { host, port } = this.target;
    const options: http.ClientRequestArgs & Record<string, unknown> = {
      host,
      port,
      ...(this.target.tls ?? {}),
      ...(this.target.tls && isIP(host) === 0 ? { servername: host } : {}),
      // As the agent's own connections: no Nagle delay, TCP keep-alive probes.
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: this.target.keepAliveMsecs,
    };
    // The agent's key of this origin: its TLS session cache is shared with its requests.
    options._agentKey = this.agent.getName(options);
    const socket = this.open(options);
    if (!(socket instanceof Socket)) {
      socket?.destroy();
      return;
    }
    const entry: Spare = {
      socket,
      openedAt: performance.now(),
      timer: setTimeout(() => this.retire(entry), SPARE_IDLE_MS),
    };
    entry.timer.unref();
    socket.unref();
    this.spare = entry;
    socket.on('error', () => {
      if (this.spare === entry) this.paused = true;
    });
    socket.once('close', (hadError: boolean) => {
      clearTimeout(entry.timer);
      if (this.spare !== entry) return;
      this.spare = null;
      if (hadError || performance.now() - entry.openedAt < SPARE_MIN_LIFE_MS) {
        this.paused = true;
        return;
      }
      setImmediate(() => this.maintain());
    });
  }

  /** The spare for the agent's request, if it is still good. */
  private take(): Socket | undefined {
    const entry = this.spare;
    if (!entry) return undefined;
    this.spare = null;
    clearTimeout(entry.timer);
    if (!this.usable(entry)) {
      entry.socket.destroy();
      return undefined;
    }
    entry.socket.ref();
    this.watch(entry.socket);
    return entry.socket;
  }

  private usable(entry: Spare): boolean {
    const { socket } = entry;
    return (
      !socket.destroyed && socket.writable && performance.now() - entry.openedAt < SPARE_IDLE_MS
    );
  }

  /** When one of the agent's connections closes, open another if a sale still wants one. */
  private watch(socket: Socket): void {
    socket.once('close', () => setImmediate(() => this.maintain()));
  }

  private retire(entry: Spare): void {
    if (this.spare !== entry) return;
    this.spare = null;
    entry.socket.destroy();
    this.maintain();
  }

  private dropSpare(): void {
    const entry = this.spare;
    this.spare = null;
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.socket.destroy();
  }
}
