/**
 * The terminal's reasons and errors in the cashier's language, facts included.
 *
 * The contract gives a stable code (reasonCode, error code) and the terminal's own English
 * sentence. English screens show that sentence as it is. The other languages show the code's
 * translation, plus the facts the sentence carries (the gateway's "insufficient balance",
 * how many PIN tries are left, how long the lock lasts, why a scan is not a payment code),
 * each translated from a known phrase. A phrase this screen does not know is left out of a
 * Chinese screen rather than shown in English (a gateway text in Chinese is kept).
 */
import type { TFunction } from 'i18next';
import type { SaleView } from '../../../shared/ipc/contract.ts';
import type { Currency } from '../../../shared/money.ts';
import { classifyPaymentCode, maskCode } from '../../../shared/paymentCode.ts';
import { methodCurrency, type PaymentMethod, type Region } from '../../../shared/paymentMethods.ts';
import { factsOf as sharedFactsOf } from '../../../shared/reasonTexts.ts';

/** A translation key with its parameters. */
export interface Phrase {
  key: string;
  params?: Record<string, string>;
}

/** The known facts of one sentence of the terminal (or the gateway), as phrases. */
export function factsOf(text: string): Phrase[] {
  return sharedFactsOf(text).map((fact) => ({
    key: `facts.${fact.key}`,
    ...(fact.params ? { params: fact.params } : {}),
  }));
}

const HAS_HAN = /\p{Script=Han}/u;

function joinFacts(t: TFunction, text: string): string | null {
  const facts = factsOf(text).map((p) => t(p.key, p.params));
  if (facts.length > 0) return facts.join(t('facts.separator'));
  // The gateway's own words in Chinese are facts too; English ones are left out.
  return HAS_HAN.test(text) ? text : null;
}

/** Why a sale (or refund) is not paid: the reason, and its facts as a detail line. */
export function explainReason(
  t: TFunction,
  language: string,
  sale: Pick<SaleView, 'reason' | 'reasonCode' | 'status'>,
): { reason: string | null; detail: string | null } {
  if (!sale.reason) return { reason: null, detail: null };
  if (language === 'en') return { reason: sale.reason, detail: null };
  const key = `reasons.${sale.reasonCode ?? ''}`;
  const reason = t(key, { defaultValue: '' }) || fallbackReason(t, sale.status);
  return { reason, detail: joinFacts(t, sale.reason) };
}

function fallbackReason(t: TFunction, status: SaleView['status']): string {
  if (status === 'declined') return t('result.declinedDefault');
  if (status === 'closed') return t('result.closedDefault');
  return t('result.unknownHelp');
}

/** What was scanned, for the words of a "not a payment code" error. */
export interface ScanContext {
  code: string;
  region: Region;
  override?: PaymentMethod | null;
  saleCurrency: Currency;
}

/** Why a scan is not a payment code this sale can take, from the code itself. */
export function explainCode(t: TFunction, scan: ScanContext): string {
  const result = classifyPaymentCode(scan.code, {
    region: scan.region,
    ...(scan.override ? { override: scan.override } : {}),
  });
  const digits = scan.code.replace(/\D/g, '');
  const params = { digits: String(digits.length), code: maskCode(digits) };
  if (!result.ok) {
    if (result.rejection === 'override-mismatch' && scan.override) {
      return t('codeInvalid.override-mismatch', { method: t(`method.${scan.override}`) });
    }
    return t(`codeInvalid.${result.rejection}`, {
      ...params,
      defaultValue: t('errors.code-invalid'),
    });
  }
  const codeCurrency = methodCurrency(result.method);
  if (codeCurrency !== scan.saleCurrency) {
    return t('codeInvalid.currency', {
      method: t(`method.${result.method}`),
      codeCurrency,
      saleCurrency: scan.saleCurrency,
    });
  }
  return t('errors.code-invalid');
}

/** An error the terminal answered with, in a language other than English, facts included. */
export function explainError(
  t: TFunction,
  error: { code: string; text: string; scan?: ScanContext; reasonCode?: string },
): string {
  if (error.code === 'code-invalid' && error.scan) return explainCode(t, error.scan);
  if (error.reasonCode) {
    const reason = t(`reasons.${error.reasonCode}`, { defaultValue: '' });
    if (reason) {
      const detail = joinFacts(t, error.text);
      return detail ? `${reason}（${detail}）` : reason;
    }
  }
  if (error.code === 'pin-wrong') {
    const left = /\((\d+) tr(?:y|ies) left/.exec(error.text)?.[1];
    if (left !== undefined) return t('errors.pin-wrong-left', { left });
  }
  if (error.code === 'pin-locked') {
    const seconds = /locked for (\d+) s/.exec(error.text)?.[1];
    if (seconds !== undefined) return t('errors.pin-locked-for', { seconds });
  }
  const own = t(`errors.${error.code}`, { defaultValue: '' });
  if (own) return own;
  const reason = t(`reasons.${error.code}`, { defaultValue: '' });
  if (reason) {
    const detail = joinFacts(t, error.text);
    return detail ? `${reason}（${detail}）` : reason;
  }
  return t('errors.other');
}
