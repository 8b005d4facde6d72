/**
 * Handlers of the receipt channels (shared/ipc/receiptChannels.ts), spread into createHandlers.
 * What they need beyond the common context is declared in ReceiptHandlerContext.
 */
import type { HandlerContext } from './handlers.ts';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ReceiptHandlerContext {}

export function createReceiptHandlers(_ctx: HandlerContext): Record<never, never> {
  return {};
}
