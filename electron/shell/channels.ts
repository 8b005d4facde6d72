/**
 * The contract's channel names as plain lists, so the sandboxed preload can allow-list them
 * without bundling zod. A unit test checks they equal the contract's keys exactly.
 */
import type { EventChannel, InvokeChannel } from '../../shared/ipc/contract.ts';

export const INVOKE_CHANNELS = [
  'sale:start',
  'sale:submit-code',
  'sale:cancel',
  'sale:current',
  'history:list',
  'history:report',
  'history:export-csv',
  'refund:create',
  'settings:get',
  'settings:save',
  'scanner:state',
  'gateway:warm',
  'pin:check',
  // members, linked wallets, pay on phone, subscriptions (shared/ipc/memberChannels.ts)
  'member:find',
  'member:create',
  'member:list',
  'member:link',
  'member:check-link',
  'member:open-sign-up',
  'member:unbind',
  'sale:start-member',
  'sale:start-checkout',
  'member:history',
  'subscription:list',
  'subscription:renew',
  // receipts and printers (shared/ipc/receiptChannels.ts)
  'receipt:print',
  'receipt:decline',
  'receipt:print-report',
  'receipt:test-page',
  'receipt:preview',
  'receipt:state',
  'printer:list',
] as const satisfies readonly InvokeChannel[];

export const EVENT_CHANNELS = [
  'sale:updated',
  'scanner:state',
  'scan:rejected',
  'member:link-updated',
  'receipt:status',
] as const satisfies readonly EventChannel[];

/**
 * The Electron IPC channels the shell uses: one for invokes, one for events, and one for the
 * connection to the terminal core (false while it restarts: the screen shows "reconnecting").
 */
export const IPC_INVOKE = 'pospay:invoke';
export const IPC_EVENT = 'pospay:event';
export const IPC_CONNECTION = 'pospay:connection';
