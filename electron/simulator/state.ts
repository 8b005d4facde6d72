/**
 * The simulator's memory: payments, refunds, request ids, used codes, CodeGrant sign-ups
 * (linked wallets) and their unbinds, hosted checkout sessions, subscription payment tokens
 * and pending notifications. In memory by default; with a state file every change is written
 * atomically (temp file + rename) so that a restart finds the same gateway.
 *
 * A payment code is a customer's single-use secret: the full code is only ever held while a
 * payment is being decided. What is kept is the masked code (`maskCode`, as the terminal's
 * journal stores it) and, to recognise a reused code, an HMAC-SHA256 of it under a random
 * key of this state (one key per state file, kept in it).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import type {
  CheckoutBrand,
  LinkStatus,
  SubscriptionRequest,
} from '../../shared/gateway/codeGrant.ts';
import type { Currency } from '../../shared/money.ts';
import { maskCode } from '../../shared/paymentCode.ts';

export type PaymentStatus = 'PROCESSING' | 'SUCCESS' | 'FAILED' | 'CLOSED';
export type RefundStatus = 'SUCCESS' | 'FAILED' | 'PROCESSING';

export interface Transaction {
  accId: string;
  transactionId: string;
  merchantTransactionId: string;
  requestId: string;
  /** The payment code, masked (`maskCode`); never the full code. Null for CodeGrant tokens. */
  scanCodeId: string | null;
  methodType: string;
  amountMinor: number;
  currency: Currency;
  status: PaymentStatus;
  resultCode: string | null;
  resultDescription: string;
  transactionTime: number;
  createdAt: number;
  updatedAt: number;
  notificationUrl: string | null;
  remark: string | null;
  /** Linked-wallet, checkout with a subscription, and recurring payments: the member. */
  merchantUserId?: string | null;
  /** How it was paid when not with a payment code. */
  source?: PaymentSource;
  /** A checkout with createToken "Y": the payment token created by its SUCCESS (a secret). */
  paymentToken?: string | null;
  /** A state change still to come (scenarios 2, 3, 4), at epoch ms `at`. */
  transition: {
    at: number;
    to: 'SUCCESS' | 'FAILED' | 'CLOSED';
    resultCode: string | null;
    resultDescription: string;
  } | null;
}

export interface Refund {
  accId: string;
  refundId: string;
  merchantRefundId: string;
  merchantTransactionId: string;
  transactionId: string;
  amountMinor: number;
  currency: Currency;
  status: RefundStatus;
  resultCode: string;
  resultDescription: string;
  refundTime: number;
  createdAt: number;
  updatedAt: number;
  notificationUrl: string | null;
  remark: string | null;
}

export interface Attempt {
  accId: string;
  requestId: string;
  merchantTransactionId: string;
  transactionId: string;
}

/** A payment that is not made with a payment code. */
export type PaymentSource = 'linked-wallet' | 'checkout' | 'recurring';

/** A CodeGrant sign-up (a linked wallet) and its token. */
export interface TokenGrant {
  accId: string;
  token: string;
  merchantUserId: string;
  methodType: string;
  createdAt: number;
  /** Absent in files written before sign-ups had a status: those tokens were usable (ACTIVE). */
  status?: LinkStatus;
  requestId?: string;
  /** What the sign-up asked, to tell a repeat of the same sign-up from another one. */
  fingerprint?: string;
  /** The wallet page's ticket (not the token: the authUrl never shows the token). */
  ticket?: string;
  merchantResultUrl?: string | null;
  notificationUrl?: string | null;
  /** Epoch ms: an unanswered sign-up expires then (PENDING → EXPIRED, no notification). */
  expiresAt?: number;
  updatedAt?: number;
}

/** A merchant unbind, by its requestId (a repeat answers the same). */
export interface UnbindRecord {
  accId: string;
  requestId: string;
  token: string;
  merchantUserId: string;
}

/** A hosted checkout session (prePay); the order itself is a Transaction. */
export interface CheckoutSession {
  accId: string;
  ticket: string;
  /** The session token the prePay answer carries. */
  sessionToken: string;
  transactionId: string;
  merchantTransactionId: string;
  requestId: string;
  brand: CheckoutBrand | null;
  shopperResultUrl: string | null;
  subscription: SubscriptionRequest | null;
  fingerprint: string;
  createdAt: number;
}

/** A subscription's reusable payment token (created by its first checkout payment). */
export interface PaymentTokenRecord {
  accId: string;
  token: string;
  merchantUserId: string;
  /** ApplePay, GooglePay or Card. */
  methodType: string;
  currency: Currency;
  status: 'ACTIVE' | 'REVOKED';
  sourceTransactionId: string;
  createdAt: number;
  updatedAt: number;
}

export interface NotificationRecord {
  id: string;
  accId: string;
  url: string;
  /** The exact bizContent string: every retry carries the same message. */
  bizContent: string;
  attempts: number;
  delivered: boolean;
  gaveUp: boolean;
  /** Epoch ms of the next attempt while neither delivered nor given up. */
  nextAt: number | null;
  lastError: string | null;
  /** How many retries after the first attempt (default: the whole gateway schedule). */
  retryLimit?: number;
}

interface StateFileCommon {
  format: 'pospay-simulator-state';
  seq: number;
  transactions: Transaction[];
  refunds: Refund[];
  attempts: Attempt[];
  failedOnce: string[];
  tokens: TokenGrant[];
  notifications: NotificationRecord[];
  /** Added with linked wallets and checkout; absent in older files. */
  unbinds?: UnbindRecord[];
  checkouts?: CheckoutSession[];
  paymentTokens?: PaymentTokenRecord[];
}

/** The previous format: full payment codes (in `usedCodes` and each `scanCodeId`). */
interface StateFileV1 extends StateFileCommon {
  version: 1;
  usedCodes: string[];
}

interface StateFileV2 extends StateFileCommon {
  version: 2;
  /** Hex HMAC-SHA256 key of this state file's code digests. */
  codeKey: string;
  /** HMAC-SHA256(codeKey, code) of every code already used, hex. */
  usedCodeDigests: string[];
}

const CODE_KEY_BYTES = 32;

function key(accId: string, id: string): string {
  return `${accId}\n${id}`;
}

export class SimState {
  private seq = 0;
  /** In creation order. */
  readonly transactions = new Map<string, Transaction>();
  private readonly latestByMtid = new Map<string, string>();
  readonly refunds = new Map<string, Refund>();
  private readonly attempts = new Map<string, Attempt>();
  /** Digests (`codeDigest`) of the codes already used, never the codes. */
  private readonly usedCodes = new Set<string>();
  private codeKey: Buffer = randomBytes(CODE_KEY_BYTES);
  private readonly failedOnce = new Set<string>();
  private readonly tokens = new Map<string, TokenGrant>();
  private readonly grantByRequest = new Map<string, string>();
  private readonly grantByTicket = new Map<string, TokenGrant>();
  private readonly unbinds = new Map<string, UnbindRecord>();
  private readonly checkouts = new Map<string, CheckoutSession>();
  private readonly paymentTokens = new Map<string, PaymentTokenRecord>();
  readonly notifications = new Map<string, NotificationRecord>();

  constructor(private readonly file: string | null) {
    if (file) this.load(file);
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  // Payments ---------------------------------------------------------------------------------

  /** Records a payment; its `scanCodeId` is masked in place if it is not yet. */
  addTransaction(txn: Transaction): void {
    if (txn.scanCodeId !== null) txn.scanCodeId = maskCode(txn.scanCodeId);
    this.transactions.set(txn.transactionId, txn);
    this.latestByMtid.set(key(txn.accId, txn.merchantTransactionId), txn.transactionId);
    this.attempts.set(key(txn.accId, txn.requestId), {
      accId: txn.accId,
      requestId: txn.requestId,
      merchantTransactionId: txn.merchantTransactionId,
      transactionId: txn.transactionId,
    });
  }

  transaction(accId: string, transactionId: string): Transaction | undefined {
    const txn = this.transactions.get(transactionId);
    return txn && txn.accId === accId ? txn : undefined;
  }

  /** The latest attempt of an order (a new attempt is allowed only after FAILED/CLOSED). */
  latestFor(accId: string, merchantTransactionId: string): Transaction | undefined {
    const id = this.latestByMtid.get(key(accId, merchantTransactionId));
    return id === undefined ? undefined : this.transactions.get(id);
  }

  attempt(accId: string, requestId: string): Attempt | undefined {
    return this.attempts.get(key(accId, requestId));
  }

  /** Whether this full payment code was already used (compared by keyed digest). */
  isCodeUsed(code: string): boolean {
    return this.usedCodes.has(this.codeDigest(code));
  }

  /** Remembers a full payment code as used (only its keyed digest is kept). */
  useCode(code: string): void {
    this.usedCodes.add(this.codeDigest(code));
  }

  private codeDigest(code: string): string {
    return createHmac('sha256', this.codeKey).update(code, 'utf8').digest('hex');
  }

  /** Scenario 9: true the first time a request id is seen (and remembers it). */
  firstFailure(accId: string, requestId: string): boolean {
    const k = key(accId, requestId);
    if (this.failedOnce.has(k)) return false;
    this.failedOnce.add(k);
    return true;
  }

  // Refunds ----------------------------------------------------------------------------------

  addRefund(refund: Refund): void {
    this.refunds.set(key(refund.accId, refund.merchantRefundId), refund);
  }

  refund(accId: string, merchantRefundId: string): Refund | undefined {
    return this.refunds.get(key(accId, merchantRefundId));
  }

  /** Refunded or being refunded, in minor units. */
  refundedMinor(transactionId: string): number {
    let total = 0;
    for (const refund of this.refunds.values()) {
      if (refund.transactionId === transactionId && refund.status !== 'FAILED') {
        total += refund.amountMinor;
      }
    }
    return total;
  }

  // Tokens -----------------------------------------------------------------------------------

  addToken(grant: TokenGrant): void {
    this.tokens.set(key(grant.accId, grant.token), grant);
    if (grant.requestId !== undefined) {
      this.grantByRequest.set(key(grant.accId, grant.requestId), grant.token);
    }
    if (grant.ticket !== undefined) this.grantByTicket.set(grant.ticket, grant);
  }

  token(accId: string, token: string): TokenGrant | undefined {
    return this.tokens.get(key(accId, token));
  }

  /** Every sign-up (for rescheduling expiries after a restart). */
  grants(): IterableIterator<TokenGrant> {
    return this.tokens.values();
  }

  grantByRequestId(accId: string, requestId: string): TokenGrant | undefined {
    const token = this.grantByRequest.get(key(accId, requestId));
    return token === undefined ? undefined : this.token(accId, token);
  }

  grantByTicketId(ticket: string): TokenGrant | undefined {
    return this.grantByTicket.get(ticket);
  }

  addUnbind(record: UnbindRecord): void {
    this.unbinds.set(key(record.accId, record.requestId), record);
  }

  unbind(accId: string, requestId: string): UnbindRecord | undefined {
    return this.unbinds.get(key(accId, requestId));
  }

  // Hosted checkout --------------------------------------------------------------------------

  addCheckout(session: CheckoutSession): void {
    this.checkouts.set(session.ticket, session);
  }

  checkoutByTicket(ticket: string): CheckoutSession | undefined {
    return this.checkouts.get(ticket);
  }

  checkoutOf(transactionId: string): CheckoutSession | undefined {
    for (const session of this.checkouts.values()) {
      if (session.transactionId === transactionId) return session;
    }
    return undefined;
  }

  addPaymentToken(record: PaymentTokenRecord): void {
    this.paymentTokens.set(key(record.accId, record.token), record);
  }

  paymentToken(accId: string, token: string): PaymentTokenRecord | undefined {
    return this.paymentTokens.get(key(accId, token));
  }

  /** The payment token of any store (the simulator's test hook revokes by token alone). */
  paymentTokenAnyStore(token: string): PaymentTokenRecord | undefined {
    for (const record of this.paymentTokens.values()) {
      if (record.token === token) return record;
    }
    return undefined;
  }

  // Notifications ----------------------------------------------------------------------------

  addNotification(record: NotificationRecord): void {
    this.notifications.set(record.id, record);
  }

  // Persistence ------------------------------------------------------------------------------

  /** Writes the whole state atomically when a state file is configured. */
  save(): void {
    if (!this.file) return;
    const data: StateFileV2 = {
      format: 'pospay-simulator-state',
      version: 2,
      seq: this.seq,
      codeKey: this.codeKey.toString('hex'),
      transactions: [...this.transactions.values()],
      refunds: [...this.refunds.values()],
      attempts: [...this.attempts.values()],
      usedCodeDigests: [...this.usedCodes],
      failedOnce: [...this.failedOnce],
      tokens: [...this.tokens.values()],
      notifications: [...this.notifications.values()],
      unbinds: [...this.unbinds.values()],
      checkouts: [...this.checkouts.values()],
      paymentTokens: [...this.paymentTokens.values()],
    };
    const temp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, JSON.stringify(data));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.file);
  }

  private load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    let data: StateFileV1 | StateFileV2;
    try {
      data = JSON.parse(text) as StateFileV1 | StateFileV2;
    } catch {
      throw new Error(`simulator: state file ${file} is not valid JSON`);
    }
    if (data?.format !== 'pospay-simulator-state' || (data.version !== 1 && data.version !== 2)) {
      throw new Error(`simulator: ${file} is not a simulator state file`);
    }
    if (data.version === 2) {
      if (typeof data.codeKey !== 'string' || !/^(?:[0-9a-f]{2})+$/.test(data.codeKey)) {
        throw new Error(`simulator: state file ${file} has no valid code key`);
      }
      this.codeKey = Buffer.from(data.codeKey, 'hex');
      for (const digest of data.usedCodeDigests) this.usedCodes.add(digest);
    } else {
      // The previous format kept full codes: keep only their digests (under this state's new
      // key); addTransaction below masks each payment's code.
      for (const code of data.usedCodes) this.useCode(code);
    }
    this.seq = data.seq;
    for (const txn of data.transactions) this.addTransaction(txn);
    // addTransaction recorded each transaction's own request id; keep the saved ones too.
    for (const attempt of data.attempts) {
      this.attempts.set(key(attempt.accId, attempt.requestId), attempt);
    }
    for (const refund of data.refunds) this.addRefund(refund);
    for (const k of data.failedOnce) this.failedOnce.add(k);
    for (const grant of data.tokens) this.addToken(grant);
    for (const record of data.notifications) this.addNotification(record);
    for (const record of data.unbinds ?? []) this.addUnbind(record);
    for (const session of data.checkouts ?? []) this.addCheckout(session);
    for (const record of data.paymentTokens ?? []) this.addPaymentToken(record);
    // A file of the previous format still holds full codes on disk: rewrite it at once.
    if (data.version === 1) this.save();
  }
}
