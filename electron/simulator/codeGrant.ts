/**
 * Linked wallets (CodeGrant) in the simulated gateway (shared/spec/codegrant.md): sign-up
 * (`/v4/paymethod/bind`), its status query, the merchant's unbind, the wallet page a person
 * or a test uses to play the customer (agree, decline, unlink), expiry of an unanswered
 * sign-up, and the CODEGRANT notifications.
 *
 * A sign-up's token exists at once (PENDING) but works only once the customer agreed
 * (ACTIVE). The wallet page is reached with a ticket, never with the token.
 */
import { randomBytes } from 'node:crypto';
import {
  LINK_WALLET_CURRENCY,
  type LinkStatus,
  type LinkWallet,
} from '../../shared/gateway/codeGrant.ts';
import type { Notifier } from './notifier.ts';
import { amountText, walletPage, type Page, type WalletView } from './pages.ts';
import { replyOf, type Reply } from './protocol.ts';
import type { Scheduler } from './scheduler.ts';
import type { SimState, TokenGrant } from './state.ts';
import type { Store } from './stores.ts';
import {
  bindMethodOf,
  codeGrantBizType,
  merchantUserIdOf,
  optionalText,
  optionalUrl,
  orderTerminalOf,
  requiredId,
} from './validation.ts';

/** An unanswered sign-up expires after this (× time scale), without a notification. */
export const SIGNUP_EXPIRES_MS = 10 * 60_000;
/** CodeGrant notifications: HTTP 200 = received, retried twice otherwise (codegrant.md). */
export const CODEGRANT_NOTIFY_RETRIES = 2;

/**
 * Per-payment limits of linked-wallet payments, minor units (codegrant.md: Alipay about
 * CNY 500 by default, AlipayHK HKD 50,000); simulator configuration.
 */
export const DEFAULT_LINK_LIMITS_MINOR: Readonly<Record<LinkWallet, number>> = {
  Alipay: 50_000,
  AlipayHK: 5_000_000,
};

export type WalletAction = 'agree' | 'decline' | 'unbind';

export interface LinksOptions {
  state: SimState;
  scheduler: Scheduler;
  notifier: Notifier;
  timeScale: number;
  now: () => number;
  baseUrl: () => string;
  log: (line: string) => void;
  limitsMinor: Readonly<Record<LinkWallet, number>>;
}

/** The status of a sign-up; files written before sign-ups had one held usable tokens. */
export function grantStatus(grant: TokenGrant): LinkStatus {
  return grant.status ?? 'ACTIVE';
}

export class SimLinks {
  constructor(private readonly options: LinksOptions) {}

  /** After a restart: the expiries still to come. */
  resume(): void {
    for (const grant of this.options.state.grants()) {
      if (grantStatus(grant) === 'PENDING') this.scheduleExpiry(grant);
    }
  }

  /** The sign-up of `token` in this store, its expiry applied; undefined when unknown. */
  grant(accId: string, token: string): TokenGrant | undefined {
    const grant = this.options.state.token(accId, token);
    if (grant) this.refresh(grant);
    return grant;
  }

  // Gateway calls ----------------------------------------------------------------------------

  bind(store: Store, biz: Record<string, unknown>): Reply {
    const { state, now, timeScale } = this.options;
    const requestId = requiredId(biz, 'requestId');
    const merchantUserId = merchantUserIdOf(biz);
    const methodType = bindMethodOf(biz);
    const merchantResultUrl = optionalUrl(biz, 'merchantResultUrl', 255);
    const notificationUrl = optionalUrl(biz, 'notificationUrl', 255);
    const orderTerminal = orderTerminalOf(biz);
    codeGrantBizType(biz);
    const fingerprint = JSON.stringify([
      merchantUserId,
      methodType,
      merchantResultUrl,
      notificationUrl,
      orderTerminal,
    ]);

    const earlier = state.grantByRequestId(store.accId, requestId);
    if (earlier) {
      // The same sign-up again (a retry after a lost answer): the same token and authUrl.
      if (earlier.fingerprint !== fingerprint) {
        return replyOf(
          '107000',
          `requestId ${requestId} was already used for another sign-up; use a new requestId`,
        );
      }
      this.refresh(earlier);
      return replyOf('000000', undefined, this.bindBiz(earlier));
    }
    const at = now();
    const grant: TokenGrant = {
      accId: store.accId,
      token: `SIMTOKEN-${randomBytes(16).toString('hex')}`,
      merchantUserId,
      methodType,
      createdAt: at,
      status: 'PENDING',
      requestId,
      fingerprint,
      ticket: randomBytes(18).toString('base64url'),
      merchantResultUrl,
      notificationUrl,
      expiresAt: at + SIGNUP_EXPIRES_MS * timeScale,
      updatedAt: at,
    };
    state.addToken(grant);
    state.save();
    this.scheduleExpiry(grant);
    return replyOf('000000', undefined, this.bindBiz(grant));
  }

  query(store: Store, biz: Record<string, unknown>): Reply {
    const { state } = this.options;
    const merchantUserId = merchantUserIdOf(biz);
    const requestId = optionalText(biz, 'requestId', 64);
    const token = optionalText(biz, 'token', 256);
    if (requestId === null && token === null) {
      return replyOf('102000', 'requestId or token is missing');
    }
    const byToken = token === null ? undefined : state.token(store.accId, token);
    const byRequest =
      requestId === null ? undefined : state.grantByRequestId(store.accId, requestId);
    const grant = token === null ? byRequest : byToken;
    if (
      !grant ||
      (requestId !== null && byRequest !== grant) ||
      grant.merchantUserId !== merchantUserId
    ) {
      return replyOf('107001', 'no such sign-up for this member');
    }
    this.refresh(grant);
    return replyOf('000000', undefined, this.statusBiz(grant));
  }

  unbind(store: Store, biz: Record<string, unknown>): Reply {
    const { state } = this.options;
    const requestId = requiredId(biz, 'requestId');
    const merchantUserId = merchantUserIdOf(biz);
    const token = requiredId(biz, 'token', 256);
    const earlier = state.unbind(store.accId, requestId);
    if (earlier && (earlier.token !== token || earlier.merchantUserId !== merchantUserId)) {
      return replyOf('107000', `requestId ${requestId} was already used for another unbind`);
    }
    const grant = this.grant(store.accId, token);
    if (!grant || grant.merchantUserId !== merchantUserId) {
      return replyOf('107001', 'token does not exist');
    }
    const status = grantStatus(grant);
    if (status === 'DECLINED' || status === 'EXPIRED') {
      return replyOf('105000', `the sign-up is ${status}: there is nothing to unbind`);
    }
    if (!earlier) state.addUnbind({ accId: store.accId, requestId, token, merchantUserId });
    if (status !== 'UNBOUND') this.change(grant, 'UNBOUND', 'merchant unbind');
    else state.save();
    return replyOf('000000', undefined, { requestId, ...this.statusBiz(grant) });
  }

  // The wallet page --------------------------------------------------------------------------

  /** GET (action undefined) or POST of the wallet page of `ticket`. */
  page(ticket: string | null, action: string | undefined): Page {
    const grant = ticket === null ? undefined : this.options.state.grantByTicketId(ticket);
    if (!grant) {
      return {
        status: 404,
        title: 'Sign-up not found',
        html: walletPage(
          null,
          'No sign-up has this link. It may be mistyped or from another simulator.',
        ),
      };
    }
    this.refresh(grant);
    if (action === undefined)
      return { status: 200, title: 'Link wallet', html: walletPage(this.view(grant)) };
    const status = grantStatus(grant);
    const allowed: Record<WalletAction, LinkStatus> = {
      agree: 'PENDING',
      decline: 'PENDING',
      unbind: 'ACTIVE',
    };
    if (action !== 'agree' && action !== 'decline' && action !== 'unbind') {
      return {
        status: 400,
        title: 'Link wallet',
        html: walletPage(
          this.view(grant),
          `Unknown action "${action}": use agree, decline or unbind.`,
        ),
      };
    }
    if (allowed[action] !== status) {
      return {
        status: 409,
        title: 'Link wallet',
        html: walletPage(
          this.view(grant),
          `Cannot ${action === 'unbind' ? 'unlink' : action}: this sign-up is ${status}.`,
        ),
      };
    }
    const to: LinkStatus =
      action === 'agree' ? 'ACTIVE' : action === 'decline' ? 'DECLINED' : 'UNBOUND';
    this.change(grant, to, `wallet page ${action}`);
    return { status: 303, title: 'Link wallet', html: '', location: this.pagePath(grant) };
  }

  // ---------------------------------------------------------------------------------------

  /** The per-payment limit of a linked wallet, minor units of its currency. */
  limitMinor(wallet: LinkWallet): number {
    return this.options.limitsMinor[wallet];
  }

  private view(grant: TokenGrant): WalletView {
    const wallet = grant.methodType as LinkWallet;
    const currency = LINK_WALLET_CURRENCY[wallet];
    const limit = this.options.limitsMinor[wallet];
    return {
      store: grant.accId,
      merchantUserId: grant.merchantUserId,
      wallet: grant.methodType,
      status: grantStatus(grant),
      action: this.pagePath(grant),
      limit:
        currency !== undefined && limit !== undefined
          ? `${amountText(limit, currency)} per payment`
          : null,
    };
  }

  private pagePath(grant: TokenGrant): string {
    return `/__sim/wallet/authorize?ticket=${encodeURIComponent(grant.ticket ?? '')}`;
  }

  private bindBiz(grant: TokenGrant): Record<string, unknown> {
    return {
      requestId: grant.requestId,
      merchantUserId: grant.merchantUserId,
      token: grant.token,
      authUrl: `${this.options.baseUrl()}${this.pagePath(grant)}`,
      paymentMethod: { type: grant.methodType },
      status: grantStatus(grant),
    };
  }

  private statusBiz(grant: TokenGrant): Record<string, unknown> {
    return {
      token: grant.token,
      merchantUserId: grant.merchantUserId,
      paymentMethod: { type: grant.methodType },
      status: grantStatus(grant),
    };
  }

  /** A PENDING sign-up past its expiry is EXPIRED (no notification: codegrant.md). */
  private refresh(grant: TokenGrant): void {
    if (
      grantStatus(grant) === 'PENDING' &&
      grant.expiresAt !== undefined &&
      this.options.now() >= grant.expiresAt
    ) {
      grant.status = 'EXPIRED';
      grant.updatedAt = grant.expiresAt;
      this.options.state.save();
      this.options.log('sign-up expired (never answered)');
    }
  }

  private scheduleExpiry(grant: TokenGrant): void {
    if (grant.expiresAt === undefined) return;
    this.options.scheduler.after(grant.expiresAt - this.options.now(), () => this.refresh(grant));
  }

  private change(grant: TokenGrant, to: LinkStatus, why: string): void {
    grant.status = to;
    grant.updatedAt = this.options.now();
    this.options.state.save();
    this.options.log(`sign-up ${why} → ${to}`);
    if (grant.notificationUrl) {
      this.options.notifier.notify(
        grant.accId,
        grant.notificationUrl,
        { notifyType: 'CODEGRANT', ...this.statusBiz(grant) },
        { retryLimit: CODEGRANT_NOTIFY_RETRIES },
      );
    }
  }
}
