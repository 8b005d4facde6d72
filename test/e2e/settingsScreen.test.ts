/**
 * Settings a supervisor can use (issue 10, defect 10): touch-size radio choices, a deadline
 * error that says what is wrong, regions by name, a Sandbox banner as prominent as the
 * training one, and in browser mode a saved salt that says it is kept in memory only.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useChromiumTerminal } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();
const SANDBOX = 'https://sandbox-acquirer-payment.pingpongx.com';

async function unlockedSettings(): Promise<Page> {
  const page = await e2e.readyPage();
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('pin-input').fill('1234');
  await page.getByTestId('settings-unlock').click();
  await page.getByTestId('settings-form').waitFor();
  return page;
}

describe('the settings screen', () => {
  it('has radio choices at least 44 px tall and names the regions', async () => {
    const page = await unlockedSettings();
    const heights = await page
      .locator('.settings-form label.radio')
      .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().height));
    expect(heights.length).toBeGreaterThan(0);
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
    await expect(
      page.getByTestId('settings-region').locator('option').allTextContents(),
    ).resolves.toEqual(['Mainland China (CN)', 'Hong Kong (HK)']);
  });

  it('says what is wrong with a deadline of "abc"', async () => {
    const page = await unlockedSettings();
    await page.getByTestId('settings-deadline').fill('abc');
    await page.getByTestId('settings-save').click();
    await expect
      .poll(() => page.getByTestId('settings-error').textContent())
      .toBe('The customer deadline is a whole number of seconds from 10 to 600.');
  });

  it('says a salt saved in browser mode is kept in memory only', async () => {
    const page = await unlockedSettings();
    await expect(page.getByTestId('salt-memory-only').count()).resolves.toBe(0);
    await page.getByTestId('settings-salt').fill('F78BC96A55548B2319EE68E0');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-saved').waitFor();
    await expect(page.getByTestId('salt-memory-only').textContent()).resolves.toMatch(
      /memory only.*lost when the terminal stops/,
    );
  });

  it('shows "Sandbox" as a banner like training mode', async () => {
    const saved = await e2e.terminal.app.invoke('settings:save', {
      pin: '1234',
      gatewayUrl: SANDBOX,
      accId: '2018092714313010016291',
    });
    expect(saved).toMatchObject({ ok: true, value: { gatewayUrl: SANDBOX } });
    try {
      const page = await e2e.readyPage();
      const banner = page.getByTestId('sandbox-banner');
      await expect(banner.textContent()).resolves.toMatch(/^Sandbox/);
      const box = await banner.boundingBox();
      expect(box?.height).toBeGreaterThanOrEqual(20);
    } finally {
      await e2e.terminal.app.invoke('settings:save', { pin: '1234', gatewayUrl: 'simulator' });
    }
  });
});
