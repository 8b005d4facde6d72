/**
 * The simulator's customer-side pages (codegrant.md): the wallet page a CodeGrant authUrl
 * opens (Agree / Decline / Unlink) and the hosted checkout page a paymentUrl opens (Pay /
 * Fail). Plain HTML, mobile-friendly, no script and no external resource; every button is
 * a form POST to the page's own URL with `action=…`, and carries a stable `data-action` (and
 * id) for tests to click.
 */
import { formatForGateway, type Currency } from '../../shared/money.ts';

export interface Page {
  status: number;
  title: string;
  /** The whole document ('' for a redirect). */
  html: string;
  /** A 303 redirect after a POST (to the GET of the same page). */
  location?: string;
}

export interface WalletView {
  /** The store's accId. */
  store: string;
  merchantUserId: string;
  wallet: string;
  status: string;
  /** The page's own path and query (the forms post there). */
  action: string;
  /** "HKD 50,000.00 per payment" */
  limit: string | null;
}

export interface CheckoutView {
  store: string;
  merchantTransactionId: string;
  /** "HKD 12.50" */
  amount: string;
  /** ApplePay, GooglePay, or Card. */
  brand: string;
  /** PENDING, SUCCESS, FAILED or CLOSED. */
  status: string;
  action: string;
  /** "Membership: every 1 month until 2026-06-01 00:00:00" */
  subscription: string | null;
}

/** "HKD 50,000.00" */
export function amountText(minor: number, currency: Currency): string {
  const plain = formatForGateway(minor, currency);
  const [whole = '0', fraction] = plain.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${currency} ${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f3f4f6;color:#111}
main{max-width:26rem;margin:0 auto;padding:1.25rem}
h1{font-size:1.3rem;margin:.2rem 0 1rem}
.card{background:#fff;border-radius:.75rem;padding:1rem 1.1rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
dl{display:grid;grid-template-columns:auto 1fr;gap:.45rem 1rem;margin:0}
dt{color:#555}dd{margin:0;font-weight:600;word-break:break-all}
.banner{background:#fef3c7;border-radius:.5rem;padding:.4rem .7rem;font-size:.85rem;margin-bottom:1rem}
.message{background:#fee2e2;border-radius:.5rem;padding:.6rem .8rem;margin:1rem 0 0}
form{margin:1rem 0 0}
button{width:100%;font-size:1.1rem;padding:.9rem;border:0;border-radius:.6rem;color:#fff;background:#2563eb}
button.secondary{background:#6b7280}button.danger{background:#b91c1c}
`;

function document(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>` +
    `<div class="banner">Training gateway (simulator): no real money moves.</div>` +
    body +
    `</main></body></html>`
  );
}

function button(action: string, target: string, label: string, style = ''): string {
  return (
    `<form method="post" action="${escapeHtml(target)}">` +
    `<button type="submit" name="action" value="${action}" id="${action}" data-action="${action}"` +
    `${style ? ` class="${style}"` : ''}>${escapeHtml(label)}</button></form>`
  );
}

function rows(pairs: ReadonlyArray<readonly [string, string, string]>): string {
  return `<dl>${pairs
    .map(
      ([label, value, id]) =>
        `<dt>${escapeHtml(label)}</dt><dd id="${id}" data-field="${id}">${escapeHtml(value)}</dd>`,
    )
    .join('')}</dl>`;
}

function messageOf(message: string | undefined): string {
  return message === undefined
    ? ''
    : `<p class="message" id="message" role="alert">${escapeHtml(message)}</p>`;
}

const WALLET_STATUS_TEXT: Readonly<Record<string, string>> = {
  PENDING: 'Waiting for your answer',
  ACTIVE: 'Linked: the store can charge this wallet',
  DECLINED: 'Declined',
  EXPIRED: 'Expired: the store must start a new sign-up',
  UNBOUND: 'Unlinked',
};

/** The wallet page of a sign-up; `null`: no such sign-up (the message says why). */
export function walletPage(view: WalletView | null, message?: string): string {
  if (view === null) {
    return document(
      'Sign-up not found',
      `<h1>Sign-up not found</h1><div class="card">${messageOf(message)}</div>`,
    );
  }
  const details = rows([
    ['Store', view.store, 'store'],
    ['Member', view.merchantUserId, 'member'],
    ['Wallet', view.wallet, 'wallet'],
    ...(view.limit === null ? [] : [['Limit', view.limit, 'limit'] as const]),
    ['Status', `${view.status} — ${WALLET_STATUS_TEXT[view.status] ?? ''}`, 'status'],
  ]);
  let buttons = '';
  if (view.status === 'PENDING') {
    buttons =
      button('agree', view.action, 'Agree') +
      button('decline', view.action, 'Decline', 'secondary');
  } else if (view.status === 'ACTIVE') {
    buttons = button('unbind', view.action, 'Unlink', 'danger');
  }
  return document(
    `Link ${view.wallet}`,
    `<h1>Link your ${escapeHtml(view.wallet)} wallet</h1>` +
      `<div class="card" data-status="${escapeHtml(view.status)}">` +
      `<p>The store asks to charge this wallet without a scan, for member ${escapeHtml(view.merchantUserId)}.</p>` +
      details +
      messageOf(message) +
      buttons +
      `</div>`,
  );
}

const CHECKOUT_STATUS_TEXT: Readonly<Record<string, string>> = {
  PENDING: 'Waiting for payment',
  SUCCESS: 'Paid',
  FAILED: 'Payment failed',
  CLOSED: 'Closed: this checkout has expired',
};

/** The hosted checkout page; `null`: no such checkout. */
export function checkoutPage(view: CheckoutView | null, message?: string): string {
  if (view === null) {
    return document(
      'Checkout not found',
      `<h1>Checkout not found</h1><div class="card">${messageOf(message)}</div>`,
    );
  }
  const details = rows([
    ['Store', view.store, 'store'],
    ['Order', view.merchantTransactionId, 'order'],
    ['Amount', view.amount, 'amount'],
    ['Pay with', view.brand, 'brand'],
    ...(view.subscription === null
      ? []
      : [['Subscription', view.subscription, 'subscription'] as const]),
    ['Status', `${view.status} — ${CHECKOUT_STATUS_TEXT[view.status] ?? ''}`, 'status'],
  ]);
  const buttons =
    view.status === 'PENDING'
      ? button('pay', view.action, `Pay ${view.amount}`) +
        button('fail', view.action, 'Fail (simulate a refused payment)', 'secondary')
      : '';
  return document(
    `Pay ${view.amount}`,
    `<h1>Pay ${escapeHtml(view.amount)}</h1>` +
      `<div class="card" data-status="${escapeHtml(view.status)}">` +
      details +
      messageOf(message) +
      buttons +
      `</div>`,
  );
}
