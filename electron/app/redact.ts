/**
 * Last line of defence for the salt: any string on its way to the screen, a log or an event
 * has every occurrence of a secret replaced. (Nothing should carry it in the first place.)
 */
export const REDACTED = '[redacted]';

/** Secrets shorter than this are not redacted (they would mangle ordinary text). */
const MIN_SECRET_LENGTH = 6;

function usable(secrets: readonly (string | null | undefined)[]): string[] {
  return secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH);
}

export function redactText(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const secret of usable(secrets)) out = out.split(secret).join(REDACTED);
  return out;
}

/** A deep copy of `value` with every string redacted (Errors become their redacted message). */
export function redactDeep<T>(value: T, secrets: readonly (string | null | undefined)[]): T {
  const list = usable(secrets);
  if (list.length === 0) return value;
  const seen = new WeakMap<object, unknown>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactText(v, list);
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return seen.get(v);
    if (v instanceof Error) {
      const copy = new Error(redactText(v.message, list));
      copy.name = v.name;
      if (v.stack) copy.stack = redactText(v.stack, list);
      seen.set(v, copy);
      return copy;
    }
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      seen.set(v, out);
      for (const item of v) out.push(walk(item));
      return out;
    }
    if (Buffer.isBuffer(v) || ArrayBuffer.isView(v)) return v;
    const out: Record<string, unknown> = {};
    seen.set(v, out);
    for (const [key, item] of Object.entries(v)) out[key] = walk(item);
    return out;
  };
  return walk(value) as T;
}
