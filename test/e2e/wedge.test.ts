/**
 * Keyboard-wedge scans on the payment screen, end to end in real Chromium against a real
 * terminal (browser mode, embedded simulator): no field needs focus; human typing is not a
 * scan; other keyboard layouts and a Chinese IME still give the digits, or the cashier is
 * told to switch the IME off.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { maskCode } from '../../shared/paymentCode.ts';
import {
  alipayCode,
  dispatchKeys,
  scanKeys,
  typeScan,
  wechatCode,
  type WedgeLayout,
} from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();

/** Charges the simulator recorded for this code (any outcome; its ledger keeps codes masked). */
const charges = (code: string) =>
  e2e.terminal.ledger().filter((e) => e.kind === 'charge' && e.scanCodeId === maskCode(code));

/** A new sale of `amount` waiting for its scan (never a sale an earlier test left open). */
async function scanScreen(amount: string): Promise<Page> {
  const page = await e2e.readyPage();
  await page.keyboard.type(amount, { delay: 60 });
  await expect.poll(() => page.getByTestId('amount-display').textContent()).toContain(amount);
  await page.keyboard.press('Enter');
  await waitForStatus(page, 'awaiting-scan');
  return page;
}

describe('keyboard wedge on the payment screen', () => {
  const layouts: [WedgeLayout, string][] = [
    ['azerty', 'AZERTY: key says "&é…", code says Digit1, Digit2…'],
    ['numpad', 'numeric keypad codes'],
  ];
  for (const [layout, what] of layouts) {
    it(`pays a scan typed on another layout (${what})`, async () => {
      const page = await scanScreen('11.20');
      const code = wechatCode();
      await dispatchKeys(page, scanKeys(code, layout, 'enter'));
      await waitForStatus(page, 'paid');
      expect(charges(code)).toHaveLength(1);
    });
  }

  it('reads the digits of a scan the Chinese IME is composing (keyCode 229)', async () => {
    const page = await scanScreen('9.90');
    // The IME is only active in a text field: the cashier had clicked the manual field.
    await page.getByTestId('manual-code-input').click();
    const code = alipayCode();
    await dispatchKeys(page, scanKeys(code, 'ime', 'enter'), { composition: true });
    await waitForStatus(page, 'paid');
    expect(charges(code)).toHaveLength(1);
  });

  it('tells the cashier to switch the IME off when the keys cannot be read, and loses nothing', async () => {
    const page = await scanScreen('9.80');
    await page.getByTestId('manual-code-input').click();
    const hidden = wechatCode();
    await dispatchKeys(page, scanKeys(hidden, 'ime-no-code', 'enter'), { composition: true });
    const warning = page.getByTestId('ime-warning');
    await warning.waitFor();
    await expect(warning.textContent()).resolves.toMatch(/input method off/i);
    await page.screenshot({ path: 'test-results/wedge-ime-warning.png' });
    await waitForStatus(page, 'awaiting-scan');
    expect(charges(hidden)).toEqual([]);

    // The sale is still waiting: the next (readable) scan pays and the warning goes.
    const code = wechatCode();
    await dispatchKeys(page, scanKeys(code, 'qwerty', 'none'));
    await waitForStatus(page, 'paid');
    await expect(page.getByTestId('ime-warning').count()).resolves.toBe(0);
  });

  it('does not take human-speed typing on the scan screen as a scan', async () => {
    const page = await scanScreen('5.50');
    const code = wechatCode();
    await page.keyboard.type(code, { delay: 90 });
    // Every digit went to the manual field; nothing was sent.
    await expect.poll(() => page.getByTestId('manual-code-input').inputValue()).toBe(code);
    await waitForStatus(page, 'awaiting-scan');
    expect(charges(code)).toEqual([]);
    // The manual fallback charges it when the cashier presses Enter.
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'paid');
    expect(charges(code)).toHaveLength(1);
  });

  it('takes a scan from real (trusted) keystrokes without any field focused', async () => {
    const page = await scanScreen('4.40');
    const code = wechatCode();
    await typeScan(page, `${code}\n`);
    await waitForStatus(page, 'paid');
    expect(charges(code)).toHaveLength(1);
  });

  it('keeps the Enter that ends a scan from pressing the focused Cancel button', async () => {
    const page = await scanScreen('3.30');
    await page.getByTestId('cancel-button').focus();
    const code = wechatCode();
    await dispatchKeys(page, scanKeys(code, 'qwerty', 'enter'));
    await waitForStatus(page, 'paid');
  });

  it('charges a double read of the same code once', async () => {
    const page = await scanScreen('2.20');
    const code = wechatCode();
    await dispatchKeys(page, [
      ...scanKeys(code, 'qwerty', 'enter'),
      ...scanKeys(code, 'qwerty', 'enter'),
    ]);
    await waitForStatus(page, 'paid');
    expect(charges(code)).toHaveLength(1);
    await expect(page.getByTestId('notice').count()).resolves.toBe(0);
  });

  it('on the amount screen a scan does not become the amount: it is charged for the typed amount', async () => {
    const page = await e2e.readyPage();
    await page.keyboard.type('12', { delay: 60 });
    await expect.poll(() => page.getByTestId('amount-display').textContent()).toBe('¥12.00');
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'none'));
    await waitForStatus(page, 'paid');
    await expect(page.locator('.result-amount').textContent()).resolves.toBe('¥12.00');
  });
});
