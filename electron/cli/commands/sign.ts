/**
 * `pospay sign --salt SALT`: reads one envelope (JSON) on stdin and prints its signature.
 * The message's `signType` picks SHA256 or MD5; an existing `sign` field is ignored.
 * The stdin/salt helpers it shares with `pospay verify` live in ../envelopeInput.ts (and are
 * re-exported here).
 */
import { isSignType } from '../../../shared/gateway/envelope.ts';
import { computeSign } from '../../gateway/signing.ts';
import {
  EXIT_BAD_INPUT,
  EXIT_OK,
  openEnvelopeCommand,
  warnAboutBizContent,
} from '../envelopeInput.ts';

export {
  EXIT_BAD_INPUT,
  EXIT_OK,
  EXIT_USAGE,
  bizContentWarning,
  parseEnvelope,
  parseSaltArgs,
  readStdin,
  type CommandLine,
  type EnvelopeInput,
} from '../envelopeInput.ts';

const help = `usage: pospay sign --salt SALT < envelope.json

Reads one envelope (a JSON object) on stdin and prints its signature: upper-case hex of
SHA256 or MD5, as the message's signType says. An existing "sign" field is ignored;
null and empty-string fields are left out, bizContent is signed as the exact string given.

  --salt SALT   the store's secret; if omitted, the POS_SALT environment variable is used
                (keeps the salt out of the process list). The salt is never printed.
  -h, --help    this text

exit codes: 0 signature printed; 1 the input is not a usable envelope (not JSON, not an
object, signType missing or not SHA256/MD5); 2 usage error (bad option, no salt, no input).`;

export async function run(args: string[]): Promise<number> {
  const opened = await openEnvelopeCommand(args, {
    name: 'sign',
    help,
    reportBadInput: (message) => process.stderr.write(`pospay sign: ${message}\n`),
  });
  if (opened.kind === 'done') return opened.exitCode;
  const { envelope } = opened;
  if (!isSignType(envelope.signType)) {
    process.stderr.write(
      `pospay sign: signType must be "SHA256" or "MD5" (got ${JSON.stringify(envelope.signType) ?? 'nothing'}); it is part of what is signed\n`,
    );
    return EXIT_BAD_INPUT;
  }
  warnAboutBizContent('sign', envelope);
  process.stdout.write(`${computeSign(envelope, opened.salt, envelope.signType)}\n`);
  return EXIT_OK;
}
