/**
 * `pospay scanners [--watch]`: lists serial ports and HID POS devices (path, vendor/product id,
 * name, and the spec that opens each). `--watch` then prints attach/detach lines as devices
 * come and go, until interrupted.
 */
import {
  DeviceWatcher,
  describeDevice,
  listScannerDevices,
  type DeviceEntry,
} from '../../scanners/discovery.ts';
import { waitForInterrupt } from '../interrupt.ts';
import { parseCommand } from '../args.ts';

const usage = `usage: pospay scanners [--watch] [--interval MS]

  Lists serial ports and USB HID POS scanners (usage page 0x8C).
  --watch          then print attach/detach lines as devices come and go, until Ctrl+C
  --interval MS    how often --watch looks (default 1000)`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(
    'scanners',
    args,
    { strings: ['interval'], booleans: ['watch'], short: { watch: 'w' } },
    usage,
  );
  if (!parsed.ok) return parsed.exitCode;
  const { values } = parsed;
  const intervalMs = values.interval === undefined ? 1000 : Number(values.interval);
  if (!Number.isSafeInteger(intervalMs) || intervalMs < 50) {
    process.stderr.write('pospay scanners: --interval must be a whole number of ms, at least 50\n');
    return 2;
  }

  if (!values.watch) {
    const list = await listScannerDevices();
    printList(list.serial, list.hid);
    for (const error of list.errors) process.stderr.write(`pospay scanners: ${error}\n`);
    return 0;
  }

  const watcher = new DeviceWatcher({ intervalMs });
  watcher.on('attach', (entry) => process.stdout.write(`attach ${describeDevice(entry)}\n`));
  watcher.on('detach', (entry) => process.stdout.write(`detach ${describeDevice(entry)}\n`));
  watcher.on('error', (error) => process.stderr.write(`pospay scanners: ${error.message}\n`));
  const interrupted = waitForInterrupt();
  const first = await watcher.start();
  printList(
    first.filter((e) => e.kind === 'serial'),
    first.filter((e) => e.kind === 'hid'),
  );
  process.stdout.write('watching for scanners being plugged in or out (Ctrl+C to stop)\n');
  await interrupted;
  watcher.stop();
  return 0;
}

function printList(serial: DeviceEntry[], hid: DeviceEntry[]): void {
  const lines: string[] = [];
  if (serial.length === 0) lines.push('No serial ports found.');
  else {
    lines.push(`Serial ports (${serial.length}):`);
    for (const entry of serial) lines.push(`  ${describeDevice(entry)}`);
  }
  if (hid.length === 0) {
    lines.push(
      'No USB HID POS scanners found (usage page 0x8C). A scanner in keyboard mode is not listed: use the wedge, or scan its "USB HID POS" setup barcode.',
    );
  } else {
    lines.push(`HID POS scanners (${hid.length}):`);
    for (const entry of hid) lines.push(`  ${describeDevice(entry)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
