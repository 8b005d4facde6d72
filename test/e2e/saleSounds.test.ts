/**
 * Sound (issue 10, "what every till has"): a short tone when a sale is paid and a different
 * one when it is not — generated with Web Audio, no files — at the volume set in Settings, or
 * none when the sound is off. The page's AudioContext is replaced by a recorder before the
 * screen loads, so the test sees every note the till plays (frequency, wave, loudness).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();

/** An AudioContext that plays nothing and records each note: its wave, pitch and peak gain. */
const RECORDER = `(() => {
  window.__notes = [];
  class Param {
    constructor() { this.value = 0; this.peak = 0; }
    setValueAtTime(v) { this.peak = Math.max(this.peak, v); }
    linearRampToValueAtTime(v) { this.peak = Math.max(this.peak, v); }
  }
  class Gain { constructor() { this.gain = new Param(); } connect() {} }
  class Oscillator {
    constructor() { this.type = 'sine'; this.frequency = new Param(); this.out = null; }
    connect(node) { this.out = node; }
    start(at) {
      window.__notes.push({ type: this.type, frequency: this.frequency.value, at,
        peak: Math.round((this.out ? this.out.gain.peak : 0) * 1000) / 1000 });
    }
    stop() {}
  }
  class Recorder {
    constructor() { this.currentTime = 0; this.state = 'running'; this.destination = {}; }
    createOscillator() { return new Oscillator(); }
    createGain() { return new Gain(); }
    resume() { return Promise.resolve(); }
  }
  window.AudioContext = Recorder;
})()`;

type Note = { type: string; frequency: number; at: number; peak: number };
const notes = (page: Page) => page.evaluate('window.__notes') as Promise<Note[]>;

async function sale(page: Page, amount: string, status: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.keyboard.type(amount, { delay: 40 });
  await page.keyboard.press('Enter');
  await waitForStatus(page, 'awaiting-scan');
  await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
  await waitForStatus(page, status);
  await page.keyboard.press('Escape');
}

async function savePrefs(page: Page, change: (page: Page) => Promise<void>): Promise<void> {
  await page.keyboard.press('F4');
  await change(page);
  await page.getByTestId('prefs-save').click();
  await page.getByTestId('prefs-saved').waitFor();
}

describe('the paid and not-paid tones', () => {
  it('rise for paid and fall for not paid, once each, at the default volume', async () => {
    const page = await e2e.readyPage({ initScript: RECORDER });
    await sale(page, '2.20', 'paid');
    await expect.poll(async () => (await notes(page)).length).toBe(2);
    await sale(page, '12.31', 'declined');
    await expect.poll(async () => (await notes(page)).length).toBe(4);
    const played = await notes(page);
    const paid = played.slice(0, 2);
    const notPaid = played.slice(2);
    expect(paid.map((n) => n.frequency)).toEqual([880, 1320]);
    expect(notPaid.map((n) => n.frequency)).toEqual([330, 220]);
    expect(new Set(paid.map((n) => n.type))).not.toEqual(new Set(notPaid.map((n) => n.type)));
    for (const note of played) expect(note.peak).toBe(0.24); // 60 % of the full 0.4
  });

  it('follow the volume set in Settings, and stay silent when switched off', async () => {
    const page = await e2e.readyPage({ initScript: RECORDER });
    await savePrefs(page, async (p) => {
      await p.getByTestId('prefs-volume').focus();
      await p.keyboard.press('End'); // 100 %
    });
    await sale(page, '2.20', 'paid');
    await expect.poll(async () => (await notes(page)).map((n) => n.peak)).toEqual([0.4, 0.4]);

    await savePrefs(page, (p) => p.getByTestId('prefs-sound').uncheck());
    await sale(page, '2.20', 'paid');
    await sale(page, '12.31', 'declined');
    expect(await notes(page)).toHaveLength(2);
    // Back on for the other tests of this terminal.
    await savePrefs(page, async (p) => {
      await p.getByTestId('prefs-sound').check();
      await p.getByTestId('prefs-volume').focus();
      for (let i = 0; i < 4; i += 1) await p.keyboard.press('ArrowLeft'); // 60 %
    });
  });
});
