/**
 * Sales paid without a scanned code, through the SAME lifecycle as a scanned sale (journaled
 * write-ahead in one transaction that checks no other sale is in flight, sent once with the
 * same requestId on a re-send, queried until final, recovered after a crash, a late success
 * refunded automatically):
 *
 * - a member's linked wallet (CodeGrant token): the wallet's currency and per-payment limit
 *   are checked before anything is sent; the link is re-checked at the gateway first when
 *   its last check is old (the members side, MemberPort);
 * - the customer's phone (hosted checkout, prePay): the page's paymentUrl is journaled and
 *   shown as a QR; the till queries until the customer paid, failed, or the page closed.
 *   Cancel stops showing it; the page may still be paid until it closes, and such a payment
 *   is refunded automatically like any late success;
 * - a subscription's renewal with the member's kept payment token (a person's decision:
 *   nothing here charges on its own).
 */
import type { SaleView } from '../../shared/ipc/contract.ts';
import { formatForDisplay, type Currency } from '../../shared/money.ts';
import {
  chargeRefusal,
  LINK_WALLET_FACTS,
  LINK_WALLETS,
  scheduleProblem,
  type LinkWallet,
} from '../../shared/members.ts';
import {
  CARD_METHOD,
  CHARGEABLE_CURRENCIES,
  type SaleMethod,
} from '../../shared/paymentMethods.ts';
import { isInFlight } from '../../shared/saleTransitions.ts';
import type { Tender } from '../../shared/sale.ts';
import { newSaleRecord, type SaleRecord } from '../journal/journal.ts';
import type { EngineCore } from './core.ts';
import type { Deadlines } from './deadlines.ts';
import { EngineError } from './errors.ts';
import { newOrderId, requestIdFor } from './ids.ts';
import { REASONS } from './reasons.ts';
import type { SaleResolution } from './resolution.ts';
import { stepThenLoop } from './tasks.ts';
import type {
  CheckoutInput,
  CheckoutRequest,
  EngineSettings,
  MemberChargeInput,
  MemberGrant,
  RenewalInput,
} from './types.ts';

/** The linked wallet a sale in `currency` is charged to (each wallet has one currency). */
export function walletForCurrency(currency: Currency): LinkWallet | undefined {
  return LINK_WALLETS.find((w) => LINK_WALLET_FACTS[w].currency === currency);
}

function refused(grant: Extract<MemberGrant<object>, { ok: false }>): EngineError {
  return new EngineError(grant.code, grant.reason, grant.reasonCode);
}

/** "2025-06-01" → the gateway's "2025-06-01 00:00:00". */
function gatewayDateTime(day: string): string {
  return `${day} 00:00:00`;
}

/** A scanned code's sale (startSale) or a tender without a code: the words of a refusal. */
type NewSaleKind = 'code' | 'tender';

/**
 * What every new sale is checked for, a scanned code's (startSale) and every tender's, before
 * the one-at-a-time check: the engine running, the journal writable (nothing may be charged
 * that could not be journaled; what is open keeps every sale), the currency, the amount and
 * the till's ceiling. Returns the sale's currency and the settings it was checked against.
 */
export function checkNewSaleInput(
  core: EngineCore,
  amountMinor: number,
  currencyIn: Currency | undefined,
  kind: NewSaleKind,
): { currency: Currency; settings: EngineSettings } {
  core.assertRunning();
  const journalProblem = core.journal.problem;
  if (journalProblem !== null) throw new EngineError('journal-unavailable', journalProblem);
  const settings = core.settingsOf();
  const currency = currencyIn ?? settings.currency;
  if (!CHARGEABLE_CURRENCIES.has(currency)) {
    throw new EngineError(
      'currency-invalid',
      `${kind === 'code' ? 'Wallet payments' : 'Payments'} are charged in CNY or HKD, not ${String(currency)}`,
    );
  }
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
    throw new EngineError('amount-invalid', 'The amount must be more than zero');
  }
  if (amountMinor > settings.amountCeilingMinor) {
    throw new EngineError(
      'amount-invalid',
      `The amount is above this till's limit of ${formatForDisplay(settings.amountCeilingMinor, currency)}`,
    );
  }
  return { currency, settings };
}

/**
 * One sale at a time: another window's sale waiting for its code is never replaced silently
 * (but the one `replaces` names), and no sale of this till or another process is in flight.
 */
export function checkNoOtherSale(core: EngineCore, kind: NewSaleKind, replaces?: string): void {
  const current = core.currentRecord();
  const replaced = replaces !== undefined && current?.orderId === replaces;
  if (current && current === core.draft && !replaced) {
    throw new EngineError(
      'sale-in-progress',
      `A sale of ${formatForDisplay(current.amountMinor, current.currency)} is already open ` +
        `on this terminal, waiting for its code (perhaps in another window) — ${kind === 'code' ? 'scan it or cancel it first' : 'cancel it first'}`,
    );
  }
  if (current && isInFlight(current) && !core.isStale(current)) {
    throw new EngineError('sale-in-progress', REASONS.inProgress.reason);
  }
  const elsewhere = core.journal.inFlightSale();
  if (elsewhere && !core.isStale(elsewhere)) {
    throw new EngineError(
      'sale-in-progress',
      `${REASONS.inProgress.reason}: sale ${elsewhere.orderId} is still being confirmed ` +
        `(pospay query ${elsewhere.orderId})`,
    );
  }
}

export class Tenders {
  constructor(
    readonly core: EngineCore,
    readonly deadlines: Deadlines,
    readonly resolution: SaleResolution,
  ) {}

  /**
   * What every new tender is checked for (checkNewSaleInput, checkNoOtherSale). The sale on this
   * screen waiting for its code that `replaces` names does not count as open: it is replaced
   * only once the new tender is journaled (replaceDraft), so a tender refused here leaves it
   * waiting as it was.
   */
  checkNewSale(amountMinor: number, currencyIn: Currency | undefined, replaces?: string): Currency {
    const { currency } = checkNewSaleInput(this.core, amountMinor, currencyIn, 'tender');
    checkNoOtherSale(this.core, 'tender', replaces);
    return currency;
  }

  /**
   * The sale on this screen was waiting for a code (nothing sent): the tender just journaled
   * takes its place.
   */
  private replaceDraft(replaces: string | undefined): void {
    const draft = this.core.draft;
    if (replaces === undefined || !draft || draft.orderId !== replaces) return;
    this.core.draft = null;
    if (this.core.currentId === replaces) this.core.currentId = null;
    this.core.emit(
      this.core.view({
        ...draft,
        status: 'closed',
        settled: true,
        abandoned: 'cancel',
        reason: 'Paid another way (no code was scanned)',
        reasonCode: 'cancelled',
        updatedAt: this.core.clock.now(),
      }),
    );
  }

  private members() {
    const members = this.core.members;
    if (!members) {
      throw new EngineError(
        'method-invalid',
        'Members (linked wallets, memberships) are not available on this terminal',
      );
    }
    return members;
  }

  async chargeMember(input: MemberChargeInput): Promise<SaleView> {
    const currency = this.checkNewSale(input.amountMinor, input.currency, input.replaces);
    const members = this.members();
    if (!this.core.client.unifiedPayToken) {
      throw new EngineError(
        'method-invalid',
        'This gateway connection cannot charge linked wallets',
      );
    }
    const wallet = input.wallet ?? walletForCurrency(currency);
    if (wallet === undefined) {
      throw new EngineError(
        'currency-invalid',
        `No linked wallet is charged in ${currency}`,
        'link-currency',
      );
    }
    // Before anything is sent (and before the gateway is asked about the link).
    const refusal = chargeRefusal(wallet, input.amountMinor, currency);
    if (refusal) {
      throw new EngineError(
        refusal.reasonCode === 'link-currency' ? 'currency-invalid' : 'amount-invalid',
        refusal.reason,
        refusal.reasonCode,
      );
    }
    const grant = await members.prepareLinkedCharge(input.memberId, wallet, currency);
    if (!grant.ok) throw refused(grant);
    return this.launch({
      amountMinor: input.amountMinor,
      currency,
      tender: 'linked-wallet',
      method: grant.wallet,
      memberId: grant.merchantUserId,
      credential: grant.token,
      deadlineMs: this.core.settingsOf().customerDeadlineMs,
      replaces: input.replaces,
      // Asked again inside the journal's write transaction: another till on this data folder
      // may have charged the wallet since (and cancelled: not in flight, not settled either).
      precondition: () => {
        const unsettled = members.unsettledLinkedCharge(grant.merchantUserId, grant.wallet);
        if (unsettled) throw refused(unsettled);
      },
    });
  }

  async renew(input: RenewalInput): Promise<SaleView> {
    const members = this.members();
    // Before anything is sent: due, the membership's amount and currency, this gateway's.
    const grant = members.prepareRenewal({
      memberId: input.memberId,
      subscriptionId: input.subscriptionId,
      amountMinor: input.amountMinor,
      currency: input.currency,
    });
    if (!grant.ok) throw refused(grant);
    const currency = this.checkNewSale(input.amountMinor, grant.currency);
    const request = {
      memberId: input.memberId,
      subscriptionId: grant.subscriptionId,
      amountMinor: input.amountMinor,
      currency: grant.currency,
    };
    if (!this.core.client.recurringCharge) {
      throw new EngineError('method-invalid', 'This gateway connection cannot charge renewals');
    }
    return this.launch({
      amountMinor: input.amountMinor,
      currency,
      tender: 'renewal',
      method: grant.method,
      memberId: grant.merchantUserId,
      subscriptionId: grant.subscriptionId,
      credential: grant.token,
      deadlineMs: this.core.settingsOf().customerDeadlineMs,
      // Asked again inside the journal's write transaction: another process (the back
      // office's pospay renew) may have charged this renewal since.
      precondition: () => {
        const again = members.prepareRenewal(request);
        if (!again.ok) throw refused(again);
      },
    });
  }

  async startCheckout(input: CheckoutInput): Promise<SaleView> {
    const currency = this.checkNewSale(input.amountMinor, input.currency, input.replaces);
    if (!this.core.client.prePay) {
      throw new EngineError(
        'method-invalid',
        'This gateway connection cannot take payments on the phone',
      );
    }
    const method: SaleMethod = input.brand ?? CARD_METHOD;
    let subscription: CheckoutRequest['subscription'];
    let subscriptionId: string | null = null;
    const orderId = newOrderId(this.core.settingsOf().terminalId, this.core.clock.now());
    if (input.subscription) {
      const problem = scheduleProblem(input.subscription.schedule);
      if (problem) throw new EngineError('amount-invalid', `The membership schedule: ${problem}`);
      const members = this.members();
      const begun = members.beginSubscription({
        memberId: input.subscription.memberId,
        orderId,
        amountMinor: input.amountMinor,
        currency,
        method,
        schedule: input.subscription.schedule,
      });
      subscriptionId = begun.subscriptionId;
      const schedule = input.subscription.schedule;
      subscription = {
        merchantUserId: input.subscription.memberId,
        startDate: gatewayDateTime(schedule.startDate),
        intervalUnit: schedule.intervalUnit,
        intervalCount: schedule.intervalCount,
        endDate: gatewayDateTime(schedule.endDate),
      };
    }
    return this.launch({
      orderId,
      amountMinor: input.amountMinor,
      currency,
      tender: 'checkout',
      method,
      brand: input.brand ?? null,
      memberId: input.subscription?.memberId ?? null,
      subscriptionId,
      credential: 'checkout',
      checkout: subscription ? { subscription } : {},
      deadlineMs: Math.max(this.core.settingsOf().customerDeadlineMs, this.core.checkoutDeadlineMs),
      replaces: input.replaces,
    });
  }

  /**
   * Journals the attempt (write-ahead, one sale in flight), then sends it and follows it as
   * submitCode does; resolves after the gateway's first answer.
   */
  private async launch(spec: {
    orderId?: string;
    amountMinor: number;
    currency: Currency;
    tender: Tender;
    method: SaleMethod;
    brand?: string | null;
    memberId: string | null;
    subscriptionId?: string | null;
    credential: string;
    checkout?: { subscription?: CheckoutRequest['subscription'] };
    deadlineMs: number;
    /** The sale waiting for its code that this tender takes the place of, once journaled. */
    replaces?: string | undefined;
    /** Checked inside the write transaction that journals the attempt (refusal thrown). */
    precondition?: () => void;
  }): Promise<SaleView> {
    const settings = this.core.settingsOf();
    const now = this.core.clock.now();
    const orderId = spec.orderId ?? newOrderId(settings.terminalId, now);
    const initial: SaleRecord = newSaleRecord({
      orderId,
      terminalId: settings.terminalId,
      amountMinor: spec.amountMinor,
      currency: spec.currency,
      createdAt: now,
      day: this.core.dayOf(now),
      training: this.core.identity?.training ?? false,
      gateway: this.core.identity?.gateway ?? null,
      accId: this.core.identity?.accId ?? null,
      tender: spec.tender,
      memberId: spec.memberId,
      brand: spec.brand ?? null,
      subscriptionId: spec.subscriptionId ?? null,
    });
    const submitted = this.core.commitAttempt(
      initial,
      {
        status: 'submitting',
        method: spec.method,
        source: spec.tender,
        attempt: 1,
        requestId: requestIdFor(orderId, 1),
        settled: false,
      },
      {
        kind: 'submitted',
        detail: {
          attempt: 1,
          method: spec.method,
          tender: spec.tender,
          ...(spec.memberId ? { memberId: spec.memberId } : {}),
          ...(spec.subscriptionId ? { subscriptionId: spec.subscriptionId } : {}),
          windowMs: this.core.notFoundWindowMs,
          deadlineMs: spec.deadlineMs,
        },
      },
      spec.precondition,
    );
    this.replaceDraft(spec.replaces);
    this.core.currentId = orderId;
    this.core.currentOverride = undefined;
    const live = this.core.liveFor(orderId, false);
    live.code = spec.credential;
    live.checkout = spec.checkout ?? null;
    live.resends = 0;
    live.notFoundSince = null;
    live.deadlineAt = this.core.clock.monotonic() + spec.deadlineMs;
    this.deadlines.armDeadline(live, spec.deadlineMs);
    this.core.fault('after-journal-before-request');
    const { task, first } = stepThenLoop(
      async () => {
        await this.resolution.payOnce(live, submitted, () => this.core.emitRecord(submitted));
        return false;
      },
      () => this.resolution.resolveLoop(live, false),
      (error) => this.core.logStepError('the payment request', { orderId }, error),
    );
    this.core.runSaleTask(live, task);
    await first;
    return this.core.viewOf(orderId);
  }
}
