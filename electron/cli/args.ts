/**
 * The argument handling every `pospay` subcommand shares: node:util parseArgs (strict), a
 * `--help`/`-h` that prints the command's help, and a clear error (exit 2) for an unknown or
 * malformed option.
 */
import { parseArgs } from 'node:util';
import { isCurrency, parseAmount, type Currency } from '../../shared/money.ts';

export interface CommandSpec<S extends string, B extends string> {
  /** Options that take a value (`--amount 12.50`). */
  strings?: readonly S[];
  /** Flags (`--json`). */
  booleans?: readonly B[];
  /** One-letter aliases, e.g. `{ port: 'p' }`. */
  short?: Partial<Record<S | B, string>>;
  /** Whether arguments that are not options are taken (e.g. an ORDER_ID). */
  positionals?: boolean;
}

export type ParsedCommand<S extends string, B extends string> =
  | {
      ok: true;
      values: { [K in S]?: string } & { [K in B]?: boolean };
      positionals: string[];
    }
  /** Help was printed (0) or the arguments were refused (2): return this exit code. */
  | { ok: false; exitCode: number };

/** Parses `args` for `pospay <command>`; prints the help or the refusal itself. */
export function parseCommand<const S extends string = never, const B extends string = never>(
  command: string,
  args: string[],
  spec: CommandSpec<S, B>,
  help: string,
): ParsedCommand<S, B> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  const short = (spec.short ?? {}) as Record<string, string | undefined>;
  for (const [names, type] of [
    [spec.strings ?? [], 'string'],
    [spec.booleans ?? [], 'boolean'],
  ] as const) {
    for (const name of names) {
      const letter = short[name];
      options[name] = letter === undefined ? { type } : { type, short: letter };
    }
  }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: spec.positionals === true,
    }) as typeof parsed;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`pospay ${command}: ${message}\n\n${help}\n`);
    return { ok: false, exitCode: 2 };
  }
  if (parsed.values.help === true) {
    process.stdout.write(`${help}\n`);
    return { ok: false, exitCode: 0 };
  }
  return {
    ok: true,
    values: parsed.values as { [K in S]?: string } & { [K in B]?: boolean },
    positionals: parsed.positionals,
  };
}

/**
 * `--currency C --amount X` as every sale command reads them (`defaultCurrency` without
 * --currency). A refusal says whether the usage goes with it.
 */
export function moneyArgs(
  values: { currency?: string | undefined; amount?: string | undefined },
  defaultCurrency: Currency,
):
  | { ok: true; currency: Currency; minor: number }
  | { ok: false; message: string; withHelp: boolean } {
  const currency = (values.currency ?? defaultCurrency).toUpperCase();
  if (!isCurrency(currency)) {
    return { ok: false, message: `unknown currency "${values.currency}"`, withHelp: true };
  }
  if (values.amount === undefined) {
    return { ok: false, message: '--amount is required', withHelp: true };
  }
  const amount = parseAmount(values.amount, currency);
  if (!amount.ok) return { ok: false, message: amount.message, withHelp: false };
  return { ok: true, currency, minor: amount.minor };
}
