/**
 * `pospay simulator [--port N] [--time-scale F] [--state FILE]`: runs the embedded gateway
 * simulator until SIGINT/SIGTERM. The first stdout line is its base URL; requests are logged
 * to stderr (never a salt or a payment code).
 */
import { startSimulator } from '../../simulator/index.ts';
import { DEFAULT_STORES } from '../../simulator/stores.ts';
import { parseCommand } from '../args.ts';

const usage = 'usage: pospay simulator [--port N] [--time-scale F] [--state FILE]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(
    'simulator',
    args,
    { strings: ['port', 'time-scale', 'state'] },
    usage,
  );
  if (!parsed.ok) return parsed.exitCode;
  const { values } = parsed;
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!/^\d+$/.test(values.port ?? '0') || port > 65535) {
    process.stderr.write(`pospay simulator: --port must be 0..65535, got "${values.port}"\n`);
    return 2;
  }
  const timeScale = values['time-scale'] === undefined ? 1 : Number(values['time-scale']);
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    process.stderr.write(
      `pospay simulator: --time-scale must be a positive number, got "${values['time-scale']}"\n`,
    );
    return 2;
  }

  const log = (line: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  };
  const simulator = await startSimulator({
    port,
    timeScale,
    ...(values.state === undefined ? {} : { stateFile: values.state }),
    log,
  });
  process.stdout.write(`${simulator.baseUrl}\n`);
  log(
    `simulator listening on ${simulator.baseUrl} (time scale ${timeScale}` +
      `${values.state === undefined ? ', in memory' : `, state in ${values.state}`}); stores ` +
      DEFAULT_STORES.map((store) => store.accId).join(', '),
  );

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log(`${signal}: stopping`);
  await simulator.close();
  return 0;
}
