/**
 * `pospay serve [--port N]`: the terminal in browser mode (what `npm start` falls back to
 * where the Electron runtime is not installed). Listens on 127.0.0.1 only (POS_PORT or 5317
 * by default), prints its address with this launch's token, http://127.0.0.1:PORT/?token=…,
 * as the first line on stdout, and runs until interrupted. The token is POS_LAUNCH_TOKEN when
 * set (a launcher that prints or opens the address itself), else a new random one.
 */
import { DEFAULT_PORT, startBrowserServer } from '../../app/browserServer.ts';
import { rendererDir } from '../../app/paths.ts';
import { ensureRendererBuilt } from '../../app/rendererBuild.ts';
import { createTerminalApp, stderrLogger } from '../../app/terminalApp.ts';
import { parseCommand } from '../args.ts';

const usage = 'usage: pospay serve [--port N]   (default POS_PORT or 5317; 0 = any free port)';

function parsePort(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return DEFAULT_PORT;
  if (!/^\d+$/.test(text.trim())) return null;
  const port = Number(text);
  return port <= 65535 ? port : null;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand('serve', args, { strings: ['port'], short: { port: 'p' } }, usage);
  if (!parsed.ok) return parsed.exitCode;
  const { values } = parsed;
  const port = parsePort(values.port ?? process.env.POS_PORT);
  if (port === null) {
    process.stderr.write(`pospay serve: invalid port "${values.port ?? process.env.POS_PORT}"\n`);
    return 2;
  }

  try {
    if (ensureRendererBuilt()) process.stderr.write('built the cashier screen (dist/renderer)\n');
  } catch (error) {
    // Keep serving: the page itself says how to build the screen.
    process.stderr.write(`pospay serve: ${(error as Error).message}\n`);
  }

  const app = await createTerminalApp({ env: process.env, log: stderrLogger });
  let server;
  try {
    const token = process.env.POS_LAUNCH_TOKEN?.trim() || undefined;
    server = await startBrowserServer({
      app,
      staticDir: rendererDir(),
      port,
      host: '127.0.0.1',
      log: stderrLogger,
      ...(token ? { token } : {}),
    });
  } catch (error) {
    await app.close();
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'EADDRINUSE'
        ? `port ${port} is already in use (another terminal running?): choose one with --port N or POS_PORT`
        : (error as Error).message;
    process.stderr.write(`pospay serve: ${message}\n`);
    return 1;
  }
  process.stdout.write(`${server.url}\n`);
  const view = app.settingsView();
  process.stderr.write(
    `data: ${app.dataDir}\n` +
      (view.trainingMode
        ? 'TRAINING MODE: payments go to the embedded simulator, no real money moves\n'
        : `gateway: ${view.gatewayUrl}\n`) +
      'press Ctrl+C to stop\n',
  );

  const running = server;
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      // A launcher (npm start, bin/pospay.mjs) passes on the Ctrl+C the terminal also sent
      // here: that copy must not cut the shutdown short. A later one still stops at once.
      const duplicate = (): void => {};
      process.on('SIGINT', duplicate);
      process.on('SIGTERM', duplicate);
      setTimeout(() => {
        process.off('SIGINT', duplicate);
        process.off('SIGTERM', duplicate);
      }, 1000).unref();
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stderr.write('stopping…\n');
  await running.close();
  await app.close();
  return 0;
}
