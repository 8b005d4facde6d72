/**
 * `pospay verify --salt SALT`: reads one envelope on stdin; prints `valid` (exit 0) or why
 * the signature does not hold (exit 1). Verification covers the raw bizContent string.
 */
import { verifyEnvelope } from '../../gateway/signing.ts';
import {
  EXIT_BAD_INPUT,
  EXIT_OK,
  EXIT_USAGE,
  bizContentWarning,
  parseEnvelope,
  parseSaltArgs,
  readStdin,
} from './sign.ts';

const help = `usage: pospay verify --salt SALT < envelope.json

Reads one envelope (a JSON object: a request, a response or a notification) on stdin and
checks its "sign" against the salt, over the raw bizContent string as received.
Prints "valid", or "invalid: " and the reason.

  --salt SALT   the store's secret; if omitted, the POS_SALT environment variable is used
                (keeps the salt out of the process list). The salt is never printed.
  -h, --help    this text

exit codes: 0 valid; 1 not valid, or stdin is not an envelope (not JSON, not an object);
2 usage error (bad option, no salt, no input).`;

export async function run(args: string[]): Promise<number> {
  const line = parseSaltArgs(args);
  if (line.kind === 'help') {
    process.stdout.write(`${help}\n`);
    return EXIT_OK;
  }
  if (line.kind === 'error') {
    process.stderr.write(`pospay verify: ${line.message}\n\n${help}\n`);
    return EXIT_USAGE;
  }
  if (process.stdin.isTTY) {
    process.stderr.write(
      'pospay verify: pipe the envelope on stdin: pospay verify --salt SALT < msg.json\n',
    );
    return EXIT_USAGE;
  }
  const input = parseEnvelope(await readStdin());
  if (!input.ok) {
    process.stdout.write(`invalid: ${input.message}\n`);
    return EXIT_BAD_INPUT;
  }
  const warning = bizContentWarning(input.envelope);
  if (warning) process.stderr.write(`pospay verify: warning: ${warning}\n`);
  const result = verifyEnvelope(input.envelope, line.salt);
  if (result.valid) {
    process.stdout.write('valid\n');
    return EXIT_OK;
  }
  process.stdout.write(`invalid: ${result.detail} [${result.reason}]\n`);
  return EXIT_BAD_INPUT;
}
