/**
 * Attack5: the payment-code rule of a member id now applies only to a NEW member
 * (shared/members.ts memberIdProblem `creating`, MemberService.findOrCreate). The CLI checks
 * --member without `creating` (electron/cli/commands/member.ts memberArg, checkout.ts), so a
 * new member whose id reads as a payment code must still be refused further in — by
 * findOrCreate — with the "add a letter or a prefix" advice and exit 2, before anything is
 * sent to the gateway or journaled (no member, no sign-up, no membership, no sale).
 */
import { describe, expect, it } from 'vitest';
import { monthlyCheckoutArgs, useMemberTerminals } from '../support/memberTerminal.ts';
import { runPospay } from '../support/pospayCli.ts';
import { openJournal } from '../../electron/journal/journal.ts';

const members = useMemberTerminals('NC');

/** 18 digits from 13: reads as an Alipay payment code. */
function cardLikeId(): string {
  return `13${String(Date.now()).slice(-13)}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
}

async function freshFolder(): Promise<string> {
  const t = await members.terminal({ keepDir: true });
  members.removeAfter(t.terminal.dataDir);
  const dir = t.terminal.dataDir;
  await members.closeNow(t);
  return dir;
}

describe('a new member whose id reads as a payment code, from the CLI', () => {
  it('pospay member link --member <code-like id> is refused (exit 2), nothing created or sent', async () => {
    const id = cardLikeId();
    expect(id).toMatch(/^1[0-5]\d{16}$/);
    const dir = await freshFolder();
    const run = await runPospay(
      ['member', 'link', '--member', id, '--wallet', 'AlipayHK', '--no-wait'],
      members.pospayEnv(dir, 'NC1'),
    );
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/add a letter or a prefix/);
    expect(run.stdout).not.toMatch(/authUrl|pending/);
    const j = openJournal({ dir });
    try {
      expect(j.members.member(id)).toBeUndefined();
      expect(j.members.linksOf(id, 'AlipayHK')).toEqual([]);
    } finally {
      j.close();
    }
  }, 30_000);

  it('pospay checkout --member <code-like id> (a membership) is refused (exit 2), no sale', async () => {
    const id = cardLikeId();
    const dir = await freshFolder();
    const run = await runPospay(monthlyCheckoutArgs(id, '30.00'), members.pospayEnv(dir, 'NC2'));
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/add a letter or a prefix/);
    expect(members.sim.ledger().filter((e) => e.merchantUserId === id)).toEqual([]);
    const j = openJournal({ dir });
    try {
      expect(j.members.member(id)).toBeUndefined();
      expect(j.listSales()).toEqual([]);
    } finally {
      j.close();
    }
  }, 30_000);
});
