/**
 * Linked wallets (issue 12) against the real simulator over HTTP: link (the customer agrees
 * on the wallet page), charge without a scan through the engine's lifecycle, and every
 * failure case — over the limit (refused before sending), unlinked in the wallet (marked
 * unbound, "scan or link again"), the member id not the sign-up's ("token does not exist":
 * an integration fault, no retry, no unbind), a sign-up nobody answers (expires; a new
 * attempt is a new requestId), pending sign-ups re-checked at start, a stale link re-checked
 * before a charge, unbind at the gateway, no data key. Ledger vs journal after each; the
 * token never in the journal's bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useMemberTerminals } from '../../support/memberTerminal.ts';
import { chargeThenCancel } from '../../support/linkedCharges.ts';
import { EngineError } from '../../../electron/engine/errors.ts';
import { newDataKey } from '../../../electron/members/tokenCipher.ts';
import { ledgerProblems, waitFor, isShownFinal } from '../../support/engineProcess.ts';
import {
  customerDoes,
  journalBytes,
  openMemberTerminal,
  startMemberSim,
  type MemberSim,
  type MemberTerminal,
} from './support.ts';

const members = useMemberTerminals('LW');
const { terminal, key } = members;

let memberSeq = 0;
function memberId(): string {
  memberSeq += 1;
  return `M-${Date.now().toString(36)}-${memberSeq}`;
}

/** Links `wallet` for a new member and has the customer agree. */
async function linked(t: MemberTerminal, wallet: 'AlipayHK' | 'Alipay' = 'AlipayHK') {
  const id = memberId();
  const pending = await t.members.link(id, wallet);
  expect(pending.status).toBe('pending');
  expect(pending.authUrl).toMatch(/\/__sim\/wallet\/authorize\?ticket=/);
  expect(await customerDoes(pending.authUrl as string, 'agree')).toBeLessThan(400);
  const active = await t.members.waitForLink(pending.linkId, 10_000);
  expect(active.status).toBe('active');
  return { id, link: active, authUrl: pending.authUrl as string };
}

async function finalOf(t: MemberTerminal, orderId: string) {
  return waitFor(
    () => t.engine.sale(orderId),
    (s) => s !== null && isShownFinal(s),
    15_000,
  );
}

describe('link, then charge without a scan', () => {
  it('agreed in the wallet: active; a charge is paid once, method the wallet, ledger agrees', async () => {
    const t = await terminal();
    const { id } = await linked(t);
    const first = await t.engine.chargeMember({
      amountMinor: 12_30,
      currency: 'HKD',
      memberId: id,
    });
    const sale = await finalOf(t, first.orderId);
    expect(sale).toMatchObject({ status: 'paid', method: 'AlipayHK' });
    const record = t.terminal.journal.sale(first.orderId);
    expect(record).toMatchObject({ tender: 'linked-wallet', memberId: id, maskedCode: null });
    const charges = members.sim.ledger().filter((e) => e.merchantTransactionId === first.orderId);
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({
      status: 'SUCCESS',
      scanCodeId: null,
      methodType: 'AlipayHK',
    });
    expect(
      ledgerProblems(members.sim.ledger(), t.terminal.journal, { terminalId: t.terminalId }),
    ).toEqual([]);
    // Never a token in the journal's bytes (file and WAL).
    expect(t.secrets.tokens.size).toBeGreaterThan(0);
    const bytes = journalBytes(t.terminal.dataDir);
    for (const token of t.secrets.tokens) expect(bytes).not.toContain(token);
  });

  it('answered "payment code expired" (amount ending in 8): declined, never "ask for a fresh code" (none was scanned)', async () => {
    const t = await terminal();
    const { id } = await linked(t);
    const view = await t.engine.chargeMember({ amountMinor: 12_38, currency: 'HKD', memberId: id });
    const sale = await finalOf(t, view.orderId);
    expect(sale).toMatchObject({ status: 'declined', reasonCode: 'token-charge-expired' });
    expect(sale?.reason).not.toMatch(/fresh code/);
    expect(sale?.reason).toMatch(/check their wallet app, or to scan their payment code/);
    expect(
      members.sim
        .ledger()
        .filter((e) => e.merchantTransactionId === view.orderId && e.status === 'SUCCESS'),
    ).toEqual([]);
  });

  it('two charges at once (a double tap): one is sent and paid, the other refused; one charge', async () => {
    const t = await terminal();
    const { id } = await linked(t);
    const results = await Promise.allSettled([
      t.engine.chargeMember({ amountMinor: 6_60, currency: 'HKD', memberId: id }),
      t.engine.chargeMember({ amountMinor: 6_60, currency: 'HKD', memberId: id }),
    ]);
    const sent = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = results.flatMap((r) =>
      r.status === 'rejected' ? [r.reason as EngineError] : [],
    );
    expect(sent).toHaveLength(1);
    expect(refused.map((e) => e.code)).toEqual(['sale-in-progress']);
    expect(await finalOf(t, sent[0]?.orderId ?? '')).toMatchObject({ status: 'paid' });
    expect(t.terminal.journal.listSales()).toHaveLength(1);
    expect(
      ledgerProblems(members.sim.ledger(), t.terminal.journal, { terminalId: t.terminalId }),
    ).toEqual([]);
  });

  it('cancelled while the customer confirms: a second charge of that wallet waits for the first one’s outcome', async () => {
    const t = await terminal();
    const { id } = await linked(t);
    const first = await chargeThenCancel(t, id);
    const cancelled = t.engine.sale(first.orderId);
    expect(cancelled).toMatchObject({ abandoned: true });
    const again = await t.engine
      .chargeMember({ amountMinor: 7_02, currency: 'HKD', memberId: id })
      .catch((e: unknown) => e as EngineError);
    expect(again).toBeInstanceOf(EngineError);
    expect((again as EngineError).reasonCode).toBe('link-unsettled');
    expect((again as EngineError).message).toMatch(/still being confirmed — nothing was charged/);
    // Only the first was ever sent; once it is settled the wallet can be charged again.
    await finalOf(t, first.orderId);
    await waitFor(
      () => t.engine.sale(first.orderId),
      (s) => s !== null && ['paid', 'declined', 'closed'].includes(s.status),
      20_000,
    );
    expect(
      members.sim.ledger().filter((e) => e.merchantUserId === id && e.kind === 'charge'),
    ).toHaveLength(1);
    const third = await t.engine.chargeMember({ amountMinor: 7_00, currency: 'HKD', memberId: id });
    expect(await finalOf(t, third.orderId)).toMatchObject({ status: 'paid' });
  });

  it('two link taps at once start one sign-up', async () => {
    const t = await terminal();
    const id = memberId();
    const [a, b] = await Promise.all([
      t.members.link(id, 'AlipayHK'),
      t.members.link(id, 'AlipayHK'),
    ]);
    expect(a.linkId).toBe(b.linkId);
    expect(t.terminal.journal.members.linksOf(id)).toHaveLength(1);
  });

  it('declined in the wallet: the sign-up ends declined', async () => {
    const t = await terminal();
    const pending = await t.members.link(memberId(), 'Alipay');
    await customerDoes(pending.authUrl as string, 'decline');
    expect((await t.members.waitForLink(pending.linkId, 10_000)).status).toBe('declined');
  });

  it('above the wallet limit: refused before anything is sent, with the reason', async () => {
    const t = await terminal();
    const { id } = await linked(t);
    const before = members.sim.ledger().length;
    const refusal = await t.engine
      .chargeMember({ amountMinor: 5_000_001, currency: 'HKD', memberId: id })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(EngineError);
    expect((refusal as EngineError).reasonCode).toBe('link-limit-exceeded');
    expect((refusal as EngineError).message).toContain('HK$50,000.00');
    expect(members.sim.ledger().length).toBe(before);
    expect(t.terminal.journal.listSales()).toEqual([]);
  });

  it('unlinked inside the wallet: the charge is declined, the link marked unbound, "scan or link again"', async () => {
    const t = await terminal();
    const { id, authUrl } = await linked(t);
    expect(await customerDoes(authUrl, 'unbind')).toBeLessThan(400);
    // The link was checked a moment ago: the charge itself finds out.
    const first = await t.engine.chargeMember({ amountMinor: 5_00, currency: 'HKD', memberId: id });
    const sale = await finalOf(t, first.orderId);
    expect(sale).toMatchObject({ status: 'declined', reasonCode: 'link-unbound' });
    expect(sale?.reason).toContain('ask the customer to scan their payment code or link again');
    expect(sale?.reason).toContain('UNBOUND');
    const view = t.members.view(id);
    expect(view?.links[0]).toMatchObject({ status: 'unbound', unboundBy: 'wallet' });
    // Next time: refused before anything is sent.
    const again = await t.engine
      .chargeMember({ amountMinor: 5_00, currency: 'HKD', memberId: id })
      .catch((e: unknown) => e as EngineError);
    expect((again as EngineError).reasonCode).toBe('link-unbound');
    expect(
      ledgerProblems(members.sim.ledger(), t.terminal.journal, { terminalId: t.terminalId }),
    ).toEqual([]);
  });

  it('a link whose last check is old is asked about first: unlinked meanwhile, nothing is sent', async () => {
    const t = await terminal({ memberTuning: { recheckAfterMs: 0 } });
    const { id, authUrl } = await linked(t);
    await customerDoes(authUrl, 'unbind');
    const refusal = await t.engine
      .chargeMember({ amountMinor: 5_00, currency: 'HKD', memberId: id })
      .catch((e: unknown) => e as EngineError);
    expect((refusal as EngineError).reasonCode).toBe('link-unbound');
    expect(t.terminal.journal.listSales()).toEqual([]);
    expect(t.members.view(id)?.links[0]?.status).toBe('unbound');
  });

  it('the member id is not the sign-up\'s ("token does not exist"): declined, not retried, NOT unbound', async () => {
    const good = await terminal();
    const { id } = await linked(good);
    await members.closeNow(good);
    // Same data folder's members would be needed; instead a terminal whose integration
    // sends another merchantUserId with the token (the fault being tested).
    const t = await terminal({ rewrite: { merchantUserId: 'SOMEONE-ELSE' } });
    const { id: other } = await linked(t);
    const first = await t.engine.chargeMember({
      amountMinor: 3_00,
      currency: 'HKD',
      memberId: other,
    });
    const sale = await finalOf(t, first.orderId);
    expect(sale).toMatchObject({ status: 'declined', reasonCode: 'member-token-mismatch' });
    expect(t.members.view(other)?.links[0]?.status).toBe('active');
    const events = t.terminal.journal.events(first.orderId).map((e) => e.kind);
    expect(events.filter((k) => k === 'resend')).toEqual([]);
    expect(members.sim.ledger().filter((e) => e.merchantTransactionId === first.orderId)).toEqual(
      [],
    );
    expect(id).not.toBe(other);
  });

  it('unbind at the till: the gateway says UNBOUND, the link is unbound by who did it', async () => {
    const t = await terminal();
    const { id } = await linked(t);
    const done = await t.members.unbind(id, 'AlipayHK', 'cashier');
    expect(done).toEqual([expect.objectContaining({ status: 'unbound', unboundBy: 'cashier' })]);
    const refusal = await t.engine
      .chargeMember({ amountMinor: 1_00, currency: 'HKD', memberId: id })
      .catch((e: unknown) => e as EngineError);
    expect((refusal as EngineError).reasonCode).toBe('link-unbound');
  });

  it('pending sign-ups are asked about again at start: agreed while the till was off → active', async () => {
    const first = await terminal({ keepDir: true });
    const id = memberId();
    const pending = await first.members.link(id, 'AlipayHK');
    const dataDir = first.terminal.dataDir;
    await members.closeNow(first);
    await customerDoes(pending.authUrl as string, 'agree');
    const second = await terminal({ dataDir });
    expect(second.members.view(id)?.links[0]?.status).toBe('pending');
    await second.members.recheckPending();
    expect(second.members.view(id)?.links[0]?.status).toBe('active');
  });

  it('a terminal without its data key cannot read the token: "link again", never a crash', async () => {
    const first = await terminal({ keepDir: true });
    const { id } = await linked(first);
    const dataDir = first.terminal.dataDir;
    await members.closeNow(first);
    const other = await terminal({ dataDir, key: newDataKey() });
    const refusal = await other.engine
      .chargeMember({ amountMinor: 1_00, currency: 'HKD', memberId: id })
      .catch((e: unknown) => e as EngineError);
    expect((refusal as EngineError).reasonCode).toBe('link-token-unreadable');
    expect((refusal as EngineError).message).toMatch(/link again/);
    const none = await terminal({ dataDir, key: null });
    await expect(none.members.link(memberId(), 'AlipayHK')).rejects.toThrow(/no data key/);
  });
});

describe('a sign-up nobody answers', () => {
  let fast: MemberSim;
  beforeAll(async () => {
    fast = await startMemberSim(0.005); // the sign-up lapses after 3 s
  });
  afterAll(async () => {
    await fast.close();
  });
  it('expires; linking again makes a new sign-up with a new requestId', async () => {
    const t = members.track(await openMemberTerminal(fast, { key }));
    const id = memberId();
    const first = await t.members.link(id, 'AlipayHK');
    const ended = await t.members.waitForLink(first.linkId, 20_000);
    expect(ended.status).toBe('expired');
    const second = await t.members.link(id, 'AlipayHK');
    expect(second.status).toBe('pending');
    expect(second.linkId).not.toBe(first.linkId);
    expect(second.authUrl).not.toBe(first.authUrl);
  });
});
