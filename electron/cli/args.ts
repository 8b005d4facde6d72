/**
 * The argument handling every `pospay` subcommand shares: node:util parseArgs (strict), a
 * `--help`/`-h` that prints the command's help, and a clear error (exit 2) for an unknown or
 * malformed option.
 */
import { parseArgs } from 'node:util';

type OptionSpec = { type: 'string' | 'boolean'; short?: string };

type ValuesOf<O extends Record<string, OptionSpec>> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

export type ParsedCommand<O extends Record<string, OptionSpec>> =
  | { ok: true; values: ValuesOf<O>; positionals: string[] }
  /** Help was printed (0) or the arguments were refused (2): return this exit code. */
  | { ok: false; exitCode: number };

/** Parses `args` for `pospay <command>`; prints the help or the refusal itself. */
export function parseCommand<const O extends Record<string, OptionSpec>>(
  command: string,
  args: string[],
  options: O,
  help: string,
  { positionals = false }: { positionals?: boolean } = {},
): ParsedCommand<O> {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: positionals,
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
  return { ok: true, values: parsed.values as ValuesOf<O>, positionals: parsed.positionals };
}
