/**
 * `pospay member link | list | unbind` (interfaces.md, codegrant.md): a member's linked
 * wallets (CodeGrant) from the command line, through the same journal and gateway as the
 * cashier app. Never prints a token.
 *
 *   link --member ID --wallet AlipayHK|Alipay [--no-wait]
 *     one JSON line {"member","wallet","status":"pending","authUrl"} (and the QR code of
 *     the authUrl when stdout is a terminal); then, unless --no-wait, the final line with
 *     status active, declined or expired. Exit 0 active, 1 otherwise, 2 refused input.
 *   list [--json] [--due]   linked wallets (and memberships with their next due date)
 *   unbind --member ID [--wallet W]   at the gateway; exit 0 when unbound
 */
import QRCode from 'qrcode';
import {
  isLinkWallet,
  memberIdProblem,
  walletRefusal,
  type LinkWallet,
} from '../../../shared/members.ts';
import { formatForGateway } from '../../../shared/money.ts';
import { parseCommand } from '../args.ts';
import { onInterrupt } from '../interrupt.ts';
import { errorMessage } from '../output.ts';
import { openMemberTerminal, type MemberTerminal } from '../memberTerminal.ts';
import { MemberError, type LinkView, type SubscriptionView } from '../../members/memberService.ts';

const help = `usage: pospay member link --member ID --wallet AlipayHK|Alipay [--no-wait]
       pospay member list [--json] [--due]
       pospay member unbind --member ID [--wallet AlipayHK|Alipay]

Linked wallets (CodeGrant): a member agrees once in the wallet, later payments need no
scan (pospay pay --member ID). WeChat Pay does not support linked wallets.

  link     starts a sign-up: prints {"member","wallet","status":"pending","authUrl"} (the
           customer opens authUrl — shown as a QR code on a terminal — and agrees in the
           wallet), then waits and prints the final status: active (exit 0), declined or
           expired (exit 1). --no-wait: print the pending line and exit 0.
  list     every member's linked wallets: member, wallet, status, times (never the token),
           and memberships with their next due date (--due: only those due today)
  unbind   ends the member's linked wallet(s) at the gateway; exit 0 when unbound

  --member ID    the member id (letters, digits, . - _); --phone NUMBER instead: the id is
                 derived from the number by a keyed hash (the number is not kept)`;

function fail(message: string, withHelp = false): number {
  process.stderr.write(`pospay member: ${message}\n${withHelp ? `\n${help}\n` : ''}`);
  return 2;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function linkLine(link: LinkView): Record<string, unknown> {
  return {
    member: link.memberId,
    wallet: link.wallet,
    status: link.status,
    ...(link.status === 'pending' ? { authUrl: link.authUrl, expiresAt: iso(link.expiresAt) } : {}),
    ...(link.reason ? { reason: link.reason } : {}),
  };
}

function subscriptionLine(s: SubscriptionView): Record<string, unknown> {
  return {
    member: s.memberId,
    subscription: s.subscriptionId,
    status: s.status,
    amount: formatForGateway(s.amountMinor, s.currency),
    currency: s.currency,
    every: s.schedule.intervalCount,
    unit: s.schedule.intervalUnit,
    start: s.schedule.startDate,
    until: s.schedule.endDate,
    paid: s.paidCount,
    nextDue: s.nextDue,
    ...(s.reason ? { reason: s.reason } : {}),
  };
}

function print(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** The member id from --member or --phone (2 and a message when neither is usable). */
function memberArg(values: { member?: string; phone?: string }): string | { error: string } {
  if (values.member !== undefined && values.phone !== undefined) {
    return { error: 'give --member or --phone, not both' };
  }
  if (values.phone !== undefined) return `phone:${values.phone}`;
  if (values.member === undefined) return { error: '--member is required' };
  const problem = memberIdProblem(values.member.trim());
  return problem ? { error: problem } : values.member.trim();
}

function walletArg(text: string | undefined): LinkWallet | undefined | { error: string } {
  if (text === undefined) return undefined;
  if (isLinkWallet(text)) return text;
  return { error: walletRefusal(text)?.reason ?? `unknown wallet ${text}` };
}

/** The members side opened (no recovery: these commands charge nothing), used, and closed. */
async function withMembers(use: (opened: MemberTerminal) => Promise<number>): Promise<number> {
  let opened: MemberTerminal;
  try {
    opened = await openMemberTerminal({}, { recovery: 'off' });
  } catch (error) {
    return fail(errorMessage(error));
  }
  try {
    return await use(opened);
  } finally {
    await opened.close();
  }
}

async function link(args: string[]): Promise<number> {
  const parsed = parseCommand(
    'member link',
    args,
    { strings: ['member', 'phone', 'wallet'], booleans: ['no-wait'] },
    help,
  );
  if (!parsed.ok) return parsed.exitCode;
  const { values } = parsed;
  const member = memberArg(values);
  if (typeof member !== 'string') return fail(member.error, true);
  if (values.wallet === undefined) return fail('--wallet AlipayHK|Alipay is required', true);
  const wallet = walletArg(values.wallet);
  if (wallet === undefined || typeof wallet !== 'string') {
    return fail(wallet?.error ?? '--wallet is required');
  }
  return withMembers(async (opened) => {
    const { members } = opened;
    let memberId: string;
    try {
      memberId = member.startsWith('phone:')
        ? members.findOrCreate({ phone: member.slice('phone:'.length) }).memberId
        : member;
    } catch (error) {
      return fail(errorMessage(error));
    }
    let first: LinkView;
    try {
      first = await members.link(memberId, wallet);
    } catch (error) {
      if (error instanceof MemberError) return fail(error.message);
      throw error;
    }
    print(linkLine(first));
    if (first.status === 'pending' && first.authUrl && process.stdout.isTTY) {
      process.stdout.write(await QRCode.toString(first.authUrl, { type: 'terminal', small: true }));
    }
    if (first.status !== 'pending') return first.status === 'active' ? 0 : 1;
    if (values['no-wait'] === true) {
      if (opened.terminal.trainingMode) {
        process.stderr.write(
          'Training mode: the wallet page is served by this pospay process and closes as it ' +
            'exits — wait for the customer (no --no-wait), or run `pospay simulator` and set ' +
            'POS_GATEWAY_URL to it.\n',
        );
      }
      return 0;
    }
    process.stderr.write('Waiting for the customer to agree in the wallet…\n');
    let stop!: () => void;
    const interrupted = new Promise<null>((resolve) => (stop = () => resolve(null)));
    const off = onInterrupt(() => stop());
    // The sign-up ends by itself (agreed, declined, or expired at the gateway or here).
    const limit = members.signUpLifetimeMs * 1.2 + 10_000;
    const final = await Promise.race([members.waitForLink(first.linkId, limit), interrupted]);
    off();
    const shown =
      final ?? members.view(memberId)?.links.find((l) => l.linkId === first.linkId) ?? first;
    print(linkLine(shown));
    return shown.status === 'active' ? 0 : 1;
  });
}

async function list(args: string[]): Promise<number> {
  const parsed = parseCommand('member list', args, { booleans: ['json', 'due'] }, help);
  if (!parsed.ok) return parsed.exitCode;
  return withMembers(async ({ members }) => {
    const due = parsed.values.due === true ? members.dueRenewals() : null;
    const views = members.list();
    const json = parsed.values.json === true;
    for (const member of views) {
      if (due === null) {
        for (const l of member.links) {
          const line = {
            ...linkLine(l),
            createdAt: iso(l.createdAt),
            updatedAt: iso(l.updatedAt),
            lastCheckedAt: iso(l.lastCheckedAt),
            ...(l.unboundBy ? { unboundBy: l.unboundBy } : {}),
          };
          if (json) print(line);
          else {
            process.stdout.write(
              `${member.memberId.padEnd(24)} ${l.wallet.padEnd(9)} ${l.status.padEnd(8)} ` +
                `updated ${iso(l.updatedAt) ?? '-'}${l.unboundBy ? ` (unbound by ${l.unboundBy})` : ''}\n`,
            );
          }
        }
      }
      for (const s of member.subscriptions) {
        if (due !== null && !due.some((d) => d.subscriptionId === s.subscriptionId)) continue;
        if (json) print(subscriptionLine(s));
        else {
          process.stdout.write(
            `${member.memberId.padEnd(24)} membership ${formatForGateway(s.amountMinor, s.currency)} ${s.currency} ` +
              `every ${s.schedule.intervalCount} ${s.schedule.intervalUnit} ${s.status} next due ${s.nextDue ?? '-'}\n`,
          );
        }
      }
    }
    return 0;
  });
}

async function unbind(args: string[]): Promise<number> {
  const parsed = parseCommand(
    'member unbind',
    args,
    { strings: ['member', 'phone', 'wallet'] },
    help,
  );
  if (!parsed.ok) return parsed.exitCode;
  const member = memberArg(parsed.values);
  if (typeof member !== 'string') return fail(member.error, true);
  const wallet = walletArg(parsed.values.wallet);
  if (wallet !== undefined && typeof wallet !== 'string') return fail(wallet.error);
  return withMembers(async ({ members }) => {
    let memberId: string;
    try {
      memberId = member.startsWith('phone:')
        ? members.memberIdFor({ phone: member.slice('phone:'.length) }).memberId
        : member;
    } catch (error) {
      return fail(errorMessage(error));
    }
    try {
      const done = await members.unbind(memberId, wallet, 'cli');
      for (const l of done) print(linkLine(l));
      return 0;
    } catch (error) {
      if (error instanceof MemberError) {
        process.stderr.write(`pospay member unbind: ${error.message}\n`);
        return error.code === 'not-found' ? 2 : 1;
      }
      throw error;
    }
  });
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'link':
      return link(rest);
    case 'list':
      return list(rest);
    case 'unbind':
      return unbind(rest);
    case '--help':
    case '-h':
      process.stdout.write(`${help}\n`);
      return 0;
    default:
      return fail(
        sub ? `unknown subcommand "${sub}"` : 'give a subcommand: link, list or unbind',
        true,
      );
  }
}
