/**
 * The simulated gateway's business rules (simulator.md): payments with the scenario table,
 * idempotency, single-use codes, queries, refunds, CodeGrant tokens, and the notifications
 * due on final states. Transport concerns (signing, sockets, delays) are elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { formatForGateway, type Currency } from '../../shared/money.ts';
import { maskCode } from '../../shared/paymentCode.ts';
import type { Notifier } from './notifier.ts';
import { replyOf, type Reply } from './protocol.ts';
import { scenarioFor } from './scenarios.ts';
import type { Scheduler } from './scheduler.ts';
import type { PaymentStatus, Refund, SimState, Transaction } from './state.ts';
import type { Store } from './stores.ts';
import {
  amountOf,
  bindMethodOf,
  captureDelayOf,
  currencyOf,
  offlineMethodOf,
  optionalText,
  optionalUrl,
  Rejection,
  requiredId,
  tokenMethodOf,
} from './validation.ts';

export interface GatewayOptions {
  state: SimState;
  scheduler: Scheduler;
  notifier: Notifier;
  timeScale: number;
  now: () => number;
  /** Base URL of this simulator (for CodeGrant authUrl). */
  baseUrl: () => string;
}

const SUCCESS_DESCRIPTION = 'Transaction succeeded';
const PROCESSING_DESCRIPTION = 'Waiting for the payer to confirm in the wallet';
const CLOSED_DESCRIPTION = 'Order closed: the payer did not confirm in time';

/** The gateway's amount string: major units with six decimals, like "100.000000". */
function wireAmount(minor: number, currency: Currency): string {
  const plain = formatForGateway(minor, currency);
  const [whole, fraction = ''] = plain.split('.');
  return `${whole}.${fraction.padEnd(6, '0')}`;
}

function dayStamp(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10).replace(/-/g, '');
}

export class SimGateway {
  constructor(private readonly options: GatewayOptions) {}

  /** Reschedules the state changes still to come (after a restart). */
  resume(): void {
    for (const txn of this.options.state.transactions.values()) {
      if (txn.transition) this.scheduleTransition(txn);
    }
  }

  handle(call: string, store: Store, biz: Record<string, unknown>): Reply {
    try {
      switch (call) {
        case 'unifiedPay':
          return this.unifiedPay(store, biz);
        case 'query':
          return this.query(store, biz);
        case 'refund':
          return this.refund(store, biz);
        case 'refundQuery':
          return this.refundQuery(store, biz);
        case 'bind':
          return this.bind(store, biz);
        default:
          return replyOf('102000', `unknown call ${call}`);
      }
    } catch (error) {
      if (error instanceof Rejection) return error.reply;
      throw error;
    }
  }

  // Payments ---------------------------------------------------------------------------------

  private unifiedPay(store: Store, biz: Record<string, unknown>): Reply {
    const { state, now } = this.options;
    const merchantTransactionId = requiredId(biz, 'merchantTransactionId');
    const requestId = requiredId(biz, 'requestId');
    captureDelayOf(biz);
    const currency = currencyOf(biz);
    const amountMinor = amountOf(biz, currency);
    const isToken = biz.bizType !== undefined && biz.bizType !== null && biz.bizType !== '';
    if (isToken && biz.bizType !== 'CodeGrant') {
      throw new Rejection(replyOf('102000', 'bizType must be CodeGrant'));
    }
    let methodType: string;
    /** The full payment code: used to decide this payment, never stored (see state.ts). */
    let scanCodeId: string | null = null;
    if (isToken) {
      const token = tokenMethodOf(biz, currency);
      const grant = state.token(store.accId, token.token);
      if (!grant || grant.merchantUserId !== token.merchantUserId) {
        throw new Rejection(replyOf('102000', 'token does not exist'));
      }
      if (grant.methodType !== token.methodType) {
        throw new Rejection(replyOf('102000', `token was issued for ${grant.methodType}`));
      }
      methodType = token.methodType;
    } else {
      const offline = offlineMethodOf(biz, currency);
      methodType = offline.method;
      scanCodeId = offline.scanCodeId;
    }
    const notificationUrl = optionalUrl(biz, 'notificationUrl');
    const remark = optionalText(biz, 'remark', 255);
    optionalText(biz, 'shopperIP', 64);

    // The same requestId again: the first outcome, nothing new charged.
    const attempt = state.attempt(store.accId, requestId);
    if (attempt) {
      if (attempt.merchantTransactionId !== merchantTransactionId) {
        return replyOf('107000', `requestId ${requestId} belongs to another order`);
      }
      const txn = state.transaction(store.accId, attempt.transactionId);
      if (txn) return this.paymentReply(txn, 'unifiedPay');
    }
    // A new attempt for an order that is paid or still in progress would charge twice.
    const latest = state.latestFor(store.accId, merchantTransactionId);
    if (latest && (latest.status === 'SUCCESS' || latest.status === 'PROCESSING')) {
      return replyOf(
        '107000',
        `merchantTransactionId ${merchantTransactionId} already has a payment (${latest.status}); query it`,
      );
    }
    if (scanCodeId !== null && state.isCodeUsed(scanCodeId)) {
      return replyOf('105000', 'the payment code was already used');
    }
    const scenario = scenarioFor(amountMinor);
    if (scenario.kind === 'first-attempt-500' && state.firstFailure(store.accId, requestId)) {
      state.save();
      return { ...replyOf('500000'), httpStatus: 500 };
    }
    if (scenario.kind === 'expired-code') {
      if (scanCodeId !== null) state.useCode(scanCodeId);
      state.save();
      return replyOf('105000', 'the payment code has expired');
    }

    const at = now();
    const txn: Transaction = {
      accId: store.accId,
      transactionId: `${dayStamp(at)}${String(state.nextSeq()).padStart(8, '0')}`,
      merchantTransactionId,
      requestId,
      scanCodeId: scanCodeId === null ? null : maskCode(scanCodeId),
      methodType,
      amountMinor,
      currency,
      status: 'SUCCESS',
      resultCode: '000000',
      resultDescription: SUCCESS_DESCRIPTION,
      transactionTime: at,
      createdAt: at,
      updatedAt: at,
      notificationUrl,
      remark,
      transition: null,
    };
    let delivery: Reply['delivery'] = { kind: 'normal' };
    switch (scenario.kind) {
      case 'declined':
        txn.status = 'FAILED';
        txn.resultCode = scenario.resultCode;
        txn.resultDescription = scenario.resultDescription;
        break;
      case 'processing':
        txn.status = 'PROCESSING';
        txn.resultCode = '002000';
        txn.resultDescription = PROCESSING_DESCRIPTION;
        txn.transition = {
          at: at + scenario.after * this.options.timeScale,
          to: scenario.becomes,
          resultCode:
            scenario.becomes === 'FAILED'
              ? scenario.resultCode
              : scenario.becomes === 'SUCCESS'
                ? '000000'
                : null,
          resultDescription:
            scenario.becomes === 'FAILED'
              ? scenario.resultDescription
              : scenario.becomes === 'SUCCESS'
                ? SUCCESS_DESCRIPTION
                : CLOSED_DESCRIPTION,
        };
        break;
      case 'charge-then-drop':
        delivery = { kind: 'drop' };
        break;
      case 'charge-then-late':
        delivery = { kind: 'late', delayMs: scenario.after * this.options.timeScale };
        break;
      case 'charge-bad-signature':
        delivery = { kind: 'bad-signature' };
        break;
      default:
        break;
    }
    if (scanCodeId !== null) state.useCode(scanCodeId);
    state.addTransaction(txn);
    state.save();
    if (txn.transition) this.scheduleTransition(txn);
    else this.notifyPayment(txn);
    return { ...this.paymentReply(txn, 'unifiedPay'), delivery };
  }

  private scheduleTransition(txn: Transaction): void {
    const { scheduler, now } = this.options;
    const transition = txn.transition;
    if (!transition) return;
    scheduler.after(transition.at - now(), () => {
      if (txn.transition !== transition) return;
      this.settle(txn, transition.to, transition.resultCode, transition.resultDescription);
    });
  }

  private settle(
    txn: Transaction,
    status: PaymentStatus,
    resultCode: string | null,
    resultDescription: string,
  ): void {
    const at = this.options.now();
    txn.status = status;
    txn.resultCode = resultCode;
    txn.resultDescription = resultDescription;
    txn.transition = null;
    txn.updatedAt = at;
    if (status === 'SUCCESS') txn.transactionTime = at;
    this.options.state.save();
    this.notifyPayment(txn);
  }

  private notifyPayment(txn: Transaction): void {
    if (!txn.notificationUrl || txn.status === 'PROCESSING') return;
    this.options.notifier.notify(txn.accId, txn.notificationUrl, {
      notifyType: 'RECHARGE',
      ...this.paymentBiz(txn),
    });
  }

  private paymentBiz(txn: Transaction): Record<string, unknown> {
    const biz: Record<string, unknown> = {
      transactionId: txn.transactionId,
      merchantTransactionId: txn.merchantTransactionId,
      requestId: txn.requestId,
      amount: wireAmount(txn.amountMinor, txn.currency),
      currency: txn.currency,
      status: txn.status,
      resultDescription: txn.resultDescription,
      transactionTime: String(txn.transactionTime),
      paymentMethod: { type: txn.methodType },
    };
    if (txn.resultCode !== null) biz.resultCode = txn.resultCode;
    return biz;
  }

  /** unifiedPay's envelope code follows the payment; a query's is 000000 when found. */
  private paymentReply(txn: Transaction, call: 'unifiedPay' | 'query'): Reply {
    const biz = this.paymentBiz(txn);
    if (call === 'query') return replyOf('000000', undefined, biz);
    switch (txn.status) {
      case 'SUCCESS':
        return replyOf('000000', undefined, biz);
      case 'PROCESSING':
        return replyOf('002000', undefined, biz);
      case 'FAILED':
        return { code: txn.resultCode ?? '300000', description: txn.resultDescription, biz };
      case 'CLOSED':
        return replyOf('001000', undefined, biz);
    }
  }

  private query(store: Store, biz: Record<string, unknown>): Reply {
    const { state } = this.options;
    const hasTxnId = biz.transactionId !== undefined && biz.transactionId !== '';
    const hasMtid = biz.merchantTransactionId !== undefined && biz.merchantTransactionId !== '';
    if (!hasTxnId && !hasMtid) {
      return replyOf('102000', 'merchantTransactionId or transactionId is missing');
    }
    let txn: Transaction | undefined;
    if (hasTxnId) {
      txn = state.transaction(store.accId, requiredId(biz, 'transactionId'));
      if (
        txn &&
        hasMtid &&
        txn.merchantTransactionId !== requiredId(biz, 'merchantTransactionId')
      ) {
        txn = undefined;
      }
    } else {
      txn = state.latestFor(store.accId, requiredId(biz, 'merchantTransactionId'));
    }
    if (!txn) return replyOf('107001');
    return this.paymentReply(txn, 'query');
  }

  // Refunds ----------------------------------------------------------------------------------

  private refund(store: Store, biz: Record<string, unknown>): Reply {
    const { state, now } = this.options;
    const merchantTransactionId = requiredId(biz, 'merchantTransactionId');
    const merchantRefundId = requiredId(biz, 'merchantRefundId');
    const currency = currencyOf(biz);
    const amountMinor = amountOf(biz, currency);
    const notificationUrl = optionalUrl(biz, 'notificationUrl');
    const remark = optionalText(biz, 'remark', 255);

    const existing = state.refund(store.accId, merchantRefundId);
    if (existing) {
      if (existing.merchantTransactionId !== merchantTransactionId) {
        return replyOf('107000', `merchantRefundId ${merchantRefundId} belongs to another order`);
      }
      return this.refundReply(existing);
    }
    const txn = state.latestFor(store.accId, merchantTransactionId);
    if (!txn) return replyOf('107001');
    if (txn.status !== 'SUCCESS') {
      return replyOf('303000', `the payment is ${txn.status}, not SUCCESS`);
    }
    if (currency !== txn.currency) {
      return replyOf('102000', `currency must be ${txn.currency}, the payment's currency`);
    }
    if (amountMinor > txn.amountMinor) {
      return replyOf('108000', `${formatForGateway(txn.amountMinor, txn.currency)} was paid`);
    }
    const refunded = state.refundedMinor(txn.transactionId);
    if (refunded + amountMinor > txn.amountMinor) {
      return replyOf(
        '108003',
        `${formatForGateway(txn.amountMinor - refunded, txn.currency)} is left to refund`,
      );
    }
    const at = now();
    const refund: Refund = {
      accId: store.accId,
      refundId: `${dayStamp(at)}9${String(state.nextSeq()).padStart(7, '0')}`,
      merchantRefundId,
      merchantTransactionId,
      transactionId: txn.transactionId,
      amountMinor,
      currency,
      status: 'SUCCESS',
      resultCode: '000000',
      resultDescription: 'Refund succeeded',
      refundTime: at,
      createdAt: at,
      updatedAt: at,
      notificationUrl,
      remark,
    };
    state.addRefund(refund);
    state.save();
    if (notificationUrl) {
      this.options.notifier.notify(store.accId, notificationUrl, {
        notifyType: 'REFUND',
        ...this.refundBiz(refund),
      });
    }
    return this.refundReply(refund);
  }

  private refundBiz(refund: Refund): Record<string, unknown> {
    return {
      refundId: refund.refundId,
      merchantRefundId: refund.merchantRefundId,
      merchantTransactionId: refund.merchantTransactionId,
      transactionId: refund.transactionId,
      amount: wireAmount(refund.amountMinor, refund.currency),
      currency: refund.currency,
      status: refund.status,
      resultCode: refund.resultCode,
      resultDescription: refund.resultDescription,
      refundTime: String(refund.refundTime),
    };
  }

  private refundReply(refund: Refund): Reply {
    return replyOf('000000', undefined, this.refundBiz(refund));
  }

  private refundQuery(store: Store, biz: Record<string, unknown>): Reply {
    const merchantRefundId = requiredId(biz, 'merchantRefundId');
    const refund = this.options.state.refund(store.accId, merchantRefundId);
    const mtid = biz.merchantTransactionId;
    if (!refund) return replyOf('107001');
    if (mtid !== undefined && mtid !== '' && mtid !== refund.merchantTransactionId) {
      return replyOf('107001');
    }
    return this.refundReply(refund);
  }

  // CodeGrant --------------------------------------------------------------------------------

  private bind(store: Store, biz: Record<string, unknown>): Reply {
    const requestId = requiredId(biz, 'requestId');
    const merchantUserId = requiredId(biz, 'merchantUserId');
    if (biz.bizType !== 'CodeGrant') {
      return replyOf('102000', 'bizType must be CodeGrant');
    }
    const methodType = bindMethodOf(biz);
    optionalUrl(biz, 'merchantResultUrl');
    optionalUrl(biz, 'notificationUrl');
    const token = `SIMTOKEN-${randomBytes(12).toString('hex')}`;
    this.options.state.addToken({
      accId: store.accId,
      token,
      merchantUserId,
      methodType,
      createdAt: this.options.now(),
    });
    this.options.state.save();
    return replyOf('000000', undefined, {
      requestId,
      merchantUserId,
      token,
      authUrl: `${this.options.baseUrl()}/__sim/auth?token=${encodeURIComponent(token)}`,
      status: 'SUCCESS',
    });
  }
}
