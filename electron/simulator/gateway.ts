/**
 * The simulated gateway's business rules (simulator.md): payments with the scenario table,
 * idempotency, single-use codes, queries, refunds, payments with a linked wallet's CodeGrant
 * token (its sign-up is ./codeGrant.ts's) or a subscription's payment token, the hosted
 * checkout (prePay) and its page, and the notifications due on final states. Transport concerns (signing, sockets, delays) are elsewhere.
 */
import { randomBytes } from 'node:crypto';
import {
  isCheckoutBrand,
  isGatewayDateTime,
  isIntervalUnit,
  type SubscriptionRequest,
} from '../../shared/gateway/codeGrant.ts';
import { isRecord } from '../../shared/guards.ts';
import { formatForGateway, type Currency } from '../../shared/money.ts';
import { maskCode } from '../../shared/paymentCode.ts';
import { grantStatus, type SimLinks } from './codeGrant.ts';
import type { Notifier } from './notifier.ts';
import { amountText, checkoutPage, type Page } from './pages.ts';
import { replyOf, type Reply } from './protocol.ts';
import { scenarioFor } from './scenarios.ts';
import type { Scheduler } from './scheduler.ts';
import type {
  CheckoutSession,
  PaymentStatus,
  PaymentTokenRecord,
  Refund,
  SimState,
  Transaction,
} from './state.ts';
import type { Store } from './stores.ts';
import {
  amountOf,
  captureDelayOf,
  codeGrantBizType,
  currencyOf,
  invalid,
  merchantUserIdOf,
  offlineMethodOf,
  optionalObject,
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
  /** Base URL of this simulator (for CodeGrant authUrl and checkout paymentUrl). */
  baseUrl: () => string;
  /** Linked wallets (sign-up, query, unbind, wallet page). */
  links: SimLinks;
  log: (line: string) => void;
}

/** An unpaid hosted checkout closes after this (× time scale). */
export const CHECKOUT_EXPIRES_MS = 15 * 60_000;
const CHECKOUT_PENDING_DESCRIPTION = 'Waiting for the customer to pay on the phone';
const CHECKOUT_CLOSED_DESCRIPTION = 'Checkout closed: the customer did not pay in time';
const CHECKOUT_FAILED_CODE = '300000';
const CHECKOUT_FAILED_DESCRIPTION = "Declined: the payment failed on the customer's phone";
/** A token that is not ACTIVE, a revoked payment token: declined in the 300000 range. */
const TOKEN_STATE_CODE = '300000';
/** A linked-wallet payment above the wallet's per-payment limit. */
const LIMIT_CODE = '302000';

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
          return this.options.links.bind(store, biz);
        case 'bindQuery':
          return this.options.links.query(store, biz);
        case 'unbind':
          return this.options.links.unbind(store, biz);
        case 'prePay':
          return this.prePay(store, biz);
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
    const isCodeGrant = biz.bizType !== undefined && biz.bizType !== null && biz.bizType !== '';
    if (isCodeGrant) codeGrantBizType(biz);
    let methodType: string;
    /** The full payment code: used to decide this payment, never stored (see state.ts). */
    let scanCodeId: string | null = null;
    let merchantUserId: string | null = null;
    let source: Transaction['source'];
    /** A token payment the gateway declines (token state, limit): recorded as FAILED. */
    let decline: { resultCode: string; resultDescription: string } | null = null;
    const tokenDetail = optionalObject(biz, 'tokenDetail');
    if (isCodeGrant && tokenDetail !== null) {
      // A subscription's later charge, with the payment token of its first payment.
      if (biz.token !== undefined) invalid('token', 'must not be sent with tokenDetail');
      const paymentToken = requiredId(tokenDetail, 'token', 256);
      merchantUserId = merchantUserIdOf(biz);
      const record = state.paymentToken(store.accId, paymentToken);
      if (!record || record.merchantUserId !== merchantUserId) {
        throw new Rejection(replyOf('107001', 'token does not exist'));
      }
      if (currency !== record.currency) {
        invalid('currency', `must be ${record.currency}, the subscription's currency`);
      }
      methodType = record.methodType;
      source = 'recurring';
      if (record.status !== 'ACTIVE') {
        decline = {
          resultCode: TOKEN_STATE_CODE,
          resultDescription: 'Declined: the payment token was revoked by the payer or the issuer',
        };
      }
    } else if (isCodeGrant) {
      const token = tokenMethodOf(biz, currency);
      const grant = this.options.links.grant(store.accId, token.token);
      if (!grant || grant.merchantUserId !== token.merchantUserId) {
        throw new Rejection(replyOf('107001', 'token does not exist'));
      }
      if (grant.methodType !== token.methodType) {
        throw new Rejection(replyOf('102000', `token was issued for ${grant.methodType}`));
      }
      methodType = token.methodType;
      merchantUserId = token.merchantUserId;
      source = 'linked-wallet';
      const status = grantStatus(grant);
      const limit = this.options.links.limitMinor(token.methodType);
      if (status !== 'ACTIVE') {
        decline = {
          resultCode: TOKEN_STATE_CODE,
          resultDescription: `Declined: the linked wallet is ${status}${TOKEN_STATE_HINT[status] ?? ''}`,
        };
      } else if (amountMinor > limit) {
        decline = {
          resultCode: LIMIT_CODE,
          resultDescription:
            `Declined: ${amountText(amountMinor, currency)} is above the ${token.methodType} ` +
            `limit of ${amountText(limit, currency)} per payment`,
        };
      }
    } else {
      if (tokenDetail !== null) invalid('tokenDetail', 'needs bizType CodeGrant');
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
    if (latest) this.catchUp(latest);
    if (latest && (latest.status === 'SUCCESS' || latest.status === 'PROCESSING')) {
      return replyOf(
        '107000',
        `merchantTransactionId ${merchantTransactionId} already has a payment (${latest.status}); query it`,
      );
    }
    if (scanCodeId !== null && state.isCodeUsed(scanCodeId)) {
      return replyOf('105000', 'the payment code was already used');
    }
    const scenario = decline ? { kind: 'token-declined' as const } : scenarioFor(amountMinor);
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
    if (source !== undefined) {
      txn.source = source;
      txn.merchantUserId = merchantUserId;
    }
    let delivery: Reply['delivery'] = { kind: 'normal' };
    switch (scenario.kind) {
      case 'token-declined':
        txn.status = 'FAILED';
        txn.resultCode = decline?.resultCode ?? TOKEN_STATE_CODE;
        txn.resultDescription = decline?.resultDescription ?? 'Declined';
        break;
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
    // A subscription's first payment: the transaction carries the reusable payment token.
    if (txn.status === 'SUCCESS' && txn.paymentToken) {
      biz.token = txn.paymentToken;
      biz.merchantUserId = txn.merchantUserId;
    }
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
    this.catchUp(txn);
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

  /** A state change already due (its timer not run yet) is applied before it is read. */
  private catchUp(txn: Transaction): void {
    const transition = txn.transition;
    if (transition && transition.at <= this.options.now()) {
      this.settle(txn, transition.to, transition.resultCode, transition.resultDescription);
    }
  }

  // Hosted checkout (prePay) -----------------------------------------------------------------

  private prePay(store: Store, biz: Record<string, unknown>): Reply {
    const { state, now, timeScale } = this.options;
    const merchantTransactionId = requiredId(biz, 'merchantTransactionId');
    const requestId = requiredId(biz, 'requestId');
    const currency = currencyOf(biz);
    const amountMinor = amountOf(biz, currency);
    const paymentType = biz.paymentType;
    if (paymentType === undefined || paymentType === null || paymentType === '') {
      invalid('paymentType', 'is missing');
    }
    if (paymentType !== 'DEBIT') invalid('paymentType', 'must be DEBIT');
    const brandValue = biz.paymentBrand;
    let brand: CheckoutSession['brand'] = null;
    if (brandValue !== undefined && brandValue !== null && brandValue !== '') {
      if (!isCheckoutBrand(brandValue)) {
        invalid('paymentBrand', 'must be ApplePay, GooglePay, or absent for the card page');
      }
      brand = brandValue;
    }
    const shopperResultUrl = optionalUrl(biz, 'shopperResultUrl', 255);
    const notificationUrl = optionalUrl(biz, 'notificationUrl', 255);
    const subscription = subscriptionOf(biz);
    const fingerprint = JSON.stringify([
      merchantTransactionId,
      amountMinor,
      currency,
      brand,
      shopperResultUrl,
      notificationUrl,
      subscription,
    ]);

    const attempt = state.attempt(store.accId, requestId);
    if (attempt) {
      const txn = state.transaction(store.accId, attempt.transactionId);
      const session = txn ? state.checkoutOf(txn.transactionId) : undefined;
      if (!txn || !session || session.fingerprint !== fingerprint) {
        return replyOf(
          '107000',
          `requestId ${requestId} was already used for another request; use a new requestId`,
        );
      }
      this.catchUp(txn);
      return replyOf('000000', undefined, this.checkoutBiz(txn, session));
    }
    const latest = state.latestFor(store.accId, merchantTransactionId);
    if (latest) this.catchUp(latest);
    if (latest && (latest.status === 'SUCCESS' || latest.status === 'PROCESSING')) {
      return replyOf(
        '107000',
        `merchantTransactionId ${merchantTransactionId} already has a payment (${latest.status}); query it`,
      );
    }
    const at = now();
    const txn: Transaction = {
      accId: store.accId,
      transactionId: `${dayStamp(at)}${String(state.nextSeq()).padStart(8, '0')}`,
      merchantTransactionId,
      requestId,
      scanCodeId: null,
      methodType: brand ?? 'Card',
      amountMinor,
      currency,
      status: 'PROCESSING',
      resultCode: '002000',
      resultDescription: CHECKOUT_PENDING_DESCRIPTION,
      transactionTime: at,
      createdAt: at,
      updatedAt: at,
      notificationUrl,
      remark: null,
      source: 'checkout',
      merchantUserId: subscription?.merchantUserId ?? null,
      paymentToken: null,
      transition: {
        at: at + CHECKOUT_EXPIRES_MS * timeScale,
        to: 'CLOSED',
        resultCode: null,
        resultDescription: CHECKOUT_CLOSED_DESCRIPTION,
      },
    };
    const session: CheckoutSession = {
      accId: store.accId,
      ticket: randomBytes(18).toString('base64url'),
      sessionToken: `SIMSESSION-${randomBytes(16).toString('hex')}`,
      transactionId: txn.transactionId,
      merchantTransactionId,
      requestId,
      brand,
      shopperResultUrl,
      subscription,
      fingerprint,
      createdAt: at,
    };
    state.addTransaction(txn);
    state.addCheckout(session);
    state.save();
    this.scheduleTransition(txn);
    return replyOf('000000', undefined, this.checkoutBiz(txn, session));
  }

  private checkoutPath(session: CheckoutSession): string {
    return `/__sim/checkout?ticket=${encodeURIComponent(session.ticket)}`;
  }

  private checkoutBiz(txn: Transaction, session: CheckoutSession): Record<string, unknown> {
    return {
      merchantTransactionId: txn.merchantTransactionId,
      requestId: session.requestId,
      transactionId: txn.transactionId,
      amount: wireAmount(txn.amountMinor, txn.currency),
      currency: txn.currency,
      status: txn.status,
      paymentUrl: `${this.options.baseUrl()}${this.checkoutPath(session)}`,
      token: session.sessionToken,
    };
  }

  /** GET (action undefined) or POST of the checkout page of `ticket`. */
  checkoutPage(ticket: string | null, action: string | undefined): Page {
    const { state } = this.options;
    const session = ticket === null ? undefined : state.checkoutByTicket(ticket);
    const txn = session ? state.transaction(session.accId, session.transactionId) : undefined;
    if (!session || !txn) {
      return {
        status: 404,
        title: 'Checkout not found',
        html: checkoutPage(
          null,
          'No checkout has this link. It may be mistyped or from another simulator.',
        ),
      };
    }
    this.catchUp(txn);
    const view = {
      store: txn.accId,
      merchantTransactionId: txn.merchantTransactionId,
      amount: amountText(txn.amountMinor, txn.currency),
      brand: session.brand ?? 'Card',
      status: txn.status === 'PROCESSING' ? 'PENDING' : txn.status,
      action: this.checkoutPath(session),
      subscription: session.subscription
        ? `every ${session.subscription.intervalCount} ${session.subscription.intervalUnit}` +
          ` from ${session.subscription.startDate} until ${session.subscription.endDate}`
        : null,
    };
    if (action === undefined) return { status: 200, title: 'Checkout', html: checkoutPage(view) };
    if (action !== 'pay' && action !== 'fail') {
      return {
        status: 400,
        title: 'Checkout',
        html: checkoutPage(view, `Unknown action "${action}": use pay or fail.`),
      };
    }
    if (txn.status !== 'PROCESSING') {
      return {
        status: 409,
        title: 'Checkout',
        html: checkoutPage(view, `Cannot ${action}: this checkout is ${view.status}.`),
      };
    }
    txn.transition = null;
    if (action === 'pay') {
      if (session.subscription) {
        const at = this.options.now();
        const record: PaymentTokenRecord = {
          accId: txn.accId,
          token: `SIMPAYTOKEN-${randomBytes(16).toString('hex')}`,
          merchantUserId: session.subscription.merchantUserId,
          methodType: txn.methodType,
          currency: txn.currency,
          status: 'ACTIVE',
          sourceTransactionId: txn.transactionId,
          createdAt: at,
          updatedAt: at,
        };
        state.addPaymentToken(record);
        txn.paymentToken = record.token;
      }
      this.settle(txn, 'SUCCESS', '000000', SUCCESS_DESCRIPTION);
    } else {
      this.settle(txn, 'FAILED', CHECKOUT_FAILED_CODE, CHECKOUT_FAILED_DESCRIPTION);
    }
    this.options.log(`checkout page ${action} → ${txn.status}`);
    return { status: 303, title: 'Checkout', html: '', location: this.checkoutPath(session) };
  }

  /** The simulator's test hook: a subscription's payment token is revoked (by the payer). */
  revokePaymentToken(token: string): boolean {
    const record = this.options.state.paymentTokenAnyStore(token);
    if (!record) return false;
    if (record.status !== 'REVOKED') {
      record.status = 'REVOKED';
      record.updatedAt = this.options.now();
      this.options.state.save();
    }
    return true;
  }
}

const TOKEN_STATE_HINT: Readonly<Record<string, string>> = {
  PENDING: ': the customer has not agreed in the wallet yet',
  DECLINED: ': the customer declined the sign-up',
  EXPIRED: ': the sign-up expired before the customer agreed',
  UNBOUND: ': the wallet was unlinked',
};

/** The subscription fields of a prePay: all of them or none (codegrant.md). */
function subscriptionOf(biz: Record<string, unknown>): SubscriptionRequest | null {
  const fields = ['merchantUserId', 'createToken', 'bizType', 'recurringInfo'] as const;
  const given = fields.filter((f) => biz[f] !== undefined && biz[f] !== null && biz[f] !== '');
  if (given.length === 0) return null;
  const missing = fields.filter((f) => !given.includes(f));
  if (missing.length > 0) {
    invalid(
      missing[0] ?? 'recurringInfo',
      `is missing: a subscription needs merchantUserId, createToken "Y", bizType CodeGrant and recurringInfo together`,
    );
  }
  const merchantUserId = merchantUserIdOf(biz);
  if (biz.createToken !== 'Y') invalid('createToken', 'must be "Y" for a subscription');
  codeGrantBizType(biz);
  const info = optionalObject(biz, 'recurringInfo');
  if (!isRecord(info)) invalid('recurringInfo', 'must be an object');
  const start = info.recurringPaymentStartDate;
  if (!isGatewayDateTime(start)) {
    invalid('recurringInfo.recurringPaymentStartDate', 'must be "YYYY-MM-DD HH:mm:ss"');
  }
  const unit = info.recurringPaymentIntervalUnit;
  if (!isIntervalUnit(unit)) {
    invalid('recurringInfo.recurringPaymentIntervalUnit', 'must be day, week, month or year');
  }
  const countText = info.recurringPaymentIntervalCount;
  const count =
    typeof countText === 'number'
      ? countText
      : typeof countText === 'string' && /^\d{1,4}$/.test(countText)
        ? Number(countText)
        : NaN;
  if (!Number.isInteger(count) || count < 1 || count > 9999) {
    invalid('recurringInfo.recurringPaymentIntervalCount', 'must be a whole number from 1');
  }
  const end = info.recurringPaymentEndDate;
  if (!isGatewayDateTime(end)) {
    invalid('recurringInfo.recurringPaymentEndDate', 'must be "YYYY-MM-DD HH:mm:ss"');
  }
  if (end <= start) {
    invalid('recurringInfo.recurringPaymentEndDate', 'must be after recurringPaymentStartDate');
  }
  return {
    merchantUserId,
    startDate: start,
    intervalUnit: unit,
    intervalCount: count,
    endDate: end,
  };
}
