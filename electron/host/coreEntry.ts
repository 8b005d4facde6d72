/**
 * Entry of the terminal core's bundle (dist/electron/core.cjs), forked by main as an
 * Electron utility process. Outside one (no process.parentPort) it says so and ends.
 */
import { runCore, type ParentPortLike } from './coreProcess.ts';

const parentPort = (process as { parentPort?: ParentPortLike | null }).parentPort;
if (!parentPort) {
  process.stderr.write(
    'core.cjs is the terminal core of the Electron app: main starts it as a utility process. ' +
      'For the terminal without Electron run "npx pospay serve".\n',
  );
  process.exitCode = 2;
} else {
  runCore(parentPort).catch((error: unknown) => {
    process.stderr.write(
      `core: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
