/**
 * The Members screen: renewals due today at the top (charging them stays a person's
 * decision), then find a member by id or phone (a phone becomes an opaque id in the terminal)
 * or create one; the member's linked wallets with their status and times, linking AlipayHK or
 * Alipay (the sign-up's page as a QR, small here and big on the customer display, with the
 * time left; the screen follows member:link-updated and can check again), unbinding behind
 * the supervisor PIN; memberships with their schedule, next due date and sales, a renewal
 * charged behind the PIN with its amount confirmed in words, and a new membership sold on
 * the customer's phone.
 */
import './members.css';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InvokeResponse, SaleView } from '../../../../shared/ipc/contract.ts';
import { LINK_WALLETS, type LinkWallet } from '../../../../shared/members.ts';
import { formatForGateway, parseAmount } from '../../../../shared/money.ts';
import { localDay } from '../../../../shared/sale.ts';
import { money, time } from '../../format.ts';
import { useApi, usePos, usePosStore } from '../../state/context.ts';
import { toUiError, type UiError } from '../../state/store.ts';
import { PinField, useCall } from '../common.tsx';
import { QrCode } from '../QrCode.tsx';
import { MemberErrorLine, memberRef, useReasonLine, useSecondsLeft } from './memberUi.tsx';

type MemberView = NonNullable<InvokeResponse<'member:find'>>;
type LinkView = InvokeResponse<'member:link'>;
type SubscriptionView = InvokeResponse<'subscription:list'>[number];

function when(epochMs: number | null, language: string): string {
  if (epochMs === null) return '—';
  const day = localDay(epochMs);
  const clock = time(epochMs, language);
  return day === localDay(Date.now()) ? clock : `${day} ${clock}`;
}

// ------------------------------------------------------------------ due today

function DueToday({ version, onOpen }: { version: number; onOpen: (memberId: string) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [due, setDue] = useState<SubscriptionView[] | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  useEffect(() => {
    let live = true;
    api.invoke('subscription:list', { due: true }).then(
      (list) => live && (setDue(list), setError(null)),
      (e: unknown) => live && setError(toUiError(e)),
    );
    return () => {
      live = false;
    };
  }, [api, version]);
  return (
    <section className="members-due" data-testid="members-due" aria-label={t('members.due.title')}>
      <h2>{t('members.due.title')}</h2>
      <MemberErrorLine error={error} testId="members-due-error" />
      {due && due.length === 0 ? <p className="muted">{t('members.due.none')}</p> : null}
      {due && due.length > 0 ? (
        <ul className="due-list">
          {due.map((s) => (
            <li key={s.subscriptionId}>
              <button
                type="button"
                className="due-row"
                data-testid="due-row"
                data-member={s.memberId}
                onClick={() => onOpen(s.memberId)}
              >
                <span className="member-id">{s.memberId}</span>
                <span>{money(s.amountMinor, s.currency)}</span>
                <span className="muted">{t('members.due.on', { date: s.nextDue ?? '—' })}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <p className="muted members-due-note">{t('members.due.note')}</p>
    </section>
  );
}

// ------------------------------------------------------------------ linked wallets

function PendingLink({ link, onCheck }: { link: LinkView; onCheck: () => void }) {
  const { t } = useTranslation();
  const seconds = useSecondsLeft(link.expiresAt);
  return (
    <div className="pending-link" data-testid="pending-link">
      {link.authUrl && seconds !== 0 ? (
        <QrCode text={link.authUrl} label={t('members.link.qrLabel')} testId="link-qr" />
      ) : null}
      <div className="pending-link-text">
        <p className="tender-line">
          {t('members.link.scan', { wallet: t(`members.wallet.${link.wallet}`) })}
        </p>
        {seconds !== null ? (
          <p className="muted" data-testid="link-countdown">
            {t('members.link.remaining', { seconds: String(seconds) })}
          </p>
        ) : null}
        <button type="button" className="small" data-testid="link-check" onClick={onCheck}>
          {t('members.link.check')}
        </button>
      </div>
    </div>
  );
}

function UnbindForm({
  member,
  wallet,
  onDone,
}: {
  member: MemberView;
  wallet: LinkWallet;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const [pin, setPin] = useState('');
  const { busy, error, call } = useCall();
  const submit = (): Promise<void> =>
    call(async () => {
      await api.invoke('member:unbind', { memberId: member.memberId, wallet, pin });
      setPin('');
      onDone();
    });
  return (
    <form
      className="unbind-form"
      data-testid="unbind-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (pin) void submit();
      }}
    >
      <p className="warn-line">
        {t('members.unbind.confirm', { wallet, member: member.memberId })}
      </p>
      <PinField pin={pin} onPin={setPin} />
      <MemberErrorLine error={error} testId="unbind-error" />
      <button type="submit" data-testid="unbind-confirm" disabled={busy || !pin}>
        {t('members.unbind.yes', { wallet })}
      </button>
    </form>
  );
}

function Wallets({
  member,
  onChanged,
}: {
  member: MemberView;
  onChanged: (link?: LinkView) => void;
}) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const { busy, error, setError, call } = useCall();
  const [unbinding, setUnbinding] = useState<LinkWallet | null>(null);

  const link = (wallet: LinkWallet): Promise<void> =>
    call(async () => {
      onChanged(await api.invoke('member:link', { memberId: member.memberId, wallet }));
    });
  const check = async (linkId: string): Promise<void> => {
    setError(null);
    try {
      onChanged(await api.invoke('member:check-link', { linkId }));
    } catch (e) {
      setError(toUiError(e));
    }
  };

  const linkOf = (wallet: LinkWallet) => member.links.find((l) => l.wallet === wallet);
  return (
    <section className="members-wallets" aria-label={t('members.wallets.title')}>
      <h3>{t('members.wallets.title')}</h3>
      {member.links.length === 0 ? <p className="muted">{t('members.wallets.none')}</p> : null}
      <ul className="link-list">
        {[...member.links]
          .sort(
            (a, b) =>
              LINK_WALLETS.indexOf(a.wallet as LinkWallet) -
              LINK_WALLETS.indexOf(b.wallet as LinkWallet),
          )
          .map((l) => (
            <li
              key={l.linkId}
              className={`link-row link-${l.status}`}
              data-testid="link-row"
              data-wallet={l.wallet}
              data-status={l.status}
            >
              <div className="link-head">
                <strong>{t(`members.wallet.${l.wallet}`)}</strong>
                <span className={`link-status status-${l.status}`} data-testid="link-status">
                  {t(`members.linkStatus.${l.status}`)}
                </span>
                <span className="muted link-times">
                  {t('members.wallets.times', {
                    created: when(l.createdAt, i18n.language),
                    updated: when(l.updatedAt, i18n.language),
                    checked: when(l.lastCheckedAt, i18n.language),
                  })}
                  {l.unboundBy ? ` · ${t('members.wallets.unboundBy', { who: l.unboundBy })}` : ''}
                </span>
              </div>
              {l.status !== 'pending' && l.status !== 'active' ? (
                <p className="muted link-outcome" data-testid="link-outcome">
                  {t(`members.link.ended.${l.status}`, { wallet: t(`members.wallet.${l.wallet}`) })}
                </p>
              ) : null}
              {l.status === 'active' ? (
                <p className="ok-line link-outcome" data-testid="link-outcome">
                  {t('members.link.ended.active', { wallet: t(`members.wallet.${l.wallet}`) })}
                </p>
              ) : null}
              {l.status === 'pending' ? (
                <PendingLink link={l} onCheck={() => void check(l.linkId)} />
              ) : null}
              {l.status === 'active' && unbinding !== l.wallet ? (
                <button
                  type="button"
                  className="small"
                  data-testid={`unbind-${l.wallet}`}
                  onClick={() => setUnbinding(l.wallet as LinkWallet)}
                >
                  {t('members.unbind.button', { wallet: t(`members.wallet.${l.wallet}`) })}
                </button>
              ) : null}
              {l.status === 'active' && unbinding === l.wallet ? (
                <UnbindForm
                  member={member}
                  wallet={l.wallet as LinkWallet}
                  onDone={() => {
                    setUnbinding(null);
                    onChanged();
                  }}
                />
              ) : null}
            </li>
          ))}
      </ul>
      <div className="link-actions">
        {LINK_WALLETS.map((wallet) => {
          const current = linkOf(wallet);
          const live = current?.status === 'active' || current?.status === 'pending';
          return (
            <button
              key={wallet}
              type="button"
              className="primary"
              data-testid={`link-${wallet}`}
              disabled={busy || live}
              onClick={() => void link(wallet)}
            >
              {t('members.link.button', { wallet: t(`members.wallet.${wallet}`) })}
            </button>
          );
        })}
      </div>
      <p className="muted member-help" data-testid="wechat-note">
        {t('members.link.noWechat')}
      </p>
      <MemberErrorLine error={error} testId="link-error" />
    </section>
  );
}

// ------------------------------------------------------------------ memberships

function SalesList({ sales, testId }: { sales: SaleView[]; testId: string }) {
  const { t, i18n } = useTranslation();
  if (sales.length === 0) return <p className="muted">{t('members.sales.none')}</p>;
  return (
    <ul className="member-sales" data-testid={testId}>
      {sales.map((s) => (
        <li key={s.orderId} data-testid="member-sale" data-status={s.status}>
          <span>{when(s.createdAt, i18n.language)}</span>
          <span>{money(s.amountMinor, s.currency)}</span>
          <span>{s.method ? t(`members.method.${s.method}`) : '—'}</span>
          <span className={`sale-status status-${s.status}`}>{t(`status.${s.status}`)}</span>
        </li>
      ))}
    </ul>
  );
}

function RenewForm({ sub, onDone }: { sub: SubscriptionView; onDone: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const store = usePosStore();
  // A renewal is charged at the membership's amount (its terms): shown, not typed.
  const amountText = formatForGateway(sub.amountMinor, sub.currency);
  const [pin, setPin] = useState('');
  const [confirming, setConfirming] = useState<number | null>(null);
  const { busy, error, setError, call } = useCall();
  const review = (): void => {
    setError(null);
    const parsed = parseAmount(amountText, sub.currency, { ceilingMinor: Number.MAX_SAFE_INTEGER });
    if (!parsed.ok) {
      setError({ code: `amount-${parsed.rejection}`, text: parsed.message });
      return;
    }
    setConfirming(parsed.minor);
  };
  const submit = (): Promise<void> =>
    call(
      async () => {
        const view = await api.invoke('subscription:renew', {
          memberId: sub.memberId,
          subscriptionId: sub.subscriptionId,
          amountText,
          currency: sub.currency,
          pin,
        });
        setPin('');
        onDone();
        store.getState().showSale(view); // the normal sale screens follow it
      },
      () => setConfirming(null),
    );
  return (
    <form
      className="renew-form"
      data-testid="renew-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (confirming === null) review(); // Enter never charges unconfirmed
      }}
    >
      <p className="renew-amount" data-testid="renew-amount">
        {t('members.renew.amount', { amount: money(sub.amountMinor, sub.currency) })}
      </p>
      <PinField pin={pin} onPin={setPin} />
      <MemberErrorLine error={error} testId="renew-error" />
      {confirming === null ? (
        <button type="submit" data-testid="renew-review" disabled={busy || !pin}>
          {t('members.renew.button')}
        </button>
      ) : (
        <div className="renew-confirm" role="group">
          <p className="warn-line" data-testid="renew-confirm-text">
            {t('members.renew.confirm', {
              amount: money(confirming, sub.currency),
              member: sub.memberId,
              method: sub.method ? t(`members.method.${sub.method}`) : '—',
            })}
          </p>
          <button
            type="button"
            className="primary"
            data-testid="renew-confirm"
            autoFocus
            disabled={busy || !pin}
            onClick={() => void submit()}
          >
            {t('members.renew.yes', { amount: money(confirming, sub.currency) })}
          </button>
          <button
            type="button"
            data-testid="renew-back"
            data-esc="2"
            disabled={busy}
            onClick={() => setConfirming(null)}
          >
            {t('members.renew.change')}
          </button>
        </div>
      )}
    </form>
  );
}

function Subscription({ sub, version }: { sub: SubscriptionView; version: number }) {
  const { t } = useTranslation();
  const reason = useReasonLine()(sub);
  const api = useApi();
  const [sales, setSales] = useState<SaleView[] | null>(null);
  const [renewing, setRenewing] = useState(false);
  const [error, setError] = useState<UiError | null>(null);
  useEffect(() => {
    let live = true;
    api
      .invoke('member:history', {
        memberId: sub.memberId,
        subscriptionId: sub.subscriptionId,
        limit: 20,
      })
      .then(
        (list) => live && setSales(list),
        (e: unknown) => live && setError(toUiError(e)),
      );
    return () => {
      live = false;
    };
  }, [api, sub.memberId, sub.subscriptionId, version]);
  const s = sub.schedule;
  // Offered once due (today or before): a period already paid is not charged again.
  const [today] = useState(() => localDay(Date.now()));
  const due = sub.nextDue !== null && sub.nextDue <= today;
  return (
    <li
      className="subscription"
      data-testid="subscription"
      data-status={sub.status}
      data-subscription={sub.subscriptionId}
    >
      <div className="link-head">
        <strong>{money(sub.amountMinor, sub.currency)}</strong>
        <span className={`link-status status-${sub.status}`} data-testid="subscription-status">
          {t(`members.subStatus.${sub.status}`)}
        </span>
        <span className="muted">{sub.method ? t(`members.method.${sub.method}`) : ''}</span>
      </div>
      <p className="subscription-schedule" data-testid="subscription-schedule">
        {t('members.sub.schedule', {
          n: String(s.intervalCount),
          unit: t(`members.unit.${s.intervalUnit}`),
          start: s.startDate,
          end: s.endDate,
        })}
      </p>
      <p data-testid="subscription-next">
        {sub.nextDue
          ? t('members.sub.next', { date: sub.nextDue, paid: String(sub.paidCount) })
          : t('members.sub.noNext', { paid: String(sub.paidCount) })}
      </p>
      {reason ? (
        <p className="muted" data-testid="subscription-reason">
          {reason}
        </p>
      ) : null}
      <MemberErrorLine error={error} testId="subscription-error" />
      {sales ? <SalesList sales={sales} testId="subscription-sales" /> : null}
      {sub.status === 'active' && due && !renewing ? (
        <button
          type="button"
          className="small"
          data-testid="renew-open"
          onClick={() => setRenewing(true)}
        >
          {t('members.renew.open')}
        </button>
      ) : null}
      {renewing ? <RenewForm sub={sub} onDone={() => setRenewing(false)} /> : null}
    </li>
  );
}

function SellMembership({ member }: { member: MemberView }) {
  const { t } = useTranslation();
  const api = useApi();
  const store = usePosStore();
  const currency = usePos((s) => s.settings?.currency);
  const [open, setOpen] = useState(false);
  const [amountText, setAmountText] = useState('');
  const [unit, setUnit] = useState<'day' | 'week' | 'month' | 'year'>('month');
  const [count, setCount] = useState('1');
  const [endDate, setEndDate] = useState(() => {
    const d = new Date();
    d.setFullYear(d.getFullYear() + 1);
    return localDay(d.getTime());
  });
  const { busy, error, call } = useCall();
  if (!open) {
    return (
      <button type="button" className="small" data-testid="sell-open" onClick={() => setOpen(true)}>
        {t('members.sell.open')}
      </button>
    );
  }
  const submit = (): Promise<void> =>
    call(async () => {
      const view = await api.invoke('sale:start-checkout', {
        amountText,
        ...(currency ? { currency } : {}),
        subscription: {
          memberId: member.memberId,
          intervalUnit: unit,
          intervalCount: Math.max(1, Math.min(366, Number.parseInt(count, 10) || 1)),
          endDate,
        },
      });
      setOpen(false);
      store.getState().showSale(view);
    });
  return (
    <form
      className="sell-form"
      data-testid="sell-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label>
        {t('members.sell.amount')}
        <input
          data-testid="sell-amount"
          inputMode="decimal"
          autoComplete="off"
          value={amountText}
          onChange={(e) => setAmountText(e.target.value)}
        />
      </label>
      <label>
        {t('members.sell.every')}
        <span className="sell-every">
          <input
            data-testid="sell-count"
            inputMode="numeric"
            value={count}
            onChange={(e) => setCount(e.target.value)}
          />
          <select
            data-testid="sell-unit"
            value={unit}
            onChange={(e) => setUnit(e.target.value as typeof unit)}
          >
            {(['day', 'week', 'month', 'year'] as const).map((u) => (
              <option key={u} value={u}>
                {t(`members.unit.${u}`)}
              </option>
            ))}
          </select>
        </span>
      </label>
      <label>
        {t('members.sell.end')}
        <input
          data-testid="sell-end"
          type="date"
          value={endDate}
          onChange={(e) => setEndDate(e.target.value)}
        />
      </label>
      <MemberErrorLine error={error} testId="sell-error" />
      <button
        type="submit"
        className="primary"
        data-testid="sell-start"
        disabled={busy || !amountText}
      >
        {t('members.sell.start')}
      </button>
    </form>
  );
}

function Memberships({ member, version }: { member: MemberView; version: number }) {
  const { t } = useTranslation();
  return (
    <section className="members-subs" aria-label={t('members.sub.title')}>
      <h3>{t('members.sub.title')}</h3>
      {member.subscriptions.length === 0 ? <p className="muted">{t('members.sub.none')}</p> : null}
      <ul className="subscription-list">
        {member.subscriptions.map((s) => (
          <Subscription key={s.subscriptionId} sub={s} version={version} />
        ))}
      </ul>
      <SellMembership member={member} />
    </section>
  );
}

function MemberSales({ member, version }: { member: MemberView; version: number }) {
  const { t } = useTranslation();
  const api = useApi();
  const [sales, setSales] = useState<SaleView[] | null>(null);
  useEffect(() => {
    let live = true;
    api.invoke('member:history', { memberId: member.memberId, limit: 10 }).then(
      (list) => live && setSales(list),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, member.memberId, version]);
  return (
    <section className="members-sales" aria-label={t('members.sales.title')}>
      <h3>{t('members.sales.title')}</h3>
      {sales ? <SalesList sales={sales} testId="member-sales" /> : null}
    </section>
  );
}

// ------------------------------------------------------------------ the screen

export function MembersScreen() {
  const { t } = useTranslation();
  const api = useApi();
  const historyVersion = usePos((s) => s.historyVersion);
  const [text, setText] = useState('');
  const [label, setLabel] = useState('');
  const [member, setMember] = useState<MemberView | null>(null);
  const [notFound, setNotFound] = useState<string | null>(null);
  const { busy, error, setError, call } = useCall();
  const [version, setVersion] = useState(0);

  const load = useCallback(
    (ref: { memberId: string } | { phone: string }, create: boolean): Promise<void> =>
      call(async () => {
        setNotFound(null);
        const found = create
          ? await api.invoke('member:create', {
              ...ref,
              ...(label.trim() ? { label: label.trim() } : {}),
            })
          : await api.invoke('member:find', ref);
        setMember(found);
        if (!found) setNotFound('memberId' in ref ? ref.memberId : ref.phone);
        else {
          setText('');
          setLabel('');
        }
      }),
    [api, call, label],
  );

  // Asked to open a member (Try again of a membership's sale): that member, at once.
  const store = usePosStore();
  const memberToOpen = usePos((s) => s.memberToOpen);
  useEffect(() => {
    if (memberToOpen === null) return;
    store.getState().memberOpened();
    void load({ memberId: memberToOpen }, false);
  }, [memberToOpen, load, store]);

  const reload = useCallback(
    (memberId: string): void => {
      api.invoke('member:find', { memberId }).then(
        (found) => {
          setMember((current) => (current?.memberId === memberId ? found : current));
          setVersion((v) => v + 1);
        },
        (e: unknown) => setError(toUiError(e)),
      );
    },
    [api, setError],
  );

  // A sign-up of the member on screen changed (agreed, declined, lapsed, unbound).
  const memberId = member?.memberId ?? null;
  useEffect(() => {
    if (memberId === null) return;
    return api.on('member:link-updated', (link) => {
      if (link.memberId !== memberId) return;
      setMember((current) => {
        if (!current || current.memberId !== link.memberId) return current;
        const others = current.links.filter(
          (l) => l.linkId !== link.linkId && l.wallet !== link.wallet,
        );
        return { ...current, links: [...others, link] };
      });
    });
  }, [api, memberId]);

  // Sales changed (a renewal, a charge): the lists and the due renewals are asked again.
  useEffect(() => {
    if (memberId) reload(memberId);
  }, [historyVersion, memberId, reload]);
  const listVersion = version + historyVersion;

  const typed = text.trim();
  return (
    <section className="members-screen" data-testid="members-screen">
      <div className="members-side">
        <DueToday version={listVersion} onOpen={(id) => void load({ memberId: id }, false)} />
        <form
          className="members-find"
          onSubmit={(e) => {
            e.preventDefault();
            if (typed) void load(memberRef(typed), false);
          }}
        >
          <label>
            {t('members.field')}
            <input
              data-testid="members-input"
              // A member card scanned on this screen lands here (the scanner types, Enter finds).
              autoFocus
              autoComplete="off"
              spellCheck={false}
              maxLength={64}
              placeholder={t('members.fieldPlaceholder')}
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          </label>
          <label>
            {t('members.label')}
            <input
              data-testid="members-label"
              autoComplete="off"
              maxLength={80}
              value={label}
              onChange={(e) => setLabel(e.target.value)}
            />
          </label>
          <div className="members-find-actions">
            <button type="submit" data-testid="members-find" disabled={busy || !typed}>
              {t('members.find')}
            </button>
            <button
              type="button"
              data-testid="members-create"
              disabled={busy || !typed}
              onClick={() => void load(memberRef(typed), true)}
            >
              {t('members.create')}
            </button>
          </div>
          <p className="muted member-help">{t('members.phoneNote')}</p>
          <MemberErrorLine error={error} testId="members-error" />
          {notFound !== null ? (
            <p className="warn-line" role="status" data-testid="members-none">
              {t('members.notFound', { member: notFound })}
            </p>
          ) : null}
        </form>
      </div>
      {member ? (
        <div className="members-detail" data-testid="member-detail" data-member={member.memberId}>
          <header className="member-head">
            <h2>
              {member.label ? `${member.label} · ` : ''}
              <span className="member-id" data-testid="member-id">
                {member.memberId}
              </span>
            </h2>
            {member.phoneHashed ? (
              <p className="muted member-help">{t('members.phoneHashed')}</p>
            ) : null}
          </header>
          <div className="members-columns">
            <div className="members-column">
              <Wallets
                member={member}
                onChanged={(link) => {
                  if (link) {
                    setMember((current) =>
                      current && current.memberId === link.memberId
                        ? {
                            ...current,
                            links: [
                              ...current.links.filter(
                                (l) => l.linkId !== link.linkId && l.wallet !== link.wallet,
                              ),
                              link,
                            ],
                          }
                        : current,
                    );
                  } else reload(member.memberId);
                }}
              />
            </div>
            <div className="members-column">
              <Memberships member={member} version={listVersion} />
              <MemberSales member={member} version={listVersion} />
            </div>
          </div>
        </div>
      ) : (
        <p className="muted members-empty">{t('members.select')}</p>
      )}
    </section>
  );
}
