/**
 * `pospay sign --salt SALT`: reads one envelope (JSON) on stdin and prints its signature.
 * The message's `signType` picks SHA256 or MD5; an existing `sign` field is ignored.
 * Also home of the stdin/salt helpers that `pospay verify` shares.
 */
import { parseArgs } from 'node:util';
import { isSignType, type Envelope } from '../../../shared/gateway/envelope.ts';
import { computeSign } from '../../gateway/signing.ts';

export const EXIT_OK = 0;
/** The envelope on stdin could not be used (not JSON, not an object, bad signType…). */
export const EXIT_BAD_INPUT = 1;
/** Wrong command line: unknown option, missing --salt, nothing piped on stdin. */
export const EXIT_USAGE = 2;

const help = `usage: pospay sign --salt SALT < envelope.json

Reads one envelope (a JSON object) on stdin and prints its signature: upper-case hex of
SHA256 or MD5, as the message's signType says. An existing "sign" field is ignored;
null and empty-string fields are left out, bizContent is signed as the exact string given.

  --salt SALT   the store's secret; if omitted, the POS_SALT environment variable is used
                (keeps the salt out of the process list). The salt is never printed.
  -h, --help    this text

exit codes: 0 signature printed; 1 the input is not a usable envelope (not JSON, not an
object, signType missing or not SHA256/MD5); 2 usage error (bad option, no salt, no input).`;

export type CommandLine =
  { kind: 'help' } | { kind: 'error'; message: string } | { kind: 'ok'; salt: string };

/**
 * Parses `--salt SALT [--help]`. Error messages never echo an argument's value: a salt typed
 * without `--salt` in front would otherwise be printed.
 */
export function parseSaltArgs(args: string[], env: NodeJS.ProcessEnv = process.env): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { salt: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const name = /'(-[^']*)'/.exec((error as Error).message)?.[1] ?? 'an option';
      return { kind: 'error', message: `unknown option ${name.split('=')[0]}` };
    }
    return { kind: 'error', message: '--salt needs a value: --salt SALT' };
  }
  if (parsed.values.help) return { kind: 'help' };
  if (parsed.positionals.length > 0) {
    return {
      kind: 'error',
      message: 'unexpected argument (the envelope is read on stdin; the salt goes after --salt)',
    };
  }
  const salt = parsed.values.salt ?? env.POS_SALT;
  if (salt === undefined) {
    return { kind: 'error', message: '--salt SALT is required (or set POS_SALT)' };
  }
  if (salt === '') return { kind: 'error', message: 'the salt is empty' };
  return { kind: 'ok', salt };
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}

export type EnvelopeInput = { ok: true; envelope: Envelope } | { ok: false; message: string };

/** Parses the text read on stdin into one envelope, with a clear reason when it is not one. */
export function parseEnvelope(text: string): EnvelopeInput {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (body === '') return { ok: false, message: 'nothing was read on stdin: pipe one envelope' };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return {
      ok: false,
      message: `stdin is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'stdin must hold one JSON object (the envelope)' };
  }
  return { ok: true, envelope: value as Envelope };
}

/** A warning worth printing: bizContent must be the exact string sent on the wire. */
export function bizContentWarning(envelope: Envelope): string | undefined {
  const biz: unknown = envelope.bizContent;
  if (biz === undefined || biz === null || typeof biz === 'string') return undefined;
  return 'bizContent is not a string; its compact JSON was used. On the wire bizContent is a JSON string, and the signature covers that exact string.';
}

export async function run(args: string[]): Promise<number> {
  const line = parseSaltArgs(args);
  if (line.kind === 'help') {
    process.stdout.write(`${help}\n`);
    return EXIT_OK;
  }
  if (line.kind === 'error') {
    process.stderr.write(`pospay sign: ${line.message}\n\n${help}\n`);
    return EXIT_USAGE;
  }
  if (process.stdin.isTTY) {
    process.stderr.write(
      'pospay sign: pipe the envelope on stdin: pospay sign --salt SALT < msg.json\n',
    );
    return EXIT_USAGE;
  }
  const input = parseEnvelope(await readStdin());
  if (!input.ok) {
    process.stderr.write(`pospay sign: ${input.message}\n`);
    return EXIT_BAD_INPUT;
  }
  const { envelope } = input;
  if (!isSignType(envelope.signType)) {
    process.stderr.write(
      `pospay sign: signType must be "SHA256" or "MD5" (got ${JSON.stringify(envelope.signType) ?? 'nothing'}); it is part of what is signed\n`,
    );
    return EXIT_BAD_INPUT;
  }
  const warning = bizContentWarning(envelope);
  if (warning) process.stderr.write(`pospay sign: warning: ${warning}\n`);
  process.stdout.write(`${computeSign(envelope, line.salt, envelope.signType)}\n`);
  return EXIT_OK;
}
