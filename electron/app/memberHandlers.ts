/**
 * Handlers of the member channels (shared/ipc/memberChannels.ts), spread into createHandlers.
 *
 * The members side (electron/members/memberService.ts) comes from the context's `members()`
 * (terminalApp wires it: see MembersLike in ports.ts); without it the channels answer
 * "not ready". Unbind and renewals check the supervisor PIN (purpose 'members'). Amounts are
 * parsed as for sale:start; nothing here returns a token.
 */
import { parseAmount, type Currency } from '../../shared/money.ts';
import { localDay } from '../../shared/sale.ts';
import { AppError } from './errors.ts';
import { requirePin, type HandlerContext, type InvokeRequestParsed } from './handlers.ts';
import type { MembersLike } from './ports.ts';
import type { InvokeResponse } from '../../shared/ipc/contract.ts';
import type { memberInvokeChannels } from '../../shared/ipc/memberChannels.ts';

type MemberChannel = keyof typeof memberInvokeChannels;
type MemberHandlers = {
  [C in MemberChannel]: (request: InvokeRequestParsed<C>) => Promise<InvokeResponse<C>>;
};

/** The context with the members side, once terminalApp provides it. */
export interface MemberHandlerContext {
  members(): MembersLike | null;
}

function amountOf(text: string, currency: Currency, ceilingMinor: number): number {
  const result = parseAmount(text, currency, { ceilingMinor });
  if (!result.ok) throw new AppError(`amount-${result.rejection}`, result.message);
  return result.minor;
}

export function createMemberHandlers(
  ctx: HandlerContext & Partial<MemberHandlerContext>,
): MemberHandlers {
  const members = (): MembersLike => {
    const service = ctx.members?.() ?? null;
    if (!service) {
      throw new AppError('terminal-not-ready', 'Members are not available on this terminal yet.');
    }
    return service;
  };
  const ref = (req: { memberId?: string | undefined; phone?: string | undefined }) =>
    req.phone !== undefined ? { phone: req.phone } : { memberId: req.memberId ?? '' };
  return {
    'member:find': async (req) => members().find(ref(req)),
    'member:create': async (req) =>
      members().findOrCreate({ ...ref(req), ...(req.label ? { label: req.label } : {}) }),
    'member:list': async (req) => members().list(req.search ?? ''),
    'member:link': async (req) => members().link(req.memberId, req.wallet),
    'member:check-link': async (req) => members().checkLink(req.linkId),
    'member:open-sign-up': async () => members().openSignUp(),
    'member:unbind': async (req) => {
      await requirePin(ctx, req.pin, 'members');
      return members().unbind(req.memberId, req.wallet, 'cashier');
    },
    'sale:start-member': async (req) => {
      const settings = ctx.settings();
      const currency = req.currency ?? settings.currency;
      return ctx.engine().chargeMember({
        ...(req.replaces ? { replaces: req.replaces } : {}),
        amountMinor: amountOf(req.amountText, currency, settings.amountCeilingMinor),
        currency,
        memberId: req.memberId,
        ...(req.wallet ? { wallet: req.wallet } : {}),
      });
    },
    'sale:start-checkout': async (req) => {
      const settings = ctx.settings();
      const currency = req.currency ?? settings.currency;
      const sub = req.subscription;
      return ctx.engine().startCheckout({
        ...(req.replaces ? { replaces: req.replaces } : {}),
        amountMinor: amountOf(req.amountText, currency, settings.amountCeilingMinor),
        currency,
        ...(req.brand ? { brand: req.brand } : {}),
        ...(sub
          ? {
              subscription: {
                memberId: sub.memberId,
                schedule: {
                  startDate: sub.startDate ?? localDay(Date.now()),
                  intervalUnit: sub.intervalUnit,
                  intervalCount: sub.intervalCount,
                  endDate: sub.endDate,
                },
              },
            }
          : {}),
      });
    },
    'member:history': async (req) =>
      ctx.engine().history({
        memberId: req.memberId,
        ...(req.subscriptionId ? { subscriptionId: req.subscriptionId } : {}),
        limit: req.limit ?? 100,
      }),
    'subscription:list': async (req) =>
      req.due === true
        ? members()
            .dueRenewals()
            .filter((s) => req.memberId === undefined || s.memberId === req.memberId)
        : members().subscriptions(req.memberId),
    'subscription:renew': async (req) => {
      await requirePin(ctx, req.pin, 'members');
      const settings = ctx.settings();
      const currency = req.currency ?? settings.currency;
      return ctx.engine().renew({
        memberId: req.memberId,
        amountMinor: amountOf(req.amountText, currency, settings.amountCeilingMinor),
        currency,
        ...(req.subscriptionId ? { subscriptionId: req.subscriptionId } : {}),
      });
    },
  };
}
