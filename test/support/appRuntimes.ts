/**
 * The real runtime (journal, gateway client, payment engine — electron/app/runtime.ts) for
 * tests of the app layer (createTerminalApp's `openRuntime`), recording what it was opened
 * with. Training mode runs the real embedded simulator; a live gateway configuration (e.g.
 * the sandbox URL saved on the settings screen) is recorded as given and then served by a
 * test simulator on loopback, so nothing leaves the machine.
 */
import { openTerminal, type Terminal } from '../../electron/app/runtime.ts';
import type { RuntimeConfig, RuntimeLike } from '../../electron/app/terminalApp.ts';
import { testTuning } from './engineProcess.ts';
import { startTestSimulator, type TestSimulator } from './simulator.ts';

export interface RealRuntimes {
  /** What each successful open was given, in order. */
  readonly configs: RuntimeConfig[];
  /** Runtimes closed so far. */
  readonly closed: { count: number };
  /** The runtime opened last (its engine is the one the app uses). */
  readonly terminal: Terminal;
  /** Makes opening fail for the configs it matches (e.g. the live gateway). */
  failWhen: ((config: RuntimeConfig) => boolean) | null;
  open: (config: RuntimeConfig) => Promise<RuntimeLike>;
  /** Closes the simulator a live configuration was served by (runtimes close with the app). */
  close(): Promise<void>;
}

export function realRuntimes(): RealRuntimes {
  const configs: RuntimeConfig[] = [];
  const terminals: Terminal[] = [];
  const closed = { count: 0 };
  let stand: Promise<TestSimulator> | null = null;
  const runtimes: RealRuntimes = {
    configs,
    closed,
    get terminal(): Terminal {
      const last = terminals[terminals.length - 1];
      if (!last) throw new Error('no runtime opened');
      return last;
    },
    failWhen: null,
    open: async (config) => {
      if (runtimes.failWhen?.(config)) throw new Error('journal is locked by another process');
      configs.push(config);
      let opened: RuntimeConfig = { ...config, engineTuning: testTuning() };
      if (config.gateway) {
        stand ??= startTestSimulator();
        const sim = await stand;
        opened = {
          ...opened,
          gateway: {
            ...config.gateway,
            baseUrl: sim.baseUrl,
            accId: sim.store.accId,
            salt: sim.store.salt,
          },
        };
        delete opened.gateway?.clientId; // the test store's own client id
      }
      const terminal = await openTerminal(opened);
      terminals.push(terminal);
      return {
        engine: terminal.engine,
        simulator: terminal.simulator,
        close: async () => {
          closed.count += 1;
          await terminal.close();
        },
      };
    },
    close: async () => {
      await (await stand)?.close();
    },
  };
  return runtimes;
}
