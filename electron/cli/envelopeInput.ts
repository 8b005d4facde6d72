/**
 * What `pospay sign` and `pospay verify` share: the `--salt SALT` command line, one envelope
 * read on stdin, and the opening of their run() that turns both into a salt and an envelope.
 */
import { parseArgs } from 'node:util';
import type { Envelope } from '../../shared/gateway/envelope.ts';
import { isRecord } from '../../shared/guards.ts';

export const EXIT_OK = 0;
/** The envelope on stdin could not be used (not JSON, not an object, bad signType…). */
export const EXIT_BAD_INPUT = 1;
/** Wrong command line: unknown option, missing --salt, nothing piped on stdin. */
export const EXIT_USAGE = 2;

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
  if (!isRecord(value)) {
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

export interface EnvelopeCommand {
  /** The subcommand, as its messages name it: `sign`, `verify`. */
  name: string;
  help: string;
  /** Says why stdin is not an envelope; the command then exits with EXIT_BAD_INPUT. */
  reportBadInput(message: string): void;
}

export type Opening =
  { kind: 'ready'; salt: string; envelope: Envelope } | { kind: 'done'; exitCode: number };

/**
 * The shared opening of `run()`: parses `--salt`, prints the help or a usage error, refuses a
 * terminal on stdin, and reads and parses the envelope.
 */
export async function openEnvelopeCommand(
  args: string[],
  command: EnvelopeCommand,
): Promise<Opening> {
  const { name, help } = command;
  const line = parseSaltArgs(args);
  if (line.kind === 'help') {
    process.stdout.write(`${help}\n`);
    return { kind: 'done', exitCode: EXIT_OK };
  }
  if (line.kind === 'error') {
    process.stderr.write(`pospay ${name}: ${line.message}\n\n${help}\n`);
    return { kind: 'done', exitCode: EXIT_USAGE };
  }
  if (process.stdin.isTTY) {
    process.stderr.write(
      `pospay ${name}: pipe the envelope on stdin: pospay ${name} --salt SALT < msg.json\n`,
    );
    return { kind: 'done', exitCode: EXIT_USAGE };
  }
  const input = parseEnvelope(await readStdin());
  if (!input.ok) {
    command.reportBadInput(input.message);
    return { kind: 'done', exitCode: EXIT_BAD_INPUT };
  }
  return { kind: 'ready', salt: line.salt, envelope: input.envelope };
}

/** Prints the bizContent warning, if there is one, on stderr. */
export function warnAboutBizContent(name: string, envelope: Envelope): void {
  const warning = bizContentWarning(envelope);
  if (warning) process.stderr.write(`pospay ${name}: warning: ${warning}\n`);
}
