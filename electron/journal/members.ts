/**
 * The journal's member tables (migration 4): members, their linked wallets and their
 * subscriptions, and member_events (what happened to them, append-only). A link changes
 * status only as shared/members.ts's table allows, checked inside the write transaction
 * (another process may have moved it). Tokens arrive here sealed (electron/members/
 * tokenCipher.ts) and are stored as they come: the journal never sees a token in clear.
 */
import type Database from 'better-sqlite3';
import type { Currency } from '../../shared/money.ts';
import {
  checkLinkTransition,
  type IntervalUnit,
  type LinkStatus,
  type LinkWallet,
  type SubscriptionStatus,
} from '../../shared/members.ts';
import { JournalError } from './errors.ts';
import { int, text, type Row } from './records.ts';

export interface MemberRecord {
  memberId: string;
  label: string | null;
  /** The id was derived from a phone number by a keyed hash (the number is not kept). */
  phoneHashed: boolean;
  createdAt: number;
}

export interface LinkRecord {
  /** The sign-up's requestId (a new attempt: a new record). */
  linkId: string;
  memberId: string;
  wallet: LinkWallet;
  status: LinkStatus;
  /** The CodeGrant token, sealed (never in clear); null before the gateway gave one. */
  tokenSealed: string | null;
  keyId: string | null;
  authUrl: string | null;
  /** When a pending sign-up lapses (epoch ms). */
  expiresAt: number | null;
  reason: string | null;
  reasonCode: string | null;
  createdAt: number;
  updatedAt: number;
  /** When the gateway last told us its status (bind query, bind, a charge). */
  lastCheckedAt: number | null;
  /** Who unbound it: 'cashier' (at the till, with the supervisor PIN), 'cli', 'wallet'. */
  unboundBy: string | null;
  training: boolean;
  gateway: string | null;
  accId: string | null;
}

export interface SubscriptionRecord {
  subscriptionId: string;
  memberId: string;
  amountMinor: number;
  currency: Currency;
  startDate: string;
  intervalUnit: IntervalUnit;
  intervalCount: number;
  endDate: string;
  firstOrderId: string;
  /** What the first payment was made with (ApplePay, GooglePay, Card). */
  method: string | null;
  status: SubscriptionStatus;
  tokenSealed: string | null;
  keyId: string | null;
  reason: string | null;
  reasonCode: string | null;
  createdAt: number;
  updatedAt: number;
  training: boolean;
  gateway: string | null;
  accId: string | null;
}

export interface MemberEvent {
  seq: number;
  at: number;
  memberId: string;
  linkId: string | null;
  subscriptionId: string | null;
  kind: string;
  status: string | null;
  detail: Record<string, unknown> | null;
}

function memberFromRow(row: Row): MemberRecord {
  return {
    memberId: String(row.member_id),
    label: text(row.label),
    phoneHashed: int(row.phone_hashed) === 1,
    createdAt: int(row.created_at),
  };
}

function nullableInt(value: unknown): number | null {
  return value === null || value === undefined ? null : int(value);
}

function linkFromRow(row: Row): LinkRecord {
  return {
    linkId: String(row.link_id),
    memberId: String(row.member_id),
    wallet: String(row.wallet) as LinkWallet,
    status: String(row.status) as LinkStatus,
    tokenSealed: text(row.token_sealed),
    keyId: text(row.key_id),
    authUrl: text(row.auth_url),
    expiresAt: nullableInt(row.expires_at),
    reason: text(row.reason),
    reasonCode: text(row.reason_code),
    createdAt: int(row.created_at),
    updatedAt: int(row.updated_at),
    lastCheckedAt: nullableInt(row.last_checked_at),
    unboundBy: text(row.unbound_by),
    training: int(row.training) === 1,
    gateway: text(row.gateway),
    accId: text(row.acc_id),
  };
}

function subscriptionFromRow(row: Row): SubscriptionRecord {
  return {
    subscriptionId: String(row.subscription_id),
    memberId: String(row.member_id),
    amountMinor: int(row.amount_minor),
    currency: String(row.currency) as Currency,
    startDate: String(row.start_date),
    intervalUnit: String(row.interval_unit) as IntervalUnit,
    intervalCount: int(row.interval_count),
    endDate: String(row.end_date),
    firstOrderId: String(row.first_order_id),
    method: text(row.method),
    status: String(row.status) as SubscriptionStatus,
    tokenSealed: text(row.token_sealed),
    keyId: text(row.key_id),
    reason: text(row.reason),
    reasonCode: text(row.reason_code),
    createdAt: int(row.created_at),
    updatedAt: int(row.updated_at),
    training: int(row.training) === 1,
    gateway: text(row.gateway),
    accId: text(row.acc_id),
  };
}

const LINK_COLUMNS = {
  linkId: 'link_id',
  memberId: 'member_id',
  wallet: 'wallet',
  status: 'status',
  tokenSealed: 'token_sealed',
  keyId: 'key_id',
  authUrl: 'auth_url',
  expiresAt: 'expires_at',
  reason: 'reason',
  reasonCode: 'reason_code',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  lastCheckedAt: 'last_checked_at',
  unboundBy: 'unbound_by',
  training: 'training',
  gateway: 'gateway',
  accId: 'acc_id',
} as const satisfies Record<keyof LinkRecord, string>;

const SUBSCRIPTION_COLUMNS = {
  subscriptionId: 'subscription_id',
  memberId: 'member_id',
  amountMinor: 'amount_minor',
  currency: 'currency',
  startDate: 'start_date',
  intervalUnit: 'interval_unit',
  intervalCount: 'interval_count',
  endDate: 'end_date',
  firstOrderId: 'first_order_id',
  method: 'method',
  status: 'status',
  tokenSealed: 'token_sealed',
  keyId: 'key_id',
  reason: 'reason',
  reasonCode: 'reason_code',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  training: 'training',
  gateway: 'gateway',
  accId: 'acc_id',
} as const satisfies Record<keyof SubscriptionRecord, string>;

function toParams(
  record: Record<string, unknown>,
  columns: Record<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(columns)) {
    const value = record[key];
    out[column] = typeof value === 'boolean' ? (value ? 1 : 0) : (value ?? null);
  }
  return out;
}

function upsertSql(table: string, key: string, columns: Record<string, string>): string {
  const names = Object.values(columns);
  return (
    `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((c) => `@${c}`).join(', ')}) ` +
    `ON CONFLICT (${key}) DO UPDATE SET ${names
      .filter((c) => c !== key)
      .map((c) => `${c} = excluded.${c}`)
      .join(', ')}`
  );
}

/** Built once: every write of a link or a membership uses the same statement text. */
const UPSERT_LINK_SQL = upsertSql('linked_wallets', 'link_id', LINK_COLUMNS);
const UPSERT_SUBSCRIPTION_SQL = upsertSql('subscriptions', 'subscription_id', SUBSCRIPTION_COLUMNS);

export interface MemberEventInput {
  kind: string;
  detail?: Record<string, unknown>;
}

/**
 * The member tables on the journal's connection. `db` gives the connection of the moment
 * (the journal may continue on another after its file was written back); `write` runs a
 * write with the journal's file check and error mapping.
 */
/**
 * A sale whose outcome may still change (not final, not settled): a charge of the same
 * wallet or membership now could take the money twice.
 */
const UNSETTLED = "status NOT IN ('paid', 'declined', 'closed') AND settled = 0";

export class MemberStore {
  constructor(
    private readonly db: () => Database.Database,
    private readonly write: <T>(work: () => T) => T,
    private readonly read: <T>(work: () => T) => T,
  ) {}

  private event(
    at: number,
    ids: { memberId: string; linkId?: string | null; subscriptionId?: string | null },
    status: string | null,
    event: MemberEventInput,
  ): void {
    this.db()
      .prepare(
        'INSERT INTO member_events (at, member_id, link_id, subscription_id, kind, status, detail) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        at,
        ids.memberId,
        ids.linkId ?? null,
        ids.subscriptionId ?? null,
        event.kind,
        status,
        event.detail === undefined ? null : JSON.stringify(event.detail),
      );
  }

  member(memberId: string): MemberRecord | undefined {
    return this.read(() => {
      const row = this.db().prepare('SELECT * FROM members WHERE member_id = ?').get(memberId) as
        Row | undefined;
      return row ? memberFromRow(row) : undefined;
    });
  }

  /** The member, created when new (an existing member is returned as it is). */
  ensureMember(record: MemberRecord): MemberRecord {
    return this.write(() =>
      this.db()
        .transaction(() => {
          const existing = this.db()
            .prepare('SELECT * FROM members WHERE member_id = ?')
            .get(record.memberId) as Row | undefined;
          if (existing) return memberFromRow(existing);
          this.db()
            .prepare(
              'INSERT INTO members (member_id, label, phone_hashed, created_at) VALUES (?, ?, ?, ?)',
            )
            .run(record.memberId, record.label, record.phoneHashed ? 1 : 0, record.createdAt);
          this.event(record.createdAt, record, null, {
            kind: 'member-created',
            detail: { phoneHashed: record.phoneHashed },
          });
          return record;
        })
        .immediate(),
    );
  }

  /** Members whose id or label contains `search` (every member without one), newest first. */
  members(search = '', limit = 200): MemberRecord[] {
    return this.read(() =>
      (
        this.db()
          .prepare(
            "SELECT * FROM members WHERE ? = '' OR instr(lower(member_id), lower(?)) > 0 " +
              "OR instr(lower(COALESCE(label, '')), lower(?)) > 0 ORDER BY created_at DESC LIMIT ?",
          )
          .all(search, search, search, limit) as Row[]
      ).map(memberFromRow),
    );
  }

  link(linkId: string): LinkRecord | undefined {
    return this.read(() => {
      const row = this.db()
        .prepare('SELECT * FROM linked_wallets WHERE link_id = ?')
        .get(linkId) as Row | undefined;
      return row ? linkFromRow(row) : undefined;
    });
  }

  /** Every sign-up of the member (of one wallet when given), newest first. */
  linksOf(memberId: string, wallet?: LinkWallet): LinkRecord[] {
    return this.read(() =>
      (
        this.db()
          .prepare(
            'SELECT * FROM linked_wallets WHERE member_id = ? AND (? IS NULL OR wallet = ?) ' +
              'ORDER BY created_at DESC, rowid DESC',
          )
          .all(memberId, wallet ?? null, wallet ?? null) as Row[]
      ).map(linkFromRow),
    );
  }

  /** Every sign-up, newest first (the latest of each member and wallet first). */
  allLinks(limit = 1000): LinkRecord[] {
    return this.read(() =>
      (
        this.db()
          .prepare('SELECT * FROM linked_wallets ORDER BY created_at DESC, rowid DESC LIMIT ?')
          .all(limit) as Row[]
      ).map(linkFromRow),
    );
  }

  pendingLinks(): LinkRecord[] {
    return this.read(() =>
      (
        this.db()
          .prepare("SELECT * FROM linked_wallets WHERE status = 'pending' ORDER BY created_at")
          .all() as Row[]
      ).map(linkFromRow),
    );
  }

  /** A new sign-up (status pending), journaled before the bind is sent. */
  createLink(link: LinkRecord, event: MemberEventInput): LinkRecord {
    return this.write(() =>
      this.db()
        .transaction(() => {
          const exists = this.db()
            .prepare('SELECT 1 FROM linked_wallets WHERE link_id = ?')
            .get(link.linkId);
          if (exists) {
            throw new JournalError(
              'journal-conflict',
              `Sign-up ${link.linkId} is already journaled`,
            );
          }
          this.db()
            .prepare(UPSERT_LINK_SQL)
            .run(toParams({ ...link }, LINK_COLUMNS));
          this.event(link.createdAt, link, link.status, event);
          return link;
        })
        .immediate(),
    );
  }

  /**
   * One change of a link, applied to its CURRENT row and refused (JournalError
   * 'journal-conflict') unless shared/members.ts allows the status move. A move to
   * the status it already has changes only the other fields (a re-check, a token).
   */
  changeLink(linkId: string, patch: Partial<LinkRecord>, event: MemberEventInput): LinkRecord {
    return this.write(() =>
      this.db()
        .transaction(() => {
          const row = this.db()
            .prepare('SELECT * FROM linked_wallets WHERE link_id = ?')
            .get(linkId) as Row | undefined;
          if (!row) throw new JournalError('journal-conflict', `There is no sign-up ${linkId}`);
          const current = linkFromRow(row);
          const next: LinkRecord = { ...current, ...patch, linkId };
          const check = checkLinkTransition(current.status, next.status);
          if (!check.ok) {
            throw new JournalError('journal-conflict', `Sign-up ${linkId}: ${check.reason}`);
          }
          this.db()
            .prepare(UPSERT_LINK_SQL)
            .run(toParams({ ...next }, LINK_COLUMNS));
          if (next.status !== current.status || event.kind !== 'checked') {
            this.event(next.updatedAt, next, next.status, event);
          }
          return next;
        })
        .immediate(),
    );
  }

  subscription(subscriptionId: string): SubscriptionRecord | undefined {
    return this.read(() => {
      const row = this.db()
        .prepare('SELECT * FROM subscriptions WHERE subscription_id = ?')
        .get(subscriptionId) as Row | undefined;
      return row ? subscriptionFromRow(row) : undefined;
    });
  }

  subscriptionsOf(memberId?: string): SubscriptionRecord[] {
    return this.read(() =>
      (
        this.db()
          .prepare(
            'SELECT * FROM subscriptions WHERE ? IS NULL OR member_id = ? ORDER BY created_at DESC, rowid DESC',
          )
          .all(memberId ?? null, memberId ?? null) as Row[]
      ).map(subscriptionFromRow),
    );
  }

  saveSubscription(record: SubscriptionRecord, event: MemberEventInput): SubscriptionRecord {
    return this.write(() =>
      this.db()
        .transaction(() => {
          this.db()
            .prepare(UPSERT_SUBSCRIPTION_SQL)
            .run(toParams({ ...record }, SUBSCRIPTION_COLUMNS));
          this.event(record.updatedAt, record, record.status, event);
          return record;
        })
        .immediate(),
    );
  }

  /**
   * Paid charges of the subscription (its first payment and each renewal) that were not
   * refunded in full: money given back is not a paid period (a refund still in flight counts
   * as paid until the gateway confirms it, so the period is never charged twice).
   */
  paidCount(subscriptionId: string): number {
    return this.read(() =>
      int(
        (
          this.db()
            .prepare(
              "SELECT COUNT(*) AS n FROM sales s WHERE s.subscription_id = ? AND s.status = 'paid' " +
                'AND s.abandoned IS NULL AND COALESCE((SELECT SUM(r.amount_minor) FROM refunds r ' +
                "WHERE r.order_id = s.order_id AND r.status = 'refunded'), 0) < s.amount_minor",
            )
            .get(subscriptionId) as Row
        ).n,
      ),
    );
  }

  /** Whether the sale was paid and then refunded in full (confirmed by the gateway). */
  refundedInFull(orderId: string): boolean {
    return this.read(() => {
      const row = this.db()
        .prepare(
          'SELECT s.amount_minor AS amount, COALESCE((SELECT SUM(r.amount_minor) FROM refunds r ' +
            "WHERE r.order_id = s.order_id AND r.status = 'refunded'), 0) AS refunded " +
            "FROM sales s WHERE s.order_id = ? AND s.status = 'paid'",
        )
        .get(orderId) as Row | undefined;
      return row !== undefined && int(row.refunded) >= int(row.amount);
    });
  }

  /**
   * The subscription's charges whose outcome is not known yet (being sent, confirmed, or
   * unknown): another renewal must wait for them, or the period could be charged twice.
   */
  /** The member's charges of `wallet` (linked-wallet sales) whose outcome is not final yet. */
  unsettledLinkedCharges(memberId: string, wallet: string): string[] {
    return this.read(() =>
      (
        this.db()
          .prepare(
            "SELECT order_id FROM sales WHERE member_id = ? AND tender = 'linked-wallet' " +
              `AND method = ? AND ${UNSETTLED} ORDER BY created_at`,
          )
          .all(memberId, wallet) as Row[]
      ).map((row) => String(row.order_id)),
    );
  }

  unsettledCharges(subscriptionId: string): string[] {
    return this.read(() =>
      (
        this.db()
          .prepare(
            `SELECT order_id FROM sales WHERE subscription_id = ? AND ${UNSETTLED} ORDER BY created_at`,
          )
          .all(subscriptionId) as Row[]
      ).map((row) => String(row.order_id)),
    );
  }

  events(memberId: string): MemberEvent[] {
    return this.read(() =>
      (
        this.db()
          .prepare('SELECT * FROM member_events WHERE member_id = ? ORDER BY seq')
          .all(memberId) as Row[]
      ).map((row) => ({
        seq: int(row.seq),
        at: int(row.at),
        memberId: String(row.member_id),
        linkId: text(row.link_id),
        subscriptionId: text(row.subscription_id),
        kind: String(row.kind),
        status: text(row.status),
        detail: typeof row.detail === 'string' ? (JSON.parse(row.detail) as Row) : null,
      })),
    );
  }
}
