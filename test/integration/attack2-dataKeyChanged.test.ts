/**
 * Attack: a linked wallet whose token cannot be read here any more (the data key was lost
 * or changed: a new Windows profile, a journal copied to another machine).
 *
 * The charge is refused with a clear reason, nothing is sent, no sale is left open.
 * (attack2-dataKeyChanged-open.test.ts: linking again, as the reason says, does not work.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../electron/engine/errors.ts';
import { newDataKey } from '../../electron/members/tokenCipher.ts';
import { removeDir, tempDataDir } from '../support/engineProcess.ts';
import {
  customerDoes,
  openMemberTerminal,
  startMemberSim,
  type MemberSim,
  type MemberTerminal,
} from './members/support.ts';

let sim: MemberSim;
const open: MemberTerminal[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  sim = await startMemberSim(0.05);
});
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  for (const d of dirs.splice(0)) removeDir(d);
});
afterAll(async () => {
  await sim.close();
});

/** A member linked (active) under one key, then the same folder opened under another. */
async function linkedThenKeyChanged() {
  const dataDir = tempDataDir();
  dirs.push(dataDir);
  const a = await openMemberTerminal(sim, {
    key: newDataKey(),
    terminalId: 'A2DK',
    dataDir,
    keepDir: true,
  });
  const memberId = `A2DK-${Date.now().toString(36)}`;
  const pending = await a.members.link(memberId, 'AlipayHK');
  await customerDoes(pending.authUrl as string, 'agree');
  expect((await a.members.waitForLink(pending.linkId, 10_000)).status).toBe('active');
  await a.close();
  const b = await openMemberTerminal(sim, {
    key: newDataKey(),
    terminalId: 'A2DK',
    dataDir,
    keepDir: true,
  });
  open.push(b);
  return { b, memberId, oldLinkId: pending.linkId };
}

describe('a link sealed under another data key', () => {
  it('a charge is refused with the reason, nothing sent', async () => {
    const { b, memberId } = await linkedThenKeyChanged();
    const before = sim.ledger().length;
    const refusal = await b.engine
      .chargeMember({ amountMinor: 10_00, currency: 'HKD', memberId })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(EngineError);
    expect((refusal as EngineError).reasonCode).toBe('link-token-unreadable');
    expect((refusal as EngineError).message).toMatch(/data key/);
    expect(sim.ledger().length).toBe(before);
    expect(b.engine.current()).toBeNull();
  });
});
