/**
 * Members in the journal (migration 4) and payment tokens sealed at rest: a journal from
 * before the migration opens with its sales; a token is never in the file's bytes in clear;
 * a token sealed under another data key (or with none) cannot be read, and says so.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  JOURNAL_FILE,
  LATEST_VERSION,
  openJournal,
  type Journal,
} from '../../../electron/journal/journal.ts';
import { MIGRATIONS } from '../../../electron/journal/migrations.ts';
import {
  createTokenCipher,
  newDataKey,
  parseDataKey,
} from '../../../electron/members/tokenCipher.ts';
import { removeDir, tempDataDir } from '../../support/engineProcess.ts';

const dirs: string[] = [];
const journals: Journal[] = [];
afterEach(() => {
  for (const j of journals.splice(0)) if (j.isOpen) j.close();
  for (const d of dirs.splice(0)) removeDir(d);
});
function dir(): string {
  const d = tempDataDir();
  dirs.push(d);
  return d;
}
function open(d: string): Journal {
  const j = openJournal({ dir: d });
  journals.push(j);
  return j;
}

type LinkRow = Parameters<Journal['members']['createLink']>[0];
/** Link L-1 of member M-1 to AlipayHK, pending, with what the test sets. */
function pendingLink(patch: Partial<LinkRow>): LinkRow {
  return {
    linkId: 'L-1',
    memberId: 'M-1',
    wallet: 'AlipayHK',
    status: 'pending',
    tokenSealed: null,
    keyId: null,
    authUrl: null,
    expiresAt: null,
    reason: null,
    reasonCode: null,
    createdAt: 1,
    updatedAt: 1,
    lastCheckedAt: null,
    unboundBy: null,
    training: false,
    gateway: null,
    accId: null,
    ...patch,
  };
}

describe('the journal before and after migration 4', () => {
  it('a version-3 journal opens: its sales stay (paid with a code), the member tables are there', () => {
    const d = dir();
    const raw = new Database(path.join(d, JOURNAL_FILE));
    raw.pragma('journal_mode = WAL');
    for (const m of MIGRATIONS.filter((x) => x.version <= 3)) raw.exec(m.sql);
    raw.pragma('user_version = 3');
    raw
      .prepare(
        'INSERT INTO events (kind, order_id, terminal_id, status, amount_minor, currency, method, ' +
          'attempt, request_id, recovered, settled, created_at, updated_at, day) ' +
          "VALUES ('resolved', 'OLD-1', 'T', 'paid', 1000, 'CNY', 'Wechat-Offline', 1, 'OLD-1-A1', 0, 1, 1, 2, '2025-01-01')",
      )
      .run();
    raw.close();
    const j = open(d);
    expect(j.schemaVersion()).toBe(LATEST_VERSION);
    expect(j.sale('OLD-1')).toMatchObject({
      status: 'paid',
      tender: 'code',
      memberId: null,
      paymentUrl: null,
    });
    expect(j.members.members()).toEqual([]);
  });

  it('a sale with a tender keeps it, its member and its checkout page through every change', () => {
    const j = open(dir());
    const base = {
      orderId: 'CO-1',
      terminalId: 'T',
      status: 'submitting' as const,
      amountMinor: 500,
      currency: 'HKD' as const,
      method: 'ApplePay' as const,
      maskedCode: null,
      source: 'checkout',
      attempt: 1,
      requestId: 'CO-1-A1',
      transactionId: null,
      gatewayStatus: null,
      reason: null,
      reasonCode: null,
      abandoned: null,
      recovered: false,
      settled: false,
      createdAt: 1,
      updatedAt: 1,
      day: '2025-01-01',
      tender: 'checkout' as const,
      memberId: 'M-1',
      brand: 'ApplePay',
      paymentUrl: null,
      subscriptionId: 'SUB-1',
    };
    j.saveSale(base, { kind: 'submitted' });
    j.saveSale(
      {
        ...base,
        status: 'waiting-for-customer',
        paymentUrl: 'http://x/pay',
        expiresAt: 99,
        updatedAt: 2,
      },
      { kind: 'checkout-created' },
    );
    expect(j.sale('CO-1')).toMatchObject({
      tender: 'checkout',
      memberId: 'M-1',
      brand: 'ApplePay',
      paymentUrl: 'http://x/pay',
      expiresAt: 99,
      subscriptionId: 'SUB-1',
    });
  });

  it('a link moves only as the table allows, checked on its current row', () => {
    const j = open(dir());
    j.members.ensureMember({ memberId: 'M-1', label: null, phoneHashed: false, createdAt: 1 });
    j.members.createLink(pendingLink({ training: true, gateway: 'embedded-simulator' }), {
      kind: 'link-started',
    });
    j.members.changeLink('L-1', { status: 'active', updatedAt: 2 }, { kind: 'link-active' });
    expect(() =>
      j.members.changeLink('L-1', { status: 'pending', updatedAt: 3 }, { kind: 'x' }),
    ).toThrow(/cannot move from active to pending/);
    j.members.changeLink(
      'L-1',
      { status: 'unbound', unboundBy: 'cashier', updatedAt: 4 },
      { kind: 'link-unbound' },
    );
    expect(j.members.link('L-1')).toMatchObject({ status: 'unbound', unboundBy: 'cashier' });
    expect(j.members.events('M-1').map((e) => e.kind)).toEqual([
      'member-created',
      'link-started',
      'link-active',
      'link-unbound',
    ]);
  });
});

describe('tokens sealed at rest', () => {
  it('round trip; the sealed text and the journal file never hold the token', () => {
    const cipher = createTokenCipher(newDataKey());
    const token = 'TOKEN-abcdef-0123456789-SECRET';
    const sealed = cipher.seal(token, 'M-1\u0000AlipayHK');
    expect(sealed).not.toContain(token);
    expect(cipher.open(sealed, 'M-1\u0000AlipayHK')).toBe(token);

    const d = dir();
    const j = open(d);
    j.members.ensureMember({ memberId: 'M-1', label: null, phoneHashed: false, createdAt: 1 });
    j.members.createLink(
      pendingLink({ tokenSealed: sealed, keyId: cipher.keyId, authUrl: 'http://x/auth' }),
      { kind: 'link-created' },
    );
    j.close();
    const bytes = [JOURNAL_FILE, `${JOURNAL_FILE}-wal`]
      .map((f) => {
        try {
          return readFileSync(path.join(d, f)).toString('latin1');
        } catch {
          return '';
        }
      })
      .join('');
    expect(bytes).toContain('http://x/auth');
    expect(bytes).not.toContain(token);
  });

  it('bound to its member: copied to another member it does not open', () => {
    const cipher = createTokenCipher(newDataKey());
    const sealed = cipher.seal('T', 'M-1\u0000Alipay');
    expect(cipher.open(sealed, 'M-2\u0000Alipay')).toBeNull();
  });

  it('another data key, or none: null (the member links again), never a throw', () => {
    const sealed = createTokenCipher(newDataKey()).seal('T', 'c');
    expect(createTokenCipher(newDataKey()).open(sealed, 'c')).toBeNull();
    expect(createTokenCipher(null).open(sealed, 'c')).toBeNull();
    expect(createTokenCipher(null).open('garbage', 'c')).toBeNull();
    expect(() => createTokenCipher(null).seal('T', 'c')).toThrow(/no data key/);
  });

  it('a data key is 32 bytes as base64 or hex; anything else is refused', () => {
    const key = newDataKey();
    expect(parseDataKey(key.toString('base64'))?.equals(key)).toBe(true);
    expect(parseDataKey(key.toString('hex'))?.equals(key)).toBe(true);
    expect(parseDataKey('short')).toBeNull();
    expect(parseDataKey(undefined)).toBeNull();
  });
});
