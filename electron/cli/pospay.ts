/**
 * `pospay`: the terminal's command line (interfaces.md). Each subcommand lives in
 * electron/cli/commands/<name>.ts and exports `run(args): Promise<number>` (the exit code).
 */
const subcommands: Record<string, () => Promise<{ run(args: string[]): Promise<number> }>> = {
  sign: () => import('./commands/sign.ts'),
  verify: () => import('./commands/verify.ts'),
  classify: () => import('./commands/classify.ts'),
  simulator: () => import('./commands/simulator.ts'),
  pay: () => import('./commands/pay.ts'),
  query: () => import('./commands/query.ts'),
  refund: () => import('./commands/refund.ts'),
  history: () => import('./commands/history.ts'),
  print: () => import('./commands/print.ts'),
  serve: () => import('./commands/serve.ts'),
  scanners: () => import('./commands/scanners.ts'),
  scan: () => import('./commands/scan.ts'),
  member: () => import('./commands/member.ts'),
  checkout: () => import('./commands/checkout.ts'),
  renew: () => import('./commands/renew.ts'),
};

const usage = `usage: pospay <command> [options]

  sign --salt SALT              sign the envelope read on stdin
  verify --salt SALT            check the signature of the envelope read on stdin
  classify CODE [--region CN|HK]
  simulator [--port N] [--time-scale F] [--state FILE]
  pay --amount 12.50 --currency CNY [--code DIGITS | --scanner SPEC]
  pay --amount X --currency C --member ID [--wallet AlipayHK|Alipay]
  member link --member ID --wallet AlipayHK|Alipay [--no-wait]
  member list [--json]
  member unbind --member ID [--wallet W]
  checkout --amount X --currency C [--brand ApplePay|GooglePay]
           [--member ID --every N --unit month --until YYYY-MM-DD]
  renew --member ID --amount X --currency C
  query ORDER_ID
  refund ORDER_ID --amount X
  history [--json]
  serve [--port N]
  scanners [--watch]
  scan SPEC`;

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage}\n`);
    return name ? 0 : 2;
  }
  const load = subcommands[name];
  if (!load) {
    process.stderr.write(`pospay: unknown command "${name}"\n${usage}\n`);
    return 2;
  }
  const command = await load();
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`pospay: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
