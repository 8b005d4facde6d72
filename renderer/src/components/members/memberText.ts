/** Pure helpers of the members screens (unit-tested without a DOM). */
import { looksLikePhone } from '../../../../shared/members.ts';

/** A member id, or a phone number (the terminal turns it into an opaque id). */
export function memberRef(text: string): { memberId: string } | { phone: string } {
  const trimmed = text.trim();
  return looksLikePhone(trimmed) ? { phone: trimmed } : { memberId: trimmed };
}

/**
 * The reason code of a refusal about members, from the terminal's own sentence (the IPC error
 * carries the code of the error class, e.g. amount-invalid, not the reason's).
 */
const MEMBER_REASONS: [RegExp, string][] = [
  [/per linked-wallet payment/, 'link-limit-exceeded'],
  [/^A linked \S+ is charged in|^No linked wallet is charged in/, 'link-currency'],
  [/^There is no member/, 'member-unknown'],
  [/has no linked/, 'link-missing'],
  [/was ended —/, 'link-unbound'],
  [/has not agreed to the|link is (pending|declined|expired)/, 'link-not-active'],
  [/token cannot be read/, 'link-token-unreadable'],
  [/^A charge of the member’s \S+ \(sale .* is still being confirmed/, 'link-unsettled'],
  [/has no membership|The membership is|schedule ended/, 'subscription-missing'],
  [/does not support linked wallets|cannot be linked at this till/, 'wallet-not-codegrant'],
];

export function memberReasonOf(text: string): string | null {
  for (const [pattern, code] of MEMBER_REASONS) if (pattern.test(text)) return code;
  return null;
}
