/**
 * On the amount screen, right after Charge: the tenders without a scanned payment code.
 * - Member: find the member (type the id or phone, or scan the member's card or QR: the
 *   scanner types into the focused field, its Enter finds), then tap the linked wallet to
 *   charge (sale:start-member). Two taps from a typed amount.
 * - Customer pays on phone: Apple Pay, Google Pay or the card page (sale:start-checkout); the
 *   QR of its page goes to the customer display (and small on the till's screen).
 * The sale then goes through the normal sale screens; a refusal (a wallet's limit, no active
 * link) stays here with its reason, the typed amount kept.
 */
import './members.css';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InvokeResponse } from '../../../../shared/ipc/contract.ts';
import { LINK_WALLET_FACTS, type LinkWallet } from '../../../../shared/members.ts';
import { money } from '../../format.ts';
import { useApi, usePos, usePosStore } from '../../state/context.ts';
import { toUiError, type UiError } from '../../state/store.ts';
import { parseAmount } from '../../../../shared/money.ts';
import { classifyPaymentCode } from '../../../../shared/paymentCode.ts';
import { MemberErrorLine, memberRef } from './memberUi.tsx';

type MemberView = NonNullable<InvokeResponse<'member:find'>>;
type Brand = 'ApplePay' | 'GooglePay' | 'Card';
const BRANDS: Brand[] = ['ApplePay', 'GooglePay', 'Card'];

/**
 * Buttons here never take the focus from the member field (a scan must land in it); a scan
 * that comes while the focus is elsewhere in the dialog is given to the picker all the same
 * (PosState.scanTaker), never to the sale. A payment code scanned here is the customer
 * paying by code after all: the picker closes and the code is charged as a scan.
 */
const keepFocus = (event: React.MouseEvent) => event.preventDefault();

function MemberPicker({
  onClose,
  onCharge,
  busy,
  error,
}: {
  onClose: () => void;
  onCharge: (memberId: string, wallet: LinkWallet) => void;
  busy: boolean;
  error: UiError | null;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const amountText = usePos((s) => s.amountText);
  const currency = usePos((s) => s.settings?.currency ?? 'CNY');
  const [text, setText] = useState('');
  const [member, setMember] = useState<MemberView | null>(null);
  const [notFound, setNotFound] = useState<string | null>(null);
  const [findError, setFindError] = useState<UiError | null>(null);
  const [finding, setFinding] = useState(false);
  const store = usePosStore();
  const region = usePos((s) => s.settings?.region ?? 'CN');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus({ preventScroll: true });
  }, []);

  const find = async (entered = text): Promise<void> => {
    const typed = entered.trim();
    if (!typed || finding) return;
    if (classifyPaymentCode(typed, { region }).ok) {
      onClose();
      void store.getState().chargeCode(typed);
      return;
    }
    setFinding(true);
    setFindError(null);
    setNotFound(null);
    try {
      const found = await api.invoke('member:find', memberRef(typed));
      setMember(found);
      if (!found) setNotFound(typed);
      setText('');
    } catch (e) {
      setFindError(toUiError(e));
    } finally {
      setFinding(false);
      input.current?.focus({ preventScroll: true });
    }
  };

  const findScanned = useRef(find);
  useEffect(() => {
    findScanned.current = find; // the latest (it reads this render's state)
  });
  useEffect(() => {
    store.getState().setScanTaker((scanned) => void findScanned.current(scanned));
    return () => store.getState().setScanTaker(null);
  }, [store]);

  const parsed = parseAmount(amountText, currency, { ceilingMinor: Number.MAX_SAFE_INTEGER });
  const amount = parsed.ok ? money(parsed.minor, currency) : amountText;
  const active = member?.links.filter((l) => l.status === 'active') ?? [];
  const others = member?.links.filter((l) => l.status !== 'active') ?? [];
  return (
    <div className="member-picker-backdrop">
      <div
        className="member-picker"
        role="dialog"
        aria-modal="true"
        aria-label={t('members.picker.title', { amount })}
        data-testid="member-picker"
      >
        <div className="member-picker-head">
          <h2>{t('members.picker.title', { amount })}</h2>
          <button
            type="button"
            className="small"
            data-testid="member-picker-close"
            onMouseDown={keepFocus}
            onClick={onClose}
          >
            {t('members.close')}
          </button>
        </div>
        <div className="member-find-row">
          <input
            ref={input}
            data-testid="member-picker-input"
            aria-label={t('members.picker.field')}
            placeholder={t('members.picker.field')}
            autoComplete="off"
            spellCheck={false}
            maxLength={64}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                void find();
              } else if (e.key === 'Escape') {
                e.preventDefault();
                onClose();
              }
            }}
          />
          <button
            type="button"
            data-testid="member-picker-find"
            onMouseDown={keepFocus}
            disabled={!text.trim() || finding}
            onClick={() => void find()}
          >
            {t('members.find')}
          </button>
        </div>
        <p className="muted member-help">{t('members.picker.help')}</p>
        <MemberErrorLine error={findError} testId="member-picker-error" />
        {notFound !== null ? (
          <p className="warn-line" role="status" data-testid="member-picker-none">
            {t('members.notFound', { member: notFound })}
          </p>
        ) : null}
        {member ? (
          <div className="member-picked" data-testid="member-picked" data-member={member.memberId}>
            <p className="member-name">
              {member.label ? `${member.label} · ` : ''}
              <span className="member-id">{member.memberId}</span>
            </p>
            {active.length > 0 ? (
              <div className="wallet-choices" role="group" aria-label={t('members.picker.wallets')}>
                {active.map((link) => (
                  <button
                    key={link.linkId}
                    type="button"
                    className="primary wallet-choice"
                    data-testid={`member-charge-${link.wallet}`}
                    onMouseDown={keepFocus}
                    disabled={busy}
                    onClick={() => onCharge(member.memberId, link.wallet as LinkWallet)}
                  >
                    {t('members.picker.charge', {
                      amount,
                      wallet: LINK_WALLET_FACTS[link.wallet as LinkWallet].name,
                    })}
                  </button>
                ))}
              </div>
            ) : (
              <p className="warn-line" data-testid="member-picker-nowallet">
                {t('members.picker.noWallet')}
              </p>
            )}
            {others.length > 0 ? (
              <p className="muted">
                {others
                  .map((l) => `${l.wallet}: ${t(`members.linkStatus.${l.status}`)}`)
                  .join(' · ')}
              </p>
            ) : null}
          </div>
        ) : null}
        <MemberErrorLine error={error} testId="member-charge-error" />
      </div>
    </div>
  );
}

export function OtherTenders() {
  const { t } = useTranslation();
  const api = useApi();
  const store = usePosStore();
  const amountText = usePos((s) => s.amountText);
  const currency = usePos((s) => s.settings?.currency);
  const pending = usePos((s) => s.pending);
  const [open, setOpen] = useState<null | 'member' | 'phone'>(null);
  const [error, setError] = useState<UiError | null>(null);
  const hasAmount = /[1-9]/.test(amountText);
  const busy = pending !== null;

  const start = async (run: () => Promise<InvokeResponse<'sale:start-member'>>): Promise<void> => {
    if (store.getState().pending || store.getState().sale) return;
    store.setState({ pending: 'start', error: null });
    setError(null);
    try {
      const view = await run();
      setOpen(null);
      store.getState().showSale(view);
    } catch (e) {
      setError(toUiError(e)); // the typed amount stays, the reason beside it
    } finally {
      store.setState({ pending: null });
    }
  };

  const chargeMember = (memberId: string, wallet: LinkWallet): void =>
    void start(() =>
      api.invoke('sale:start-member', {
        amountText,
        ...(currency ? { currency } : {}),
        memberId,
        wallet,
      }),
    );

  const payOnPhone = (brand: Brand): void =>
    void start(() =>
      api.invoke('sale:start-checkout', {
        amountText,
        ...(currency ? { currency } : {}),
        ...(brand === 'Card' ? {} : { brand }),
      }),
    );

  return (
    <div className="other-tenders" data-testid="other-tenders">
      {open === 'phone' ? (
        <div className="tender-row" role="group" aria-label={t('members.tender.phone')}>
          {BRANDS.map((brand) => (
            <button
              key={brand}
              type="button"
              className="tender-button"
              data-testid={`pay-on-phone-${brand}`}
              disabled={busy || !hasAmount}
              onClick={() => payOnPhone(brand)}
            >
              {t(`members.brand.${brand}`)}
            </button>
          ))}
          <button
            type="button"
            className="tender-button tender-back"
            data-testid="pay-on-phone-back"
            aria-label={t('members.close')}
            disabled={busy}
            onClick={() => {
              setOpen(null);
              setError(null);
            }}
          >
            ✕
          </button>
        </div>
      ) : (
        <div className="tender-row">
          <button
            type="button"
            className="tender-button"
            data-testid="tender-member"
            disabled={busy || !hasAmount}
            onClick={() => {
              setError(null);
              setOpen('member');
            }}
          >
            {t('members.tender.member')}
          </button>
          <button
            type="button"
            className="tender-button"
            data-testid="tender-phone"
            disabled={busy || !hasAmount}
            onClick={() => {
              setError(null);
              setOpen('phone');
            }}
          >
            {t('members.tender.phone')}
          </button>
        </div>
      )}
      {open !== 'member' ? <MemberErrorLine error={error} testId="tender-error" /> : null}
      {open === 'member' ? (
        <MemberPicker
          busy={busy}
          error={error}
          onCharge={chargeMember}
          onClose={() => {
            setOpen(null);
            setError(null);
          }}
        />
      ) : null}
    </div>
  );
}
