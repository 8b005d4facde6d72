/**
 * What the app layer needs from the payment engine: the engine's own methods, picked from its
 * type (electron/engine), so the app cannot expect more than the engine offers and a test
 * double typed by it cannot drift from it (test/unit/app/fakes.ts). And what it needs from
 * the members side (electron/members/memberService.ts), picked the same way.
 */
import type { PaymentEngine } from '../engine/paymentEngine.ts';
import type { MemberService } from '../members/memberService.ts';

export type EngineLike = Pick<
  PaymentEngine,
  | 'startSale'
  | 'submitCode'
  | 'cancel'
  | 'current'
  | 'sale'
  | 'onSaleUpdated'
  | 'refund'
  | 'history'
  | 'report'
  | 'exportCsv'
  | 'warm'
  | 'chargeMember'
  | 'startCheckout'
  | 'renew'
>;

export type MembersLike = Pick<
  MemberService,
  | 'find'
  | 'findOrCreate'
  | 'list'
  | 'link'
  | 'checkLink'
  | 'openSignUp'
  | 'unbind'
  | 'subscriptions'
  | 'dueRenewals'
  | 'onLinkUpdated'
>;
