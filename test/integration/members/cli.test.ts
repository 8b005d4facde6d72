/**
 * `pospay member link | list | unbind`, `pay --member`, `checkout`, `renew` as real child
 * processes against the simulator over HTTP (interfaces.md): their JSON lines and exit
 * codes; a SIGKILL mid token-charge and mid-checkout, then recovery: charged once. The
 * token never appears in what the commands print nor in the journal file's bytes.
 */
import { describe, expect, it } from 'vitest';
import { usePospayMembers, monthlyCheckoutArgs } from '../../support/memberTerminal.ts';
import { localDay } from '../../../shared/sale.ts';
import { openJournal } from '../../../electron/journal/journal.ts';
import { ledgerProblems, openTestTerminal, waitFor } from '../../support/engineProcess.ts';
import { makeClient } from '../../support/simulator.ts';
import { runPospay, startPospay, type PospayRun } from '../../support/pospayCli.ts';
import { customerDoes, journalBytes } from './support.ts';

const members = usePospayMembers(terminalIdOf);
const { env, newDir } = members;

/** The terminal of `dataDir` opened again, its recovery awaited. */
function restarted(dataDir: string) {
  return openTestTerminal(members.sim, {
    dataDir,
    recovery: 'await',
    currency: 'HKD',
    region: 'HK',
  });
}

/** One terminal id per data folder (the ledger is shared by every test of the file). */
const ids = new Map<string, string>();
function terminalIdOf(dataDir: string): string {
  let id = ids.get(dataDir);
  if (!id) {
    id = `CLI${ids.size + 1}`;
    ids.set(dataDir, id);
  }
  return id;
}

function lines(run: Pick<PospayRun, 'stdout'>): Record<string, unknown>[] {
  return run.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Starts `pospay ARGS` and resolves with its first JSON line (and the running child). */
async function firstLine(args: string[], environment: Record<string, string>) {
  const child = startPospay(args, environment);
  let out = '';
  child.child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const line = await waitFor(
    () => out.split('\n').find((l) => l.startsWith('{')),
    (l) => l !== undefined,
    20_000,
  );
  return { child, line: JSON.parse(line ?? '{}') as Record<string, unknown> };
}

/** Links a member through the CLI, the customer agreeing on the wallet page. */
async function linkThroughCli(dataDir: string, member: string) {
  const { child, line } = await firstLine(
    ['member', 'link', '--member', member, '--wallet', 'AlipayHK'],
    env(dataDir),
  );
  expect(line).toMatchObject({ member, wallet: 'AlipayHK', status: 'pending' });
  expect(String(line.authUrl)).toMatch(/\/__sim\/wallet\/authorize\?ticket=/);
  await customerDoes(String(line.authUrl), 'agree');
  const run = await child.done;
  return run;
}

/** The gateway's token of the member's latest sign-up (asked with the sign-up's requestId). */
async function tokenOf(dataDir: string, member: string): Promise<string> {
  const j = openJournal({ dir: dataDir });
  const link = j.members.linksOf(member)[0];
  j.close();
  const client = makeClient(members.sim);
  const answer = await client.queryBind({ merchantUserId: member, requestId: link?.linkId ?? '' });
  client.close();
  if (answer.kind !== 'status') throw new Error(`no token: ${JSON.stringify(answer)}`);
  return answer.token;
}

describe('pospay member and pay --member', () => {
  it('link prints pending then active (exit 0); list; pay; over the limit; unbind; pay refused', async () => {
    const d = newDir();
    const member = `C-${Date.now().toString(36)}`;
    const linking = await linkThroughCli(d, member);
    expect(linking.code, linking.stderr).toBe(0);
    const [pending, active] = lines(linking);
    expect(pending).toMatchObject({ status: 'pending' });
    expect(active).toMatchObject({ member, wallet: 'AlipayHK', status: 'active' });

    const listed = await runPospay(['member', 'list', '--json'], env(d));
    expect(listed.code).toBe(0);
    expect(lines(listed)).toEqual([
      expect.objectContaining({ member, wallet: 'AlipayHK', status: 'active' }),
    ]);

    const paid = await runPospay(
      ['pay', '--amount', '12.30', '--currency', 'HKD', '--member', member],
      env(d),
    );
    expect(paid.code, paid.stderr).toBe(0);
    expect(lines(paid)).toEqual([expect.objectContaining({ status: 'paid', method: 'AlipayHK' })]);

    const history = await runPospay(['history', '--json'], env(d));
    expect(lines(history)).toEqual([
      expect.objectContaining({
        status: 'paid',
        method: 'AlipayHK',
        tender: 'linked-wallet',
        memberId: member,
      }),
    ]);

    const over = await runPospay(
      ['pay', '--amount', '50000.01', '--currency', 'HKD', '--member', member],
      env(d),
    );
    expect(over.code).toBe(2);
    expect(over.stderr).toContain('HK$50,000.00');

    const token = await tokenOf(d, member);
    const unbound = await runPospay(['member', 'unbind', '--member', member], env(d));
    expect(unbound.code, unbound.stderr).toBe(0);
    expect(lines(unbound)).toEqual([expect.objectContaining({ member, status: 'unbound' })]);
    const refused = await runPospay(
      ['pay', '--amount', '1.00', '--currency', 'HKD', '--member', member],
      env(d),
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('ask the customer to scan their payment code or link again');

    for (const run of [linking, listed, paid, over, unbound, refused]) {
      expect(run.stdout + run.stderr).not.toContain(token);
    }
    expect(journalBytes(d)).not.toContain(token);
    const j = openJournal({ dir: d });
    expect(ledgerProblems(members.sim.ledger(), j, { terminalId: env(d).POS_TERMINAL_ID })).toEqual(
      [],
    );
    j.close();
  });

  it('refuses WeChat Pay, a phone number as a member id, and a missing wallet (exit 2)', async () => {
    const d = newDir();
    const wechat = await runPospay(
      ['member', 'link', '--member', 'M1', '--wallet', 'WeChatPay'],
      env(d),
    );
    expect(wechat.code).toBe(2);
    expect(wechat.stderr).toMatch(/WeChat Pay does not support linked wallets/);
    const phone = await runPospay(
      ['member', 'link', '--member', '85291234567', '--wallet', 'AlipayHK'],
      env(d),
    );
    expect(phone.code).toBe(2);
    expect(phone.stderr).toMatch(/phone number/);
    const none = await runPospay(
      ['pay', '--amount', '1', '--currency', 'HKD', '--member', 'NOBODY'],
      env(d),
    );
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no member NOBODY/);
  });

  it('a sign-up declined in the wallet: pending, then declined, exit 1', async () => {
    const d = newDir();
    const { child, line } = await firstLine(
      ['member', 'link', '--member', 'DECL-1', '--wallet', 'Alipay'],
      env(d),
    );
    await customerDoes(String(line.authUrl), 'decline');
    const run = await child.done;
    expect(run.code).toBe(1);
    expect(lines(run)[1]).toMatchObject({ status: 'declined' });
  });

  it('SIGKILL mid token-charge (the answer not journaled), then recovery: charged once, paid', async () => {
    const d = newDir();
    const member = `K-${Date.now().toString(36)}`;
    expect((await linkThroughCli(d, member)).code).toBe(0);
    const killed = await runPospay(
      ['pay', '--amount', '7.70', '--currency', 'HKD', '--member', member],
      env(d, { POS_FAULT: 'after-send-before-answer' }),
    );
    expect(killed.signal).toBe('SIGKILL');
    const t = await restarted(d);
    try {
      const [sale] = t.journal.listSales();
      const final = await waitFor(
        () => t.engine.sale(sale?.orderId ?? ''),
        (s) => s?.status === 'paid',
      );
      expect(final).toMatchObject({ status: 'paid', method: 'AlipayHK', tender: 'linked-wallet' });
      expect(
        members.sim
          .ledger()
          .filter((e) => e.merchantTransactionId === sale?.orderId && e.status === 'SUCCESS'),
      ).toHaveLength(1);
      expect(
        ledgerProblems(members.sim.ledger(), t.journal, { terminalId: env(d).POS_TERMINAL_ID }),
      ).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('pospay checkout and renew', () => {
  it('checkout prints pending with the paymentUrl, then paid (exit 0); a membership then renew', async () => {
    const d = newDir();
    const { child, line } = await firstLine(
      ['checkout', '--amount', '25.00', '--currency', 'HKD', '--brand', 'ApplePay'],
      env(d),
    );
    expect(line).toMatchObject({ status: 'pending' });
    expect(Object.keys(line).sort()).toEqual(['orderId', 'paymentUrl', 'status']);
    await customerDoes(String(line.paymentUrl), 'pay');
    const run = await child.done;
    expect(run.code, run.stderr).toBe(0);
    expect(lines(run)[1]).toMatchObject({
      orderId: line.orderId,
      status: 'paid',
      method: 'ApplePay',
    });

    const member = `S-${Date.now().toString(36)}`;
    const sub = await firstLine(
      [
        ...monthlyCheckoutArgs(member, '99.00'),
        // Started 40 days ago: one monthly renewal is due (a renewal not due is refused).
        '--start',
        localDay(Date.now() - 40 * 86_400_000),
      ],
      env(d),
    );
    await customerDoes(String(sub.line.paymentUrl), 'pay');
    expect((await sub.child.done).code).toBe(0);
    const listed = await runPospay(['member', 'list', '--json'], env(d));
    expect(lines(listed)).toEqual([
      expect.objectContaining({ member, status: 'active', every: 1, unit: 'month', paid: 1 }),
    ]);
    expect(lines(listed)[0]?.nextDue).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const renewed = await runPospay(
      ['renew', '--member', member, '--amount', '99.00', '--currency', 'HKD'],
      env(d),
    );
    expect(renewed.code, renewed.stderr).toBe(0);
    expect(lines(renewed)).toEqual([expect.objectContaining({ status: 'paid', method: 'Card' })]);
    const nobody = await runPospay(
      ['renew', '--member', 'NOSUB', '--amount', '1', '--currency', 'HKD'],
      env(d),
    );
    expect(nobody.code).toBe(2);
  });

  it('SIGKILL mid-checkout (page shown), the customer pays, recovery: paid once', async () => {
    const d = newDir();
    const killed = await runPospay(
      ['checkout', '--amount', '31.00', '--currency', 'HKD', '--brand', 'GooglePay'],
      env(d, { POS_FAULT: 'waiting-for-customer' }),
    );
    expect(killed.signal).toBe('SIGKILL');
    const j = openJournal({ dir: d });
    const [left] = j.listSales();
    j.close();
    expect(left).toMatchObject({ tender: 'checkout', status: 'waiting-for-customer' });
    await customerDoes(String(left?.paymentUrl), 'pay');
    const t = await restarted(d);
    try {
      const final = await waitFor(
        () => t.engine.sale(left?.orderId ?? ''),
        (s) => s?.status === 'paid',
      );
      expect(final).toMatchObject({ status: 'paid', method: 'GooglePay' });
      expect(
        ledgerProblems(members.sim.ledger(), t.journal, { terminalId: env(d).POS_TERMINAL_ID }),
      ).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
