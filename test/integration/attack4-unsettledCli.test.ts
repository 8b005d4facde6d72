/**
 * Attack: `pospay pay --member` while an earlier charge of the wallet is still unsettled
 * (cancelled while the customer confirms, its till closed at once), then later.
 *
 * Expected: the refusal is exit 2 (nothing sent) with what to do — the sale to wait for and
 * `pospay query <orderId>`; once the gateway has closed that charge, the next run's recovery
 * resolves it and the wallet is charged (exit 0): the wallet is not blocked for ever.
 */
import { describe, expect, it } from 'vitest';
import { chargeThenCancel } from '../support/linkedCharges.ts';
import { useMemberTerminals } from '../support/memberTerminal.ts';
import { tempDataDir } from '../support/engineProcess.ts';
import { runPospay } from '../support/pospayCli.ts';
import { openJournal } from '../../electron/journal/journal.ts';
import { customerDoes, openMemberTerminal } from './members/support.ts';

const members = useMemberTerminals('UC');
const { key } = members;

describe('pospay pay --member while a charge of the wallet is unsettled', () => {
  it('exit 2 naming the sale to query; after the gateway closes it, the next run charges', async () => {
    const dataDir = members.removeAfter(tempDataDir());
    const t = await openMemberTerminal(members.sim, {
      key,
      terminalId: 'UC1',
      dataDir,
      keepDir: true,
    });
    const id = `UC-${Date.now().toString(36)}`;
    const pending = await t.members.link(id, 'AlipayHK');
    expect(await customerDoes(pending.authUrl as string, 'agree')).toBeLessThan(400);
    expect((await t.members.waitForLink(pending.linkId, 10_000)).status).toBe('active');
    // Amount ending in 4: the customer never confirms; the gateway closes it later (3 s here).
    const first = await chargeThenCancel(t, id, 7_04);
    await t.close();

    const env = members.pospayEnv(dataDir, 'UC1');
    const args = ['pay', '--amount', '8.00', '--currency', 'HKD', '--member', id];
    const refused = await runPospay(args, env);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain('still being confirmed — nothing was charged');
    expect(refused.stderr).toContain(`pospay query ${first.orderId}`);
    expect(
      members.sim.ledger().filter((e) => e.merchantUserId === id && e.kind === 'charge'),
    ).toHaveLength(1);

    // The gateway closes the first charge; the next run's recovery learns it.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const paid = await runPospay(args, env);
    expect(paid.code, paid.stderr).toBe(0);
    const j = openJournal({ dir: dataDir });
    const sales = j.listSales().filter((s) => s.memberId === id);
    j.close();
    expect(sales.find((s) => s.orderId === first.orderId)?.status).toBe('closed');
    expect(sales.filter((s) => s.status === 'paid')).toHaveLength(1);
  }, 30_000);
});
