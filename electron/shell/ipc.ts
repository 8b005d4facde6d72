/**
 * The check main makes on every invoke from the window before it goes to the terminal core:
 * a contract channel, and a request that matches its zod schema (stripped to the fields the
 * contract names). The core checks again; this keeps anything else from crossing at all.
 */
import { invokeChannels, isInvokeChannel, type InvokeChannel } from '../../shared/ipc/contract.ts';
import type { InvokeResult } from '../app/handlers.ts';

export type InvokeCheck =
  { ok: true; channel: InvokeChannel; request: unknown } | { ok: false; result: InvokeResult };

export function checkInvoke(channel: unknown, request: unknown): InvokeCheck {
  if (typeof channel !== 'string' || !isInvokeChannel(channel)) {
    return {
      ok: false,
      result: {
        ok: false,
        status: 404,
        error: {
          error: `No channel "${typeof channel === 'string' ? channel.slice(0, 64) : typeof channel}".`,
          code: 'unknown-channel',
        },
      },
    };
  }
  const parsed = invokeChannels[channel].request.safeParse(request ?? {});
  if (!parsed.success) {
    const where = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.length ? issue.path.join('.') : 'request'}: ${issue.message}`)
      .join('; ');
    return {
      ok: false,
      result: {
        ok: false,
        status: 400,
        error: { error: `Invalid ${channel} request: ${where}`, code: 'invalid-request' },
      },
    };
  }
  return { ok: true, channel, request: parsed.data };
}

/** What an untrusted frame gets (and nothing reaches the core). */
export const UNTRUSTED_SENDER: InvokeResult = {
  ok: false,
  status: 400,
  error: { error: 'Refused: not the terminal screen.', code: 'untrusted-sender' },
};
