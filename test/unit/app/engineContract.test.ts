/**
 * The engine contract (test/support/engineContract.ts) on the real engine against the
 * simulator, and on the fake the core-supervisor tests use: both must pass the same suite.
 */
import { openTestTerminal, removeDir } from '../../support/engineProcess.ts';
import { engineContract } from '../../support/engineContract.ts';
import { startTestSimulator, wechatCode } from '../../support/simulator.ts';
import { FakeEngine } from './fakes.ts';

engineContract('the real engine on the simulator', async () => {
  const sim = await startTestSimulator();
  const terminal = await openTestTerminal(sim);
  return {
    engine: terminal.engine,
    code: wechatCode,
    dayOf: (sale) => terminal.journal.sale(sale.orderId)?.day ?? 'not journaled',
    async close() {
      await terminal.close();
      await sim.close();
      removeDir(terminal.dataDir);
    },
  };
});

engineContract('FakeEngine (test/unit/app/fakes.ts)', async () => {
  const engine = new FakeEngine();
  return {
    engine,
    code: wechatCode,
    dayOf: () => '2026-01-02',
    close: async () => {},
  };
});
