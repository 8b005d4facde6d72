/**
 * Members and their linked wallets at the till (CodeGrant, codegrant.md), and the members
 * side of the payment engine (MemberPort: what a member charge may use, and what its answer
 * said about the token).
 *
 * Linking: the sign-up is journaled `pending` (with its own new requestId) BEFORE the bind
 * is sent; the token and authUrl the gateway answers are journaled (the token sealed,
 * tokenCipher.ts); then the sign-up is asked about (bind query) on a schedule until it is
 * active, declined or expired — no notification reaches a till behind NAT, the query is
 * authoritative. Pending sign-ups are asked about again at start and every few minutes; a
 * sign-up nobody answers expires, and linking again makes a NEW sign-up (new requestId).
 *
 * Charging: a linked wallet whose last check is older than `recheckAfterMs` is asked about
 * first; one the gateway no longer has ACTIVE is marked unbound (by the wallet) and the
 * charge refused ("ask the customer to scan their payment code or link again"). A charge the
 * gateway refuses naming the token's state marks it unbound the same way; "token does not
 * exist" (a member id other than the sign-up's) is an integration fault: logged, NOT unbound.
 *
 * A token is never logged, never in a view, an event detail or an error message.
 */
import { randomBytes } from 'node:crypto';
import { formatForDisplay, type Currency } from '../../shared/money.ts';
import {
  ASK_SCAN_OR_RELINK,
  isFinalLinkStatus,
  LINK_WALLET_FACTS,
  linkStatusOf,
  looksLikePhone,
  memberIdProblem,
  nextDueDate,
  normalisePhone,
  type LinkStatus,
  type LinkWallet,
  type MemberReasonCode,
  type Schedule,
} from '../../shared/members.ts';
import { localDay } from '../../shared/sale.ts';
import type { SaleMethod } from '../../shared/paymentMethods.ts';
import type {
  Journal,
  LinkRecord,
  MemberRecord,
  SaleRecord,
  SubscriptionRecord,
} from '../journal/journal.ts';
import type {
  EngineLog,
  GatewayIdentity,
  LinkedChargeGrant,
  MemberGrant,
  MemberPort,
  RenewalGrant,
  RenewalRequest,
  TokenFacts,
} from '../engine/types.ts';
import type { TokenCipher } from './tokenCipher.ts';

// ---------------------------------------------------------------- the gateway's side

type Refused = { kind: 'refused'; code: string; description: string };
type Unknown = { kind: 'unknown'; reason: string };

/** What the service needs from the gateway client (GatewayClient satisfies it). */
export interface LinkGateway {
  bind(request: {
    requestId: string;
    merchantUserId: string;
    wallet: LinkWallet;
    merchantResultUrl?: string;
    notificationUrl?: string;
  }): Promise<{ kind: 'created'; token: string; authUrl: string } | Refused | Unknown>;
  queryBind(request: {
    merchantUserId: string;
    requestId?: string;
    token?: string;
  }): Promise<
    | { kind: 'status'; token: string; merchantUserId: string; wallet: string; status: string }
    | Refused
    | Unknown
  >;
  unbind(request: {
    requestId: string;
    merchantUserId: string;
    token: string;
  }): Promise<{ kind: 'unbound' } | Refused | Unknown>;
}

// ---------------------------------------------------------------- views

/**
 * A linked wallet as the screen and the CLI show it: the record's fields named here, never
 * the token (an allow-list: a field added to the record is not shown until it is named).
 */
export type LinkView = Pick<
  LinkRecord,
  | 'linkId'
  | 'memberId'
  | 'wallet'
  | 'status'
  | 'authUrl'
  | 'expiresAt'
  | 'reason'
  | 'reasonCode'
  | 'createdAt'
  | 'updatedAt'
  | 'lastCheckedAt'
  | 'unboundBy'
>;

export interface SubscriptionView {
  subscriptionId: string;
  memberId: string;
  amountMinor: number;
  currency: Currency;
  schedule: Schedule;
  status: SubscriptionRecord['status'];
  method: string | null;
  firstOrderId: string;
  /** Paid charges so far (the first payment and each renewal). */
  paidCount: number;
  /** The next due date (YYYY-MM-DD), or null when the schedule has ended. */
  nextDue: string | null;
  reason: string | null;
  /** The reason's code (shared/members.ts), for its words in the till's language. */
  reasonCode: string | null;
  createdAt: number;
}

export interface MemberView {
  memberId: string;
  label: string | null;
  phoneHashed: boolean;
  createdAt: number;
  /** The latest sign-up of each wallet. */
  links: LinkView[];
  subscriptions: SubscriptionView[];
}

export function linkView(rec: LinkRecord): LinkView {
  return {
    linkId: rec.linkId,
    memberId: rec.memberId,
    wallet: rec.wallet,
    status: rec.status,
    // The wallet page the customer opens (a QR while pending; not a secret).
    authUrl: rec.status === 'pending' ? rec.authUrl : null,
    expiresAt: rec.expiresAt,
    reason: rec.reason,
    reasonCode: rec.reasonCode,
    createdAt: rec.createdAt,
    updatedAt: rec.updatedAt,
    lastCheckedAt: rec.lastCheckedAt,
    unboundBy: rec.unboundBy,
  };
}

// ---------------------------------------------------------------- errors

export type MemberErrorCode = 'not-found' | 'method-invalid' | 'amount-invalid' | 'link-failed';

export class MemberError extends Error {
  constructor(
    readonly code: MemberErrorCode,
    message: string,
    readonly reasonCode?: MemberReasonCode,
  ) {
    super(message);
    this.name = 'MemberError';
  }
}

// ---------------------------------------------------------------- options

export interface MemberTuning {
  /** Delays between sign-up queries while a link is pending (ms); the last repeats. */
  pollScheduleMs?: readonly number[];
  /** How long a sign-up waits for the customer (the gateway's 10 minutes at scale 1). */
  signUpLifetimeMs?: number;
  /** A linked wallet last checked longer ago than this is asked about before a charge. */
  recheckAfterMs?: number;
  /** How often pending sign-ups nobody is polling are asked about again. */
  pendingSweepMs?: number;
}

export interface MemberServiceOptions {
  journal: Journal;
  gateway: LinkGateway;
  cipher: TokenCipher;
  /** The gateway the terminal talks to now: links are used only with the one they were made on. */
  identity?: GatewayIdentity;
  clock?: { now(): number };
  log?: EngineLog;
  tuning?: MemberTuning;
  /** Business day of a time (default: the till's local date). */
  dayOf?: (epochMs: number) => string;
}

export const DEFAULT_SIGN_UP_LIFETIME_MS = 10 * 60_000;
const DEFAULT_POLL_MS: readonly number[] = [1000, 1000, 1500, 2000, 3000, 5000];

function randomId(prefix: string): string {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  return `${prefix}-${stamp}-${randomBytes(6).toString('hex').toUpperCase()}`;
}

function tokenContext(memberId: string, what: string): string {
  return `${memberId}\u0000${what}`;
}

type Grant<T> = MemberGrant<T>;

function no<T>(
  code: Extract<Grant<T>, { ok: false }>['code'],
  reasonCode: MemberReasonCode,
  reason: string,
): Grant<T> {
  return { ok: false, code, reasonCode, reason };
}

export class MemberService implements MemberPort {
  readonly journal: Journal;
  private readonly gateway: LinkGateway;
  private readonly cipher: TokenCipher;
  private readonly identity: GatewayIdentity | undefined;
  /** What a new link or membership is stamped with: the gateway (and mode) it is made with. */
  private readonly madeWith: Pick<LinkRecord, 'training' | 'gateway' | 'accId'>;
  private readonly now: () => number;
  private readonly log: EngineLog;
  private readonly dayOf: (epochMs: number) => string;
  private readonly pollMs: readonly number[];
  readonly signUpLifetimeMs: number;
  private readonly recheckAfterMs: number;
  private readonly pendingSweepMs: number;
  private readonly listeners = new Set<(link: LinkView) => void>();
  /** Sign-ups being started: member and wallet → the start. */
  private readonly linking = new Map<string, Promise<LinkView>>();
  /** Sign-ups being polled by this process: linkId → the poll (resolves when final). */
  private readonly polls = new Map<string, Promise<LinkView>>();
  /**
   * Sign-ups this process started or handed back to its cashier (its customer display may
   * show them): not another process's on the same data folder that this till never asked
   * for (the back office's `pospay member link`).
   */
  private readonly startedHere = new Set<string>();
  /** Sleeping polls: stop() wakes them (they then see `stopped` and end). */
  private readonly sleepers = new Set<() => void>();
  private sweeper: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(options: MemberServiceOptions) {
    this.journal = options.journal;
    this.gateway = options.gateway;
    this.cipher = options.cipher;
    this.identity = options.identity;
    this.madeWith = {
      training: options.identity?.training ?? false,
      gateway: options.identity?.gateway ?? null,
      accId: options.identity?.accId ?? null,
    };
    this.now = options.clock ? () => options.clock!.now() : () => Date.now();
    this.log = options.log ?? (() => undefined);
    this.dayOf = options.dayOf ?? localDay;
    const tuning = options.tuning ?? {};
    this.pollMs = tuning.pollScheduleMs ?? DEFAULT_POLL_MS;
    this.signUpLifetimeMs = tuning.signUpLifetimeMs ?? DEFAULT_SIGN_UP_LIFETIME_MS;
    this.recheckAfterMs = tuning.recheckAfterMs ?? 5 * 60_000;
    this.pendingSweepMs = tuning.pendingSweepMs ?? 3 * 60_000;
  }

  // ---------------------------------------------------------------- members

  /**
   * The member id for what the cashier gave: a member id as it is (checked), or a phone
   * number turned into an opaque id by a keyed hash under the terminal's data key (the
   * same phone gives the same id on this terminal; the number itself is never stored).
   */
  memberIdFor(
    input: { memberId?: string; phone?: string },
    options: { creating?: boolean } = {},
  ): {
    memberId: string;
    phoneHashed: boolean;
  } {
    if (input.phone !== undefined) {
      const digits = normalisePhone(input.phone);
      if (digits.length < 7 || digits.length > 15) {
        throw new MemberError('not-found', 'A phone number has 7 to 15 digits');
      }
      const hash = this.cipher.keyedHash(digits);
      if (hash === null) {
        throw new MemberError(
          'method-invalid',
          'This terminal has no data key: a member cannot be found by phone number — give the member id',
          'link-token-unreadable',
        );
      }
      return { memberId: `ph-${hash.slice(0, 32)}`, phoneHashed: true };
    }
    const id = (input.memberId ?? '').trim();
    const problem = memberIdProblem(id, options);
    if (problem) throw new MemberError('not-found', problem);
    return { memberId: id, phoneHashed: false };
  }

  /** The member (created when new). */
  findOrCreate(input: { memberId?: string; phone?: string; label?: string }): MemberView {
    const known =
      input.memberId !== undefined && this.journal.members.member(input.memberId.trim());
    const { memberId, phoneHashed } = this.memberIdFor(input, { creating: !known });
    const label = input.label?.trim();
    if (label && looksLikePhone(label)) {
      throw new MemberError('not-found', 'A phone number is never kept as a member’s name');
    }
    this.journal.members.ensureMember({
      memberId,
      label: label ? label.slice(0, 80) : null,
      phoneHashed,
      createdAt: this.now(),
    });
    return this.mustView(memberId);
  }

  /** The member, or null (never created). */
  find(input: { memberId?: string; phone?: string }): MemberView | null {
    const { memberId } = this.memberIdFor(input);
    return this.view(memberId);
  }

  view(memberId: string): MemberView | null {
    const member = this.journal.members.member(memberId);
    return member ? this.toView(member) : null;
  }

  private mustView(memberId: string): MemberView {
    const view = this.view(memberId);
    if (!view) throw new MemberError('not-found', `There is no member ${memberId}`);
    return view;
  }

  list(search = ''): MemberView[] {
    return this.journal.members.members(search.trim()).map((m) => this.toView(m));
  }

  private toView(member: MemberRecord): MemberView {
    const latest = new Map<LinkWallet, LinkRecord>();
    for (const link of this.journal.members.linksOf(member.memberId)) {
      if (!latest.has(link.wallet)) latest.set(link.wallet, link);
    }
    return {
      memberId: member.memberId,
      label: member.label,
      phoneHashed: member.phoneHashed,
      createdAt: member.createdAt,
      links: [...latest.values()].map(linkView),
      subscriptions: this.journal.members
        .subscriptionsOf(member.memberId)
        .map((s) => this.subscriptionView(s)),
    };
  }

  subscriptionView(rec: SubscriptionRecord): SubscriptionView {
    const schedule: Schedule = {
      startDate: rec.startDate,
      intervalUnit: rec.intervalUnit,
      intervalCount: rec.intervalCount,
      endDate: rec.endDate,
    };
    const paidCount = this.journal.members.paidCount(rec.subscriptionId);
    // The first payment given back in full: the membership was not bought, nothing is due.
    const firstRefunded =
      rec.status === 'active' && this.journal.members.refundedInFull(rec.firstOrderId);
    return {
      subscriptionId: rec.subscriptionId,
      memberId: rec.memberId,
      amountMinor: rec.amountMinor,
      currency: rec.currency,
      schedule,
      status: rec.status,
      method: rec.method,
      firstOrderId: rec.firstOrderId,
      paidCount,
      nextDue: rec.status === 'active' && !firstRefunded ? nextDueDate(schedule, paidCount) : null,
      reason: firstRefunded
        ? 'Its first payment was refunded in full: it is not renewed — sell the membership again'
        : rec.reason,
      reasonCode: firstRefunded ? 'subscription-first-refunded' : reasonCodeOf(rec),
      createdAt: rec.createdAt,
    };
  }

  /** Active subscriptions due on `today` or before (YYYY-MM-DD): for a person to charge. */
  dueRenewals(today = this.dayOf(this.now())): SubscriptionView[] {
    return this.journal.members
      .subscriptionsOf()
      .filter((s) => this.isOurs(s))
      .map((s) => this.subscriptionView(s))
      .filter((s) => s.status === 'active' && s.nextDue !== null && s.nextDue <= today);
  }

  subscriptions(memberId?: string): SubscriptionView[] {
    return this.journal.members.subscriptionsOf(memberId).map((s) => this.subscriptionView(s));
  }

  // ---------------------------------------------------------------- events

  onLinkUpdated(listener: (link: LinkView) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private emit(rec: LinkRecord): void {
    const view = linkView(rec);
    for (const listener of this.listeners) {
      try {
        listener(view);
      } catch (error) {
        this.log('error', 'a link listener failed', { error: String(error) });
      }
    }
  }

  // ---------------------------------------------------------------- linking

  /** Whether a link or membership was made with the gateway (and mode) the terminal uses now. */
  private isOurs(link: LinkRecord | SubscriptionRecord): boolean {
    const id = this.identity;
    if (!id || link.gateway === null) return true;
    return link.training === id.training && link.gateway === id.gateway;
  }

  /**
   * Starts a sign-up of `wallet` for the member (created when new) and resolves with it
   * pending (its authUrl to show as a QR), or as the gateway left it. An active link of
   * that wallet is returned as it is; a pending one still open too (never two sign-ups at
   * once). The sign-up is then polled in the background until final (waitForLink).
   */
  link(memberIdIn: string, wallet: LinkWallet): Promise<LinkView> {
    // One sign-up at a time per member and wallet (a double tap starts one, not two).
    const key = `${memberIdIn}\u0000${wallet}`;
    const running = this.linking.get(key);
    if (running) return running;
    const task = this.startLink(memberIdIn, wallet).finally(() => this.linking.delete(key));
    this.linking.set(key, task);
    return task;
  }

  /** Whether the link's token opens under this terminal's data key. */
  private readable(link: LinkRecord): boolean {
    return (
      link.tokenSealed !== null &&
      this.cipher.open(link.tokenSealed, tokenContext(link.memberId, link.wallet)) !== null
    );
  }

  private async startLink(memberIdIn: string, wallet: LinkWallet): Promise<LinkView> {
    if (this.stopped) throw new MemberError('link-failed', 'The terminal is shutting down');
    const facts = LINK_WALLET_FACTS[wallet];
    if (!facts) throw new MemberError('method-invalid', `${String(wallet)} cannot be linked`);
    const member = this.findOrCreate({ memberId: memberIdIn });
    const memberId = member.memberId;
    const latest = this.journal.members.linksOf(memberId, wallet).find((l) => this.isOurs(l));
    if (latest && latest.status === 'active') {
      if (this.readable(latest)) return linkView(latest);
      // Its token cannot be read here (the data key was lost or changed): it can never be
      // charged, so "link again" starts a new sign-up (the newest active link is charged).
      this.log('warn', 'the active link cannot be read here; starting a new sign-up', {
        memberId,
        linkId: latest.linkId,
      });
    }
    if (latest && latest.status === 'pending' && !this.lapsed(latest)) {
      // Handed back to this till's cashier (started before a restart, or by the back office):
      // its display may show it now.
      this.startedHere.add(latest.linkId);
      this.poll(latest.linkId);
      return linkView(latest);
    }
    this.requireDataKey(
      'This terminal has no data key to keep the wallet’s token encrypted: linking is not possible',
    );
    const now = this.now();
    const linkId = randomId('LNK');
    // Write-ahead: the sign-up is journaled before the bind is sent.
    const pending = this.journal.members.createLink(
      {
        linkId,
        memberId,
        wallet,
        status: 'pending',
        tokenSealed: null,
        keyId: null,
        authUrl: null,
        expiresAt: now + this.signUpLifetimeMs,
        reason: null,
        reasonCode: null,
        createdAt: now,
        updatedAt: now,
        lastCheckedAt: null,
        unboundBy: null,
        ...this.madeWith,
      },
      { kind: 'link-started', detail: { wallet } },
    );
    this.startedHere.add(linkId);
    this.emit(pending);
    const answer = await this.gateway.bind({ requestId: linkId, merchantUserId: memberId, wallet });
    let rec: LinkRecord;
    if (answer.kind === 'created') {
      rec = this.change(
        linkId,
        {
          tokenSealed: this.cipher.seal(answer.token, tokenContext(memberId, wallet)),
          keyId: this.cipher.keyId,
          authUrl: answer.authUrl,
          lastCheckedAt: this.now(),
        },
        { kind: 'link-created' },
      );
    } else if (answer.kind === 'refused') {
      rec = this.change(
        linkId,
        {
          status: 'declined',
          reason: `The gateway refused the sign-up (${answer.code}): ${answer.description}`,
          reasonCode: 'link-not-active',
        },
        { kind: 'link-refused', detail: { code: answer.code } },
      );
      return linkView(rec);
    } else {
      // No usable answer: the sign-up query finds out whether it exists.
      this.log('warn', 'sign-up outcome unknown; asking the gateway', { linkId, memberId });
      rec = this.journal.members.link(linkId) ?? pending;
    }
    this.poll(linkId);
    return linkView(rec);
  }

  /**
   * The sign-up waiting for the customer now: the newest pending one this process started
   * with the gateway it uses now, whose wallet page has not lapsed (a customer display opened
   * meanwhile shows it), or null.
   */
  openSignUp(): { linkId: string; authUrl: string; expiresAt: number | null } | null {
    const open = this.journal.members
      .pendingLinks()
      .filter(
        (link) =>
          this.startedHere.has(link.linkId) &&
          this.isOurs(link) &&
          link.authUrl &&
          !this.lapsed(link),
      )
      .at(-1);
    return open?.authUrl
      ? { linkId: open.linkId, authUrl: open.authUrl, expiresAt: open.expiresAt }
      : null;
  }

  private lapsed(link: LinkRecord): boolean {
    return link.expiresAt !== null && this.now() > link.expiresAt + this.lapseGraceMs();
  }

  /** How long past its expiry a sign-up the gateway still calls pending is given. */
  private lapseGraceMs(): number {
    return Math.max(1000, Math.round(this.signUpLifetimeMs / 10));
  }

  private change(
    linkId: string,
    patch: Partial<LinkRecord>,
    event: { kind: string; detail?: Record<string, unknown> },
  ): LinkRecord {
    const before = this.journal.members.link(linkId);
    const rec = this.journal.members.changeLink(linkId, { ...patch, updatedAt: this.now() }, event);
    if (!before || before.status !== rec.status || before.authUrl !== rec.authUrl) this.emit(rec);
    return rec;
  }

  /** Polls the sign-up (once per process) until it is final; resolves with it then. */
  poll(linkId: string): Promise<LinkView> {
    const running = this.polls.get(linkId);
    if (running) return running;
    const task = (async () => {
      let index = 0;
      for (;;) {
        const rec = this.journal.members.link(linkId);
        if (!rec) throw new MemberError('not-found', `There is no sign-up ${linkId}`);
        if (rec.status !== 'pending' || this.stopped) return linkView(rec);
        const delay = this.pollMs[Math.min(index, this.pollMs.length - 1)] ?? 2000;
        index += 1;
        await this.sleep(delay);
        if (this.stopped) return linkView(this.journal.members.link(linkId) ?? rec);
        try {
          await this.checkLink(linkId);
        } catch (error) {
          this.log('warn', 'a sign-up query failed; asking again', {
            linkId,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
    })().finally(() => this.polls.delete(linkId));
    this.polls.set(linkId, task);
    task.catch(() => undefined);
    return task;
  }

  /** Resolves with the sign-up once final (or as it is when `timeoutMs` passes). */
  async waitForLink(linkId: string, timeoutMs?: number): Promise<LinkView> {
    const poll = this.poll(linkId);
    if (timeoutMs === undefined) return poll;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    const result = await Promise.race([poll, timeout]);
    if (timer) clearTimeout(timer);
    const rec = this.journal.members.link(linkId);
    return result ?? (rec ? linkView(rec) : poll);
  }

  /**
   * The sign-up query for `link`: by its requestId and, once known, its token too (the
   * client then refuses an answer about another token of the member, e.g. a replayed one).
   */
  private queryOf(link: LinkRecord): { merchantUserId: string; requestId: string; token?: string } {
    const token = link.tokenSealed
      ? this.cipher.open(link.tokenSealed, tokenContext(link.memberId, link.wallet))
      : null;
    return {
      merchantUserId: link.memberId,
      requestId: link.linkId,
      ...(token !== null ? { token } : {}),
    };
  }

  /** Asks the gateway about one sign-up now and journals what it says. */
  async checkLink(linkId: string): Promise<LinkView> {
    const rec = this.journal.members.link(linkId);
    if (!rec) throw new MemberError('not-found', `There is no sign-up ${linkId}`);
    if (isFinalLinkStatus(rec.status) || !this.isOurs(rec)) return linkView(rec);
    const answer = await this.gateway.queryBind(this.queryOf(rec));
    const now = this.now();
    if (answer.kind === 'status') {
      const status = linkStatusOf(answer.status);
      if (status === null) return linkView(rec);
      const patch: Partial<LinkRecord> = { lastCheckedAt: now };
      if (rec.tokenSealed === null && answer.token) {
        patch.tokenSealed = this.cipher.seal(answer.token, tokenContext(rec.memberId, rec.wallet));
        patch.keyId = this.cipher.keyId;
      }
      const next = this.nextStatus(rec.status, status);
      if (next !== rec.status) {
        patch.status = next;
        Object.assign(patch, this.statusReason(next, rec.wallet));
        if (next === 'unbound') patch.unboundBy = 'wallet';
      }
      return linkView(
        this.change(linkId, patch, { kind: next === rec.status ? 'checked' : `link-${next}` }),
      );
    }
    if (answer.kind === 'refused' && rec.tokenSealed === null && this.lapsed(rec)) {
      // The gateway never registered it (the bind's answer was lost) and its time is up.
      return linkView(
        this.change(
          linkId,
          {
            status: 'expired',
            reason: 'The sign-up did not reach the gateway — link again',
            reasonCode: 'link-not-active',
          },
          { kind: 'link-expired', detail: { code: answer.code } },
        ),
      );
    }
    if (rec.status === 'pending' && this.lapsed(rec)) {
      return linkView(
        this.change(
          linkId,
          { status: 'expired', ...this.statusReason('expired', rec.wallet) },
          {
            kind: 'link-expired',
            detail: { local: true },
          },
        ),
      );
    }
    return linkView(rec);
  }

  /** The move a gateway status makes from ours (a pending link the wallet calls UNBOUND: expired). */
  private nextStatus(from: LinkStatus, gateway: LinkStatus): LinkStatus {
    if (from === gateway) return from;
    if (from === 'pending') return gateway === 'unbound' ? 'expired' : gateway;
    if (from === 'active') return gateway === 'pending' ? 'active' : 'unbound';
    return from;
  }

  private statusReason(
    status: LinkStatus,
    wallet: LinkWallet,
  ): { reason: string | null; reasonCode: string | null } {
    switch (status) {
      case 'declined':
        return {
          reason: `The customer declined the ${wallet} link in the wallet`,
          reasonCode: 'link-not-active',
        };
      case 'expired':
        return {
          reason: `The customer did not agree in ${wallet} in time — the sign-up expired; link again`,
          reasonCode: 'link-not-active',
        };
      case 'unbound':
        return {
          reason: `The ${wallet} link was ended — ${ASK_SCAN_OR_RELINK}`,
          reasonCode: 'link-unbound',
        };
      default:
        return { reason: null, reasonCode: null };
    }
  }

  /** Asks about every pending sign-up nobody polls (at start, then every few minutes). */
  async recheckPending(): Promise<void> {
    for (const link of this.journal.members.pendingLinks()) {
      if (this.stopped) return;
      if (!this.isOurs(link) || this.polls.has(link.linkId)) continue;
      try {
        await this.checkLink(link.linkId);
      } catch (error) {
        this.log('warn', 'a pending sign-up could not be checked', {
          linkId: link.linkId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  /** Re-checks pending sign-ups now and every `pendingSweepMs`. */
  start(): void {
    if (this.sweeper || this.stopped) return;
    void this.recheckPending();
    this.sweeper = setInterval(() => void this.recheckPending(), this.pendingSweepMs);
    this.sweeper.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const wake of [...this.sleepers]) wake();
    await Promise.allSettled([...this.polls.values()]);
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  // ---------------------------------------------------------------- unbind

  /**
   * Unbinds the member's active links (of `wallet`, or all) at the gateway, then journals
   * them unbound with who did it. Rejects when the gateway did not confirm (nothing changed).
   */
  async unbind(memberId: string, wallet: LinkWallet | undefined, by: string): Promise<LinkView[]> {
    if (!this.journal.members.member(memberId)) {
      throw new MemberError('not-found', `There is no member ${memberId}`, 'member-unknown');
    }
    const active = this.journal.members
      .linksOf(memberId, wallet)
      .filter((l) => l.status === 'active' && this.isOurs(l));
    if (active.length === 0) {
      throw new MemberError(
        'not-found',
        `Member ${memberId} has no linked ${wallet ?? 'wallet'} to unbind`,
        'link-missing',
      );
    }
    const done: LinkView[] = [];
    for (const link of active) {
      const token = link.tokenSealed
        ? this.cipher.open(link.tokenSealed, tokenContext(memberId, link.wallet))
        : null;
      if (token === null) {
        // Not usable here any more anyway; the customer can end it inside the wallet.
        done.push(
          linkView(
            this.change(
              link.linkId,
              {
                status: 'unbound',
                unboundBy: by,
                reason:
                  'Unbound at this till only: its token cannot be read here (data key missing) — the customer can also end it in the wallet',
                reasonCode: 'link-token-unreadable',
              },
              { kind: 'link-unbound', detail: { by, atGateway: false } },
            ),
          ),
        );
        continue;
      }
      const answer = await this.gateway.unbind({
        requestId: randomId('UNB'),
        merchantUserId: memberId,
        token,
      });
      let confirmed = answer.kind === 'unbound';
      if (!confirmed) {
        // Already unbound in the wallet (or the answer was lost): the query says.
        const check = await this.gateway.queryBind(this.queryOf(link));
        confirmed = check.kind === 'status' && linkStatusOf(check.status) !== 'active';
      }
      if (!confirmed) {
        throw new MemberError(
          'link-failed',
          answer.kind === 'refused'
            ? `The gateway refused to unbind the ${link.wallet} link (${answer.code}): ${answer.description}`
            : `The gateway did not confirm the unbind of the ${link.wallet} link — try again`,
        );
      }
      done.push(
        linkView(
          this.change(
            link.linkId,
            {
              status: 'unbound',
              unboundBy: by,
              lastCheckedAt: this.now(),
              reason: `Unbound by ${by}`,
              reasonCode: 'link-unbound',
            },
            { kind: 'link-unbound', detail: { by, atGateway: true } },
          ),
        ),
      );
    }
    return done;
  }

  // ---------------------------------------------------------------- MemberPort

  async prepareLinkedCharge(
    memberId: string,
    wallet: LinkWallet | undefined,
    currency: Currency,
  ): Promise<Grant<LinkedChargeGrant>> {
    if (!this.journal.members.member(memberId)) {
      return no(
        'not-found',
        'member-unknown',
        `There is no member ${memberId} — find or create the member first`,
      );
    }
    const links = this.journal.members.linksOf(memberId, wallet).filter((l) => this.isOurs(l));
    const usable = links.find(
      (l) => l.status === 'active' && LINK_WALLET_FACTS[l.wallet].currency === currency,
    );
    if (!usable) {
      const latest = links[0];
      const name = wallet ?? 'wallet';
      if (!latest) {
        return no(
          'not-found',
          'link-missing',
          `Member ${memberId} has no linked ${name} — link it first, or ask the customer to scan their payment code`,
        );
      }
      if (latest.status === 'unbound') {
        return no(
          'method-invalid',
          'link-unbound',
          `The member’s linked ${latest.wallet} was ended — ${ASK_SCAN_OR_RELINK}`,
        );
      }
      if (latest.status === 'pending') {
        return no(
          'method-invalid',
          'link-not-active',
          `The customer has not agreed to the ${latest.wallet} link yet — wait for it, or ask them to scan their payment code`,
        );
      }
      return no(
        'method-invalid',
        'link-not-active',
        `The member’s ${latest.wallet} link is ${latest.status} — ${ASK_SCAN_OR_RELINK}`,
      );
    }
    const unsettled = this.unsettledLinkedCharge(memberId, usable.wallet);
    if (unsettled) return unsettled;
    let link = usable;
    if (link.lastCheckedAt === null || this.now() - link.lastCheckedAt > this.recheckAfterMs) {
      // Its last word is old: the customer may have unlinked inside the wallet meanwhile.
      try {
        const checked = await this.gateway.queryBind(this.queryOf(link));
        if (checked.kind === 'status') {
          const status = linkStatusOf(checked.status);
          if (status !== null && status !== 'active') {
            const rec = this.change(
              link.linkId,
              {
                status: 'unbound',
                unboundBy: 'wallet',
                lastCheckedAt: this.now(),
                reason: `The ${link.wallet} link is ${checked.status} in the wallet — ${ASK_SCAN_OR_RELINK}`,
                reasonCode: 'link-unbound',
              },
              { kind: 'link-unbound', detail: { by: 'wallet', status: checked.status } },
            );
            return no('method-invalid', 'link-unbound', rec.reason ?? ASK_SCAN_OR_RELINK);
          }
          if (status === 'active') {
            link = this.change(link.linkId, { lastCheckedAt: this.now() }, { kind: 'checked' });
          }
        }
      } catch (error) {
        this.log('warn', 'the linked wallet could not be re-checked; the charge will tell', {
          memberId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    const token = link.tokenSealed
      ? this.cipher.open(link.tokenSealed, tokenContext(memberId, link.wallet))
      : null;
    if (token === null) {
      return no(
        'method-invalid',
        'link-token-unreadable',
        `The ${link.wallet} link’s token cannot be read on this terminal (its data key is missing or changed) — ${ASK_SCAN_OR_RELINK}`,
      );
    }
    return { ok: true, wallet: link.wallet, token, merchantUserId: memberId };
  }

  /**
   * A charge of this wallet whose outcome is still unknown (cancelled while being sent, a
   * deadline passed) may yet go through: a second one now could take the money twice.
   */
  unsettledLinkedCharge(memberId: string, wallet: LinkWallet): Grant<never> | null {
    const unsettled = this.journal.members.unsettledLinkedCharges(memberId, wallet);
    if (unsettled.length === 0) return null;
    return no(
      'method-invalid',
      'link-unsettled',
      `A charge of the member’s ${wallet} (sale ${unsettled.join(', ')}) is still being confirmed — nothing was charged; wait for its result (pospay query ${unsettled[0] ?? ''})`,
    );
  }

  prepareRenewal(request: RenewalRequest): Grant<RenewalGrant> {
    const { memberId, subscriptionId } = request;
    if (!this.journal.members.member(memberId)) {
      return no('not-found', 'member-unknown', `There is no member ${memberId}`);
    }
    const all = this.journal.members
      .subscriptionsOf(memberId)
      .filter((s) => subscriptionId === undefined || s.subscriptionId === subscriptionId);
    // A membership made with another gateway (training ↔ live, another gateway URL): its
    // token is that gateway's secret, never sent here.
    const subs = all.filter((s) => this.isOurs(s));
    if (subs.length === 0 && all.length > 0) {
      return no(
        'method-invalid',
        'subscription-other-gateway',
        `Member ${memberId}’s membership was made with another gateway (${all[0]?.training ? 'training' : 'live'} ${all[0]?.gateway ?? ''}) — it is renewed only there; nothing was charged`,
      );
    }
    const active = subs.filter((s) => s.status === 'active');
    if (subscriptionId === undefined && active.length > 1) {
      return no(
        'method-invalid',
        'subscription-ambiguous',
        `Member ${memberId} has ${active.length} memberships (${active
          .map(
            (s) =>
              `${s.subscriptionId}: ${formatForDisplay(s.amountMinor, s.currency)} every ${s.intervalCount} ${s.intervalUnit}(s)`,
          )
          .join('; ')}) — name the one to renew; nothing was charged`,
      );
    }
    const sub = active[0] ?? subs[0];
    if (!sub) {
      return no(
        'not-found',
        'subscription-missing',
        subscriptionId === undefined
          ? `Member ${memberId} has no membership with recurring payments`
          : `Member ${memberId} has no membership ${subscriptionId}`,
      );
    }
    if (sub.status === 'revoked') {
      return no(
        'method-invalid',
        'subscription-token-revoked',
        sub.reason ??
          'The membership’s payment token was revoked — ask the customer to pay on their phone again',
      );
    }
    if (sub.status !== 'active' || sub.tokenSealed === null) {
      return no(
        'method-invalid',
        'subscription-missing',
        `The membership is ${sub.status}: it has no payment token to charge (its first payment was not completed)`,
      );
    }
    // What the member agreed to: the membership's currency and amount, nothing else.
    if (request.currency !== undefined && request.currency !== sub.currency) {
      return no(
        'currency-invalid',
        'subscription-terms',
        `The membership is paid in ${sub.currency}, not ${request.currency} — nothing was charged`,
      );
    }
    if (request.amountMinor !== sub.amountMinor) {
      return no(
        'amount-invalid',
        'subscription-terms',
        `The membership’s renewal is ${formatForDisplay(sub.amountMinor, sub.currency)}, not ${formatForDisplay(request.amountMinor, sub.currency)} — nothing was charged`,
      );
    }
    const unsettled = this.journal.members.unsettledCharges(sub.subscriptionId);
    if (unsettled.length > 0) {
      return no(
        'method-invalid',
        'subscription-unsettled',
        `A charge of this membership (sale ${unsettled.join(', ')}) is still being confirmed — nothing was charged; see pospay query ${unsettled[0] ?? ''}`,
      );
    }
    const view = this.subscriptionView(sub);
    if (this.journal.members.refundedInFull(sub.firstOrderId)) {
      return no(
        'method-invalid',
        'subscription-missing',
        'The membership’s first payment was refunded in full: it is not renewed — sell the membership again; nothing was charged',
      );
    }
    if (view.nextDue === null) {
      return no(
        'method-invalid',
        'subscription-missing',
        `The membership’s schedule ended on ${sub.endDate}`,
      );
    }
    const today = this.dayOf(this.now());
    if (view.nextDue > today) {
      return no(
        'method-invalid',
        'subscription-not-due',
        `The membership is paid up: its renewal is not due until ${view.nextDue} — nothing was charged`,
      );
    }
    const token = this.cipher.open(sub.tokenSealed, tokenContext(memberId, sub.subscriptionId));
    if (token === null) {
      return no(
        'method-invalid',
        'link-token-unreadable',
        'The membership’s payment token cannot be read on this terminal (its data key is missing or changed) — ask the customer to pay on their phone again',
      );
    }
    return {
      ok: true,
      subscriptionId: sub.subscriptionId,
      currency: sub.currency,
      token,
      merchantUserId: memberId,
      method: (sub.method ?? 'Card') as SaleMethod,
    };
  }

  /** A token is kept only encrypted: without a data key nothing that would keep one starts. */
  private requireDataKey(refusal: string): void {
    if (this.cipher.keyId === null) {
      throw new MemberError('method-invalid', refusal, 'link-token-unreadable');
    }
  }

  beginSubscription(input: Parameters<MemberPort['beginSubscription']>[0]): {
    subscriptionId: string;
  } {
    const member = this.findOrCreate({ memberId: input.memberId });
    this.requireDataKey(
      'This terminal has no data key to keep the membership’s payment token encrypted',
    );
    const now = this.now();
    const subscriptionId = `SUB-${input.orderId}`.slice(0, 64);
    this.journal.members.saveSubscription(
      {
        subscriptionId,
        memberId: member.memberId,
        amountMinor: input.amountMinor,
        currency: input.currency,
        startDate: input.schedule.startDate,
        intervalUnit: input.schedule.intervalUnit,
        intervalCount: input.schedule.intervalCount,
        endDate: input.schedule.endDate,
        firstOrderId: input.orderId,
        method: input.method,
        status: 'pending',
        tokenSealed: null,
        keyId: null,
        reason: null,
        reasonCode: null,
        createdAt: now,
        updatedAt: now,
        ...this.madeWith,
      },
      { kind: 'subscription-started', detail: { orderId: input.orderId } },
    );
    return { subscriptionId };
  }

  pendingFirstPayments(): string[] {
    return this.journal.members
      .subscriptionsOf()
      .filter((s) => s.status === 'pending' && this.isOurs(s))
      .map((s) => s.firstOrderId);
  }

  saleFinal(sale: SaleRecord, facts: TokenFacts): void {
    const memberId = sale.memberId;
    if (!memberId) return;
    if (sale.tender === 'linked-wallet') {
      const links = this.journal.members
        .linksOf(memberId, sale.method as LinkWallet)
        .filter((l) => l.status === 'active');
      for (const link of links) {
        if (facts.tokenState) {
          this.change(
            link.linkId,
            {
              status: 'unbound',
              unboundBy: 'wallet',
              lastCheckedAt: this.now(),
              reason: `The gateway refused the token (${facts.tokenState}) — ${ASK_SCAN_OR_RELINK}`,
              reasonCode: 'link-unbound',
            },
            {
              kind: 'link-unbound',
              detail: { by: 'wallet', orderId: sale.orderId, state: facts.tokenState },
            },
          );
        } else if (sale.status === 'paid') {
          this.change(link.linkId, { lastCheckedAt: this.now() }, { kind: 'checked' });
        }
      }
      return;
    }
    const subscriptionId = sale.subscriptionId;
    if (!subscriptionId) return;
    const sub = this.journal.members.subscription(subscriptionId);
    if (!sub) return;
    const now = this.now();
    if (
      sale.tender === 'checkout' &&
      sale.orderId === sub.firstOrderId &&
      sub.status === 'pending'
    ) {
      if (sale.status === 'paid' && !sale.abandoned && facts.paymentToken) {
        this.journal.members.saveSubscription(
          {
            ...sub,
            status: 'active',
            tokenSealed: this.cipher.seal(
              facts.paymentToken,
              tokenContext(memberId, subscriptionId),
            ),
            keyId: this.cipher.keyId,
            reason: null,
            reasonCode: null,
            updatedAt: now,
          },
          { kind: 'subscription-active', detail: { orderId: sale.orderId } },
        );
      } else {
        this.journal.members.saveSubscription(
          {
            ...sub,
            status: 'failed',
            ...whyNotSold(sale, facts),
            updatedAt: now,
          },
          { kind: 'subscription-failed', detail: { orderId: sale.orderId, status: sale.status } },
        );
      }
      return;
    }
    if (sale.tender === 'renewal' && facts.tokenState && sub.status === 'active') {
      this.journal.members.saveSubscription(
        {
          ...sub,
          status: 'revoked',
          reason: sale.reason ?? `The payment token was refused (${facts.tokenState})`,
          reasonCode: 'subscription-token-revoked',
          updatedAt: now,
        },
        {
          kind: 'subscription-revoked',
          detail: { orderId: sale.orderId, state: facts.tokenState },
        },
      );
    }
  }
}

/** Why a membership's first sale made no membership: each code with its sentence. */
const NOT_SOLD = {
  'subscription-first-unpaid': 'The first payment was not made',
  'subscription-checkout-abandoned':
    'The membership checkout was cancelled (or the till stopped waiting) before the customer paid: no membership was sold, and the payment is refunded automatically',
  'subscription-token-other-member':
    'The gateway’s answer about the first payment named another member: its payment token was not kept, renewals cannot be charged (the payment stands) — call IT',
  'subscription-no-token':
    'The first payment carried no payment token: renewals cannot be charged (the payment stands)',
} as const satisfies Partial<Record<MemberReasonCode, string>>;
type NotSoldCode = keyof typeof NOT_SOLD;

/**
 * A membership's reason code. One not sold, journaled before each reason had a code of its
 * own, carries 'subscription-missing' ("no such membership"): its code is the one whose
 * sentence it starts with, so the screen never says a listed membership does not exist.
 */
function reasonCodeOf(rec: SubscriptionRecord): string | null {
  if (rec.status !== 'failed' || rec.reasonCode !== 'subscription-missing') return rec.reasonCode;
  const reason = rec.reason ?? '';
  const codes = Object.keys(NOT_SOLD) as NotSoldCode[];
  return codes.find((code) => reason.startsWith(NOT_SOLD[code])) ?? 'subscription-first-unpaid';
}

/** Why a membership's first sale made no membership (its reason and the reason's code). */
function whyNotSold(
  sale: Pick<SaleRecord, 'status' | 'reason' | 'abandoned'>,
  facts: Pick<TokenFacts, 'tokenForOtherMember'>,
): { reason: string; reasonCode: NotSoldCode } {
  if (sale.status !== 'paid') {
    const code = 'subscription-first-unpaid';
    return { reason: `${NOT_SOLD[code]}: ${sale.reason ?? sale.status}`, reasonCode: code };
  }
  const reasonCode: NotSoldCode = sale.abandoned
    ? 'subscription-checkout-abandoned'
    : facts.tokenForOtherMember
      ? 'subscription-token-other-member'
      : 'subscription-no-token';
  return { reason: NOT_SOLD[reasonCode], reasonCode };
}

export function createMemberService(options: MemberServiceOptions): MemberService {
  return new MemberService(options);
}
