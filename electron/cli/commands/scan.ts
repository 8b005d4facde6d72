/**
 * `pospay scan SPEC`: opens one scanner and prints each scan as a JSON line
 * `{"text":…,"source":…,"symbology":…}` and each rejected read as
 * `{"rejected":true,"reason":…,"detail":…,"text":…,"source":…}`, state changes on stderr,
 * until interrupted — the store's IT person's "does my scanner work" check.
 */
import { ScannerManager } from '../../scanners/manager.ts';
import { waitForInterrupt } from '../interrupt.ts';
import { parseScannerSpec, ScannerSpecError } from '../../scanners/spec.ts';
import { parseCommand } from '../args.ts';

const usage = `usage: pospay scan SPEC [--dedupe-ms MS]

  SPEC   serial:PATH[@BAUD[,8N1][,suffix=CR|LF|CRLF|none][,gap=MS]]   e.g. serial:/dev/ttyUSB0@9600, serial:COM3
         hid:VID:PID (hex, e.g. hid:0c2e:0b61) or hid:PATH
  --dedupe-ms MS   repeats of the same code within MS are shown once (default 1000, 0 = show all)

Prints one JSON line per scan (and per rejected read) until Ctrl+C.`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand('scan', args, { strings: ['dedupe-ms'], positionals: true }, usage);
  if (!parsed.ok) return parsed.exitCode;
  const { values, positionals } = parsed;
  const [spec, ...extra] = positionals;
  if (spec === undefined || extra.length > 0) {
    process.stderr.write(
      `pospay scan: ${spec === undefined ? 'which scanner? give a SPEC' : `unexpected "${extra.join(' ')}"`}\n${usage}\n`,
    );
    return 2;
  }
  let dedupeWindowMs = 1000;
  if (values['dedupe-ms'] !== undefined) {
    dedupeWindowMs = Number(values['dedupe-ms']);
    if (!/^\d+$/.test(values['dedupe-ms']) || !Number.isSafeInteger(dedupeWindowMs)) {
      process.stderr.write(`pospay scan: --dedupe-ms must be a whole number of milliseconds\n`);
      return 2;
    }
  }
  try {
    if (parseScannerSpec(spec).kind === 'wedge') {
      process.stderr.write(
        "pospay scan: a keyboard-wedge scanner types like a keyboard: scan into any text field (or the app's payment screen) to check it; give a serial: or hid: spec here\n",
      );
      return 2;
    }
  } catch (error) {
    if (error instanceof ScannerSpecError) {
      process.stderr.write(`pospay scan: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  const out = (line: unknown) => writeLine(process.stdout, JSON.stringify(line));
  const manager = new ScannerManager({ dedupeWindowMs });
  manager.on('scan', (scan) =>
    out({ text: scan.text, source: scan.source, symbology: scan.symbology ?? null }),
  );
  manager.on('rejected', (read) =>
    out({
      rejected: true,
      reason: read.reason,
      detail: read.detail,
      text: read.text,
      source: read.source,
    }),
  );
  manager.on('duplicate', (scan) =>
    writeLine(
      process.stderr,
      `scanner: ignored a repeat of the same code (double read): ${scan.text}`,
    ),
  );
  manager.on('state', (state) =>
    writeLine(
      process.stderr,
      `scanner: ${state.connected ? 'connected' : 'disconnected'} — ${state.detail ?? ''}`,
    ),
  );
  manager.on('error', (error) => writeLine(process.stderr, `scanner: ${error.message}`));

  const interrupted = waitForInterrupt();
  await manager.use(spec);
  writeLine(process.stderr, 'scanning; press Ctrl+C to stop');
  await interrupted;
  manager.removeAllListeners();
  await manager.close();
  return 0;
}

function writeLine(stream: NodeJS.WriteStream, line: string): void {
  try {
    stream.write(`${line}\n`);
  } catch {
    // A closed pipe (e.g. `| head`) must not end the check with a stack trace.
  }
}
