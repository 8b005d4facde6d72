/**
 * Handlers of the member channels (shared/ipc/memberChannels.ts), spread into createHandlers.
 */
import type { HandlerContext } from './handlers.ts';

export function createMemberHandlers(_ctx: HandlerContext): Record<never, never> {
  return {};
}
