/**
 * Attack (fixed defect): a member created before 69142a6 whose id reads as a payment code.
 *
 * 69142a6 made shared/members.ts memberIdProblem refuse a member id that reads as a wallet
 * payment code (e.g. the 18-digit card 134567890123456789). memberIdProblem is not only the
 * creation check: MemberService.memberIdFor (electron/members/memberService.ts:296) runs it
 * for find() (member:find, the Members screen's lookup by id) and for link() (through
 * findOrCreate), and the CLI runs it on every --member (electron/cli/commands/pay.ts:125,
 * member.ts:92, renew.ts:35, checkout.ts:77). Such members exist in journals written before
 * the fix (member:create accepted them): they are now locked out — not found, cannot be
 * linked again, and `pospay pay|member unbind --member` answer "is refused … add a letter
 * or a prefix", advice that cannot apply to an existing member.
 *
 * Expected: a member already in the journal is found, can link again, and the CLI reads
 * its id (the refusal belongs to creating a new member only).
 *
 * Fixed: the payment-code rule of memberIdProblem applies only when a member is created
 * (findOrCreate of an unknown id); finding, linking, paying and unbinding read such ids.
 */
import { describe, expect, it } from 'vitest';
import { useMemberTerminals } from '../support/memberTerminal.ts';
import { runPospay } from '../support/pospayCli.ts';

const members = useMemberTerminals('LC');
const LEGACY = '134567890123456789';

async function legacyTerminal() {
  const t = await members.terminal({ keepDir: true });
  members.removeAfter(t.terminal.dataDir);
  // Written by the terminal before 69142a6 (member:create accepted this id then).
  t.terminal.journal.members.ensureMember({
    memberId: LEGACY,
    label: 'Card holder',
    phoneHashed: false,
    createdAt: Date.now() - 86_400_000,
  });
  return t;
}

describe('a member whose id reads as a payment code, created before the fix', () => {
  it('is still found on the Members screen and can link again', async () => {
    const t = await legacyTerminal();
    expect(t.members.list().map((m) => m.memberId)).toContain(LEGACY);
    expect(() => t.members.find({ memberId: LEGACY })).not.toThrow();
    expect(t.members.find({ memberId: LEGACY })).toMatchObject({ memberId: LEGACY });
    const pending = await t.members.link(LEGACY, 'AlipayHK').catch((e: unknown) => e as Error);
    expect(pending).toMatchObject({ memberId: LEGACY, status: 'pending' });
  });

  it('pospay pay --member and member unbind read its id (no "add a letter" refusal)', async () => {
    const t = await legacyTerminal();
    const dir = t.terminal.dataDir;
    await members.closeNow(t);
    const env = members.pospayEnv(dir, 'LC9');
    const pay = await runPospay(
      ['pay', '--amount', '1.00', '--currency', 'HKD', '--member', LEGACY],
      env,
    );
    // It has no linked wallet: that is what the cashier must be told (link it, or scan).
    expect(pay.stderr).not.toMatch(/is refused/);
    expect(pay.stderr).toMatch(/has no linked/);
    const unbind = await runPospay(['member', 'unbind', '--member', LEGACY], env);
    expect(unbind.stderr).not.toMatch(/is refused/);
    expect(unbind.stderr).toMatch(/has no linked/);
  });
});
