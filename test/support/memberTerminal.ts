/**
 * One simulator (members side) for a test file and the member terminals its tests open on
 * it, closed after each test (their temp folders removed after each test too): the setup
 * the member integration tests share (test/integration/members/support.ts does the work).
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { SaleView } from '../../shared/ipc/contract.ts';
import { localDay } from '../../shared/sale.ts';
import { newDataKey } from '../../electron/members/tokenCipher.ts';
import { isShownFinal, removeDir, tempDataDir, waitFor } from './engineProcess.ts';
import {
  openMemberTerminal,
  startMemberSim,
  type MemberSim,
  type MemberTerminal,
} from '../integration/members/support.ts';

export type MemberTerminalOptions = Parameters<typeof openMemberTerminal>[1];

export interface MemberTerminals {
  /** The file's simulator (started before its first test). */
  readonly sim: MemberSim;
  /** The data key every terminal is opened with unless a test names another. */
  readonly key: Buffer;
  /**
   * A terminal on the simulator, closed after the test: terminal id `<prefix><n>` (n counts
   * up in the file) unless the options name one.
   */
  terminal(options?: Partial<MemberTerminalOptions>): Promise<MemberTerminal>;
  /** The number of terminals opened so far (the `n` of the last terminal id). */
  readonly seq: number;
  /** Closes the terminal after the test (one a test opened itself). */
  track(t: MemberTerminal): MemberTerminal;
  /** Closes the terminal now (not again after the test). */
  closeNow(t: MemberTerminal): Promise<void>;
  /** Removes the folder after the test. */
  removeAfter(dir: string): string;
  /** The environment of a `pospay` run as terminal `terminalId` of `dataDir` (the file's key). */
  pospayEnv(
    dataDir: string,
    terminalId: string,
    extra?: Record<string, string>,
  ): Record<string, string>;
}

/** Registers the file's hooks; call at the top level of a test file. */
export function useMemberTerminals(prefix: string, timeScale = 0.05): MemberTerminals {
  let sim: MemberSim | undefined;
  let seq = 0;
  const key = newDataKey();
  const open: MemberTerminal[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    sim = await startMemberSim(timeScale);
  });
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
    for (const d of dirs.splice(0)) removeDir(d);
  });
  afterAll(async () => {
    await sim?.close();
  });

  const self: MemberTerminals = {
    get sim() {
      if (!sim) throw new Error('the simulator starts in beforeAll');
      return sim;
    },
    key,
    get seq() {
      return seq;
    },
    async terminal(options = {}) {
      seq += 1;
      const t = await openMemberTerminal(self.sim, {
        key,
        terminalId: `${prefix}${seq}`,
        ...options,
      });
      open.push(t);
      return t;
    },
    track(t) {
      open.push(t);
      return t;
    },
    async closeNow(t) {
      await t.close();
      open.splice(open.indexOf(t), 1);
    },
    removeAfter(dir) {
      dirs.push(dir);
      return dir;
    },
    pospayEnv(dataDir, terminalId, extra = {}) {
      return {
        POS_DATA_DIR: dataDir,
        POS_GATEWAY_URL: self.sim.baseUrl,
        POS_ACC_ID: self.sim.store.accId,
        POS_SALT: self.sim.store.salt,
        POS_DATA_KEY: key.toString('base64'),
        POS_TERMINAL_ID: terminalId,
        ...extra,
      };
    },
  };
  return self;
}

/** The sale once it shows its final state (an unknown one being abandoned is not final). */
export async function settled(t: MemberTerminal, orderId: string): Promise<SaleView | null> {
  return waitFor(
    () => t.engine.sale(orderId),
    (s) => s !== null && isShownFinal(s) && !(s.status === 'unknown' && s.abandoned),
    20_000,
  );
}

export interface PospayMembers {
  /** The file's simulator (started before its first test). */
  readonly sim: MemberSim;
  /** The environment a `pospay` run is given for the terminal of `dataDir` (one data key). */
  env(dataDir: string, extra?: Record<string, string>): Record<string, string>;
  /** A new data folder, removed after the test. */
  newDir(): string;
}

/**
 * One simulator (members side) for a file of `pospay` child-process tests: the environment
 * naming it, the file's data key and the terminal id of each data folder.
 */
export function usePospayMembers(terminalIdOf: (dataDir: string) => string): PospayMembers {
  let sim: MemberSim | undefined;
  const dirs: string[] = [];
  const key = newDataKey().toString('base64');

  beforeAll(async () => {
    sim = await startMemberSim(0.05);
  });
  afterEach(() => {
    for (const d of dirs.splice(0)) removeDir(d);
  });
  afterAll(async () => {
    await sim?.close();
  });

  const self: PospayMembers = {
    get sim() {
      if (!sim) throw new Error('the simulator starts in beforeAll');
      return sim;
    },
    env(dataDir, extra = {}) {
      return {
        POS_DATA_DIR: dataDir,
        POS_GATEWAY_URL: self.sim.baseUrl,
        POS_ACC_ID: self.sim.store.accId,
        POS_SALT: self.sim.store.salt,
        POS_DATA_KEY: key,
        POS_TERMINAL_ID: terminalIdOf(dataDir),
        ...extra,
      };
    },
    newDir() {
      const d = tempDataDir();
      dirs.push(d);
      return d;
    },
  };
  return self;
}

/** The local day `days` days before today. */
export function daysAgo(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() - days);
  return localDay(d.getTime());
}

/**
 * Starts the page for the first payment of a monthly HKD membership of `memberId` from
 * `startDate` (today unless given) to 2099-12-31, on `brand`'s page when given.
 */
export function monthlyCheckout(
  t: Pick<MemberTerminal, 'engine'>,
  memberId: string,
  amountMinor: number,
  startDate = localDay(Date.now()),
  brand?: Parameters<MemberTerminal['engine']['startCheckout']>[0]['brand'],
) {
  return t.engine.startCheckout({
    amountMinor,
    currency: 'HKD',
    ...(brand ? { brand } : {}),
    subscription: {
      memberId,
      schedule: { startDate, intervalUnit: 'month', intervalCount: 1, endDate: '2099-12-31' },
    },
  });
}

/** `pospay checkout` arguments for the first payment of a monthly HKD membership to 2099-12-31. */
export function monthlyCheckoutArgs(member: string, amount: string): string[] {
  return [
    'checkout',
    '--amount',
    amount,
    '--currency',
    'HKD',
    '--member',
    member,
    '--every',
    '1',
    '--unit',
    'month',
    '--until',
    '2099-12-31',
  ];
}
