/**
 * electron-log hook that removes the salt from every message before any transport (file,
 * console) writes it. Pure: the shell passes the secrets getter.
 */
import { redactDeep } from '../app/redact.ts';

export interface LogMessageLike {
  data: unknown[];
}

export function createRedactionHook(
  secrets: () => readonly (string | null | undefined)[],
): <M extends LogMessageLike>(message: M) => M {
  return (message) => ({ ...message, data: redactDeep(message.data, secrets()) });
}
