/**
 * A member service over a journal in a temp folder with no gateway behind it (every call
 * times out) and a fresh data key: for tests of what it refuses or journals before sending.
 * Each one is stopped, its journal closed and its folder removed after the test.
 */
import { afterEach } from 'vitest';
import { openJournal } from '../../electron/journal/journal.ts';
import { createMemberService, type LinkGateway } from '../../electron/members/memberService.ts';
import { createTokenCipher, newDataKey } from '../../electron/members/tokenCipher.ts';
import { removeDir, tempDataDir } from './engineProcess.ts';

const noGateway = {
  bind: async () => ({ kind: 'unknown', reason: 'timeout' }),
  queryBind: async () => ({ kind: 'unknown', reason: 'timeout' }),
  unbind: async () => ({ kind: 'unknown', reason: 'timeout' }),
} as unknown as LinkGateway;

/** Registers the clean-up; call at the top level of a test file. */
export function useOfflineMembers() {
  const cleanups: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()?.();
  });
  /** `now`: the service's clock (default: the machine's). */
  return function offlineMembers(options: { now?: () => number } = {}) {
    const dir = tempDataDir();
    const journal = openJournal({ dir });
    const s = createMemberService({
      journal,
      gateway: noGateway,
      cipher: createTokenCipher(newDataKey()),
      ...(options.now ? { clock: { now: options.now } } : {}),
    });
    cleanups.push(() => removeDir(dir));
    cleanups.push(() => journal.close());
    cleanups.push(() => s.stop());
    return { s, dir, journal };
  };
}
