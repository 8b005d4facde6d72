/**
 * `pospay verify --salt SALT`: reads one envelope on stdin; prints `valid` (exit 0) or why
 * the signature does not hold (exit 1). Verification covers the raw bizContent string.
 */
import { verifyEnvelope } from '../../gateway/signing.ts';
import {
  EXIT_BAD_INPUT,
  EXIT_OK,
  openEnvelopeCommand,
  warnAboutBizContent,
} from '../envelopeInput.ts';

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
  const opened = await openEnvelopeCommand(args, {
    name: 'verify',
    help,
    reportBadInput: (message) => process.stdout.write(`invalid: ${message}\n`),
  });
  if (opened.kind === 'done') return opened.exitCode;
  warnAboutBizContent('verify', opened.envelope);
  const result = verifyEnvelope(opened.envelope, opened.salt);
  if (result.valid) {
    process.stdout.write('valid\n');
    return EXIT_OK;
  }
  process.stdout.write(`invalid: ${result.detail} [${result.reason}]\n`);
  return EXIT_BAD_INPUT;
}
