/**
 * Why a sale or refund was not paid, in the three languages the terminal speaks: the words of
 * each reason code and of the facts a reason carries (insufficient balance, the customer
 * cancelled…). PURE data and functions, shared by the cashier's screen (its dictionaries
 * include these: renderer/src/i18n) and the terminal's CSV export (electron/engine/reports.ts),
 * so both say the same thing in the same words.
 */
import type { Language } from './languages.ts';
import type { ReasonCode } from './sale.ts';

export const REASON_TEXTS = {
  en: {
    reasons: {
      'customer-timeout': 'The customer did not confirm in time',
      cancelled: 'Cancelled',
      closed: 'The customer did not confirm — nothing was charged',
      'code-expired': 'The payment code expired — ask the customer for a fresh code',
      'not-sent': 'The payment did not reach the gateway — nothing was charged',
      'auto-refunded': 'Paid after the till stopped waiting — refunded automatically',
      'auto-refund-declined':
        'Paid after the till stopped waiting — the automatic refund was refused (tried again): the customer is NOT refunded yet; call the supervisor',
      'sale-in-progress': 'A payment is already in progress — finish it first',
      'risk-declined': "Declined by the wallet's risk check — ask for another way to pay",
      declined: 'Declined by the wallet',
      'gateway-rejected': 'The gateway refused the payment',
      'gateway-credentials':
        "The gateway refused our signature or the store's credentials — check the salt and the store id in Settings. The payment is not confirmed: do not charge again; call the supervisor/IT.",
      'amount-mismatch':
        'The gateway reports a different amount paid — this sale is NOT paid. Do not charge again and do not refund; call the supervisor.',
      'refund-declined': 'The gateway refused the refund',
      'wallet-not-codegrant': 'This wallet cannot be linked at this till — link AlipayHK or Alipay',
      'link-limit-exceeded': "Above the linked wallet's limit per payment — nothing was charged",
      'link-currency': 'The linked wallet is charged in another currency than this sale',
      'member-unknown': 'There is no such member',
      'link-missing':
        'The member has no linked wallet — link it first, or ask the customer to scan their payment code',
      'link-not-active': 'The linked wallet is not active yet — nothing was charged',
      'link-unbound':
        "The customer's linked wallet no longer works — nothing was charged; ask the customer to scan their payment code or link again",
      'link-token-unreadable':
        "The linked wallet's token cannot be read on this terminal — link again; call IT",
      'member-token-mismatch':
        "The gateway does not know this member's token — nothing was charged; call IT",
      'link-unsettled':
        "An earlier charge of the member's linked wallet is still being confirmed — nothing was charged; wait for its result",
      'subscription-missing': 'There is no such membership',
      'subscription-token-revoked':
        "The membership's payment token no longer works — nothing was charged; ask the customer to pay on their phone again",
      'checkout-expired':
        'The customer did not pay on the phone before the page closed — nothing was charged',
      'checkout-cancelled': 'The payment on the phone was cancelled',
      'checkout-failed':
        "The payment on the customer's phone failed — nothing was charged; ask for another way to pay",
      'subscription-not-due':
        'The membership is paid up: its renewal is not due yet — nothing was charged',
      'subscription-terms':
        "A renewal is charged at the membership's amount and currency only — nothing was charged",
      'subscription-ambiguous':
        'The member has more than one membership — choose the one to renew; nothing was charged',
      'subscription-other-gateway':
        'This membership was made with another gateway — it is renewed only there; nothing was charged',
      'subscription-unsettled':
        'An earlier charge of this membership is still being confirmed — nothing was charged; wait for it',
      'token-charge-expired':
        'The wallet refused the charge as expired — nothing was charged; ask the customer to check their wallet app, or to scan their payment code instead',
      'subscription-first-unpaid': 'The first payment was not made — no membership was sold',
      'subscription-checkout-abandoned':
        'The membership checkout was cancelled (or the till stopped waiting) before the customer paid — no membership was sold; a payment made anyway is refunded automatically',
      'subscription-token-other-member':
        "The gateway's answer about the first payment named another member — renewals cannot be charged (the payment stands); call IT",
      'subscription-no-token':
        'The first payment carried no payment token — renewals cannot be charged (the payment stands)',
      'subscription-first-refunded':
        'Its first payment was refunded in full — it is not renewed; sell the membership again',
    } satisfies Record<ReasonCode, string>,
    facts: {
      nothingCharged: 'nothing was charged',
      separator: '; ',
      insufficientBalance: 'insufficient balance',
      payerCancelled: 'the customer cancelled the payment',
      overLimit: "over the wallet's payment limit",
      accountFrozen: "the customer's wallet account is frozen",
      refundOverRemaining: 'more than what is left to refund',
      refundOverPayment: 'more than the payment',
      refundNotPossible: 'this payment cannot be refunded',
      amountMismatch: 'the gateway reports {{stated}} paid for this {{expected}} sale',
      badSignature: 'the gateway refused our signature: check the salt',
      gatewayCode: 'gateway code {{code}}',
    },
  },
  'zh-CN': {
    reasons: {
      'customer-timeout': '顾客未能及时确认',
      cancelled: '已取消',
      closed: '顾客没有确认 — 没有扣款',
      'code-expired': '付款码已过期 — 请顾客刷新付款码',
      'not-sent': '支付未送达网关 — 没有扣款',
      'auto-refunded': '收银员停止等待后才支付 — 已自动退款',
      'auto-refund-declined':
        '收银员停止等待后才支付 — 自动退款被网关拒绝（会再试）：顾客尚未退款，请联系主管',
      'sale-in-progress': '已有一笔支付正在进行 — 请先完成',
      'risk-declined': '被钱包风控拒绝 — 请顾客换一种付款方式',
      declined: '被钱包拒绝',
      'gateway-rejected': '支付网关拒绝了这笔支付',
      'gateway-credentials':
        '支付网关拒绝了我们的签名或门店凭证 — 请在设置中检查密钥（salt）和门店编号。支付未能确认：请勿再次收款，请联系主管／IT。',
      'amount-mismatch':
        '支付网关报告的已付金额不一致 — 这笔交易并未支付成功。请勿再次收款，也不要退款，请联系主管。',
      'refund-declined': '支付网关拒绝了这笔退款',
      'wallet-not-codegrant': '此钱包不能在本收银台绑定 — 请绑定 AlipayHK 或支付宝',
      'link-limit-exceeded': '超出绑定钱包的单笔限额 — 没有扣款',
      'link-currency': '绑定钱包的扣款币种与这笔交易不同',
      'member-unknown': '找不到这位会员',
      'link-missing': '这位会员没有绑定钱包 — 请先绑定，或请顾客出示付款码',
      'link-not-active': '绑定的钱包尚未生效 — 没有扣款',
      'link-unbound': '顾客绑定的钱包已失效 — 没有扣款；请顾客出示付款码或重新绑定',
      'link-token-unreadable': '本终端无法读取绑定钱包的凭证 — 请重新绑定，并联系 IT',
      'member-token-mismatch': '网关不认识这位会员的凭证 — 没有扣款；请联系 IT',
      'link-unsettled': '这位会员绑定钱包的上一笔扣款仍在确认中 — 没有扣款；请等待结果',
      'subscription-missing': '找不到这个会员订阅',
      'subscription-token-revoked': '会员订阅的支付凭证已失效 — 没有扣款；请顾客在手机上重新支付',
      'checkout-expired': '顾客未在页面关闭前用手机支付 — 没有扣款',
      'checkout-cancelled': '手机支付已取消',
      'checkout-failed': '顾客手机上的支付失败 — 没有扣款；请换一种付款方式',
      'subscription-not-due': '会员订阅已付清：续费尚未到期 — 没有扣款',
      'subscription-terms': '续费只能按会员订阅的金额和币种扣款 — 没有扣款',
      'subscription-ambiguous': '这位会员有多个会员订阅 — 请选择要续费的一个；没有扣款',
      'subscription-other-gateway': '这个会员订阅是在另一个网关开通的 — 只能在那里续费；没有扣款',
      'subscription-unsettled': '这个会员订阅的上一笔扣款仍在确认中 — 没有扣款；请等待结果',
      'token-charge-expired':
        '钱包以已过期为由拒绝了扣款 — 没有扣款；请顾客检查钱包应用，或改为出示付款码',
      'subscription-first-unpaid': '首笔付款未完成 — 会员订阅未售出',
      'subscription-checkout-abandoned':
        '顾客付款前，会员订阅的手机支付已取消（或收银机已停止等待） — 会员订阅未售出；顾客若仍付了款，将自动退款',
      'subscription-token-other-member':
        '网关关于首笔付款的回复指向另一位会员 — 无法扣取续费（该笔付款有效）；请联系 IT',
      'subscription-no-token': '首笔付款没有返回支付凭证 — 无法扣取续费（该笔付款有效）',
      'subscription-first-refunded': '首笔付款已全额退款 — 不会续费；请重新售出会员订阅',
    } satisfies Record<ReasonCode, string>,
    facts: {
      nothingCharged: '没有扣款',
      separator: '；',
      insufficientBalance: '余额不足',
      payerCancelled: '顾客取消了支付',
      overLimit: '超出钱包的支付限额',
      accountFrozen: '顾客的钱包账户已冻结',
      refundOverRemaining: '超过可退余额',
      refundOverPayment: '超过支付金额',
      refundNotPossible: '这笔支付不能退款',
      amountMismatch: '网关报告已付 {{stated}}，这笔交易金额为 {{expected}}',
      badSignature: '网关拒绝了我们的签名：请检查密钥（salt）',
      gatewayCode: '网关代码 {{code}}',
    },
  },
  'zh-HK': {
    reasons: {
      'customer-timeout': '顧客未能及時確認',
      cancelled: '已取消',
      closed: '顧客沒有確認 — 沒有扣款',
      'code-expired': '付款碼已過期 — 請顧客刷新付款碼',
      'not-sent': '付款未送達支付網關 — 沒有扣款',
      'auto-refunded': '收銀員停止等待後才付款 — 已自動退款',
      'auto-refund-declined':
        '收銀員停止等待後才付款 — 自動退款被網關拒絕（會再試）：顧客尚未獲退款，請聯絡主管',
      'sale-in-progress': '已有一筆付款正在進行 — 請先完成',
      'risk-declined': '被錢包風險控制拒絕 — 請顧客改用其他付款方式',
      declined: '被錢包拒絕',
      'gateway-rejected': '支付網關拒絕了這筆付款',
      'gateway-credentials':
        '支付網關拒絕了我們的簽名或門店憑證 — 請在設定中檢查密鑰（salt）和門店編號。付款未能確認：請勿再次收款，請聯絡主管／IT。',
      'amount-mismatch':
        '支付網關報告的已付金額不同 — 這筆交易並非已付款。請勿再次收款，亦不要退款，請聯絡主管。',
      'refund-declined': '支付網關拒絕了這筆退款',
      'wallet-not-codegrant': '此錢包不能在本收銀機綁定 — 請綁定 AlipayHK 或支付寶',
      'link-limit-exceeded': '超出綁定錢包的單筆限額 — 沒有扣款',
      'link-currency': '綁定錢包的扣款貨幣與這筆交易不同',
      'member-unknown': '找不到這位會員',
      'link-missing': '這位會員沒有綁定錢包 — 請先綁定，或請顧客出示付款碼',
      'link-not-active': '綁定的錢包尚未生效 — 沒有扣款',
      'link-unbound': '顧客綁定的錢包已失效 — 沒有扣款；請顧客出示付款碼或重新綁定',
      'link-token-unreadable': '本終端無法讀取綁定錢包的憑證 — 請重新綁定，並聯絡 IT',
      'member-token-mismatch': '網關不認識這位會員的憑證 — 沒有扣款；請聯絡 IT',
      'link-unsettled': '這位會員綁定錢包的上一筆扣款仍在確認中 — 沒有扣款；請等待結果',
      'subscription-missing': '找不到這個會員訂閱',
      'subscription-token-revoked': '會員訂閱的付款憑證已失效 — 沒有扣款；請顧客在手機上重新付款',
      'checkout-expired': '顧客未在頁面關閉前用手機付款 — 沒有扣款',
      'checkout-cancelled': '手機付款已取消',
      'checkout-failed': '顧客手機上的付款失敗 — 沒有扣款；請改用其他付款方式',
      'subscription-not-due': '會員訂閱已付清：續費尚未到期 — 沒有扣款',
      'subscription-terms': '續費只能按會員訂閱的金額和貨幣扣款 — 沒有扣款',
      'subscription-ambiguous': '這位會員有多個會員訂閱 — 請選擇要續費的一個；沒有扣款',
      'subscription-other-gateway': '這個會員訂閱是在另一個網關開通的 — 只能在那裡續費；沒有扣款',
      'subscription-unsettled': '這個會員訂閱的上一筆扣款仍在確認中 — 沒有扣款；請等待結果',
      'token-charge-expired':
        '錢包以已過期為由拒絕了扣款 — 沒有扣款；請顧客檢查錢包應用程式，或改為出示付款碼',
      'subscription-first-unpaid': '首筆付款未完成 — 會員訂閱未售出',
      'subscription-checkout-abandoned':
        '顧客付款前，會員訂閱的手機付款已取消（或收銀機已停止等待） — 會員訂閱未售出；顧客若仍付了款，將自動退款',
      'subscription-token-other-member':
        '網關關於首筆付款的回覆指向另一位會員 — 無法收取續費（該筆付款有效）；請聯絡 IT',
      'subscription-no-token': '首筆付款沒有返回付款憑證 — 無法收取續費（該筆付款有效）',
      'subscription-first-refunded': '首筆付款已全數退款 — 不會續費；請重新售出會員訂閱',
    } satisfies Record<ReasonCode, string>,
    facts: {
      nothingCharged: '沒有扣款',
      separator: '；',
      insufficientBalance: '餘額不足',
      payerCancelled: '顧客取消了付款',
      overLimit: '超出錢包的付款限額',
      accountFrozen: '顧客的錢包帳戶已凍結',
      refundOverRemaining: '超過可退餘額',
      refundOverPayment: '超過付款金額',
      refundNotPossible: '這筆付款不能退款',
      amountMismatch: '網關報告已付 {{stated}}，這筆交易金額為 {{expected}}',
      badSignature: '網關拒絕了我們的簽名：請檢查密鑰（salt）',
      gatewayCode: '網關代碼 {{code}}',
    },
  },
} as const;

export type FactKey = Exclude<keyof (typeof REASON_TEXTS)['en']['facts'], 'separator'>;

/** A fact with its parameters (translated with REASON_TEXTS[language].facts[key]). */
export interface Fact {
  key: FactKey;
  params?: Record<string, string>;
}

/** Facts of a gateway or engine sentence (English), each found by its pattern. */
const FACTS: ReadonlyArray<{ pattern: RegExp; fact: (m: RegExpMatchArray) => Fact }> = [
  { pattern: /(?<!that )nothing was charged/i, fact: () => ({ key: 'nothingCharged' }) },
  { pattern: /insufficient (?:balance|funds)/i, fact: () => ({ key: 'insufficientBalance' }) },
  {
    pattern: /(?:payer|customer|user) cancell?ed|cancell?ed by the (?:payer|customer|user)/i,
    fact: () => ({ key: 'payerCancelled' }),
  },
  {
    pattern: /exceed\w* (?:the )?(?:\w+ )?limit|over the limit/i,
    fact: () => ({ key: 'overLimit' }),
  },
  { pattern: /frozen|suspended|blocked account/i, fact: () => ({ key: 'accountFrozen' }) },
  { pattern: /more than what is left to refund/i, fact: () => ({ key: 'refundOverRemaining' }) },
  { pattern: /more than the payment/i, fact: () => ({ key: 'refundOverPayment' }) },
  { pattern: /cannot be refunded/i, fact: () => ({ key: 'refundNotPossible' }) },
  {
    pattern: /reports (\S+) paid for this (\S+) sale/,
    fact: (m) => ({ key: 'amountMismatch', params: { stated: m[1] ?? '', expected: m[2] ?? '' } }),
  },
  { pattern: /refused our signature/i, fact: () => ({ key: 'badSignature' }) },
  { pattern: /\((\d{6})\)/, fact: (m) => ({ key: 'gatewayCode', params: { code: m[1] ?? '' } }) },
];

/** The known facts of one sentence of the terminal (or the gateway), in the order they appear. */
export function factsOf(text: string): Fact[] {
  const found: { at: number; fact: Fact }[] = [];
  for (const { pattern, fact } of FACTS) {
    const m = text.match(pattern);
    if (m && m.index !== undefined) found.push({ at: m.index, fact: fact(m) });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.fact);
}

/**
 * The gateway's own Chinese description in one of the terminal's English sentences: from its
 * first Chinese character on, whole (ids, amounts and codes in it kept), without an English
 * clause the terminal appended (" — ask for another way to pay").
 */
function chineseDescription(text: string): string | null {
  const start = text.search(/\p{Script=Han}/u);
  if (start < 0) return null;
  const described = text
    .slice(start)
    .replace(/\s+[—–-]+\s+[A-Za-z].*$/su, '')
    .trim();
  return described || null;
}

function fill(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => params[name] ?? '');
}

/**
 * A sentence's facts in `language`, joined; a gateway's own words in Chinese are facts too,
 * English ones the language does not know are left out (null when nothing is left).
 */
export function factsInWords(language: Language, text: string): string | null {
  const words = REASON_TEXTS[language].facts;
  const facts = factsOf(text).map((f) => fill(words[f.key], f.params));
  if (facts.length > 0) return facts.join(words.separator);
  return chineseDescription(text);
}

/** The words of a reason code in `language`, or null for a code it has none for. */
export function reasonWords(language: Language, code: string | null): string | null {
  if (!code) return null;
  const reasons: Readonly<Record<string, string>> = REASON_TEXTS[language].reasons;
  return Object.prototype.hasOwnProperty.call(reasons, code) ? (reasons[code] ?? null) : null;
}

/**
 * A reason as one line in `language` (the CSV's reason column): English keeps the terminal's
 * own sentence; Chinese gives the code's words with the facts in brackets, e.g.
 * 被钱包拒绝（余额不足）. A code without words keeps only the facts (never English).
 */
export function reasonLine(
  language: Language,
  record: { reason: string | null; reasonCode: string | null },
): string | null {
  if (!record.reason && !record.reasonCode) return null;
  if (language === 'en') return record.reason ?? reasonWords('en', record.reasonCode);
  const words = reasonWords(language, record.reasonCode);
  const facts = record.reason ? factsInWords(language, record.reason) : null;
  if (words && facts) return `${words}（${facts}）`;
  return words ?? facts;
}
