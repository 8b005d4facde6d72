/**
 * Attack: the supervisor PIN of member:unbind and subscription:renew (purpose 'members').
 * Without a PIN the request is refused naming the field; three wrong PINs (over either
 * channel) lock both, and while locked even the right PIN is refused; the settings' count
 * of wrong PINs is its own (the members lock-out does not spend it, nor does it lock it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTerminalServer, type TerminalServer } from '../support/browserMode.ts';

let terminal: TerminalServer;

beforeAll(async () => {
  terminal = await startTerminalServer();
});
afterAll(async () => {
  await terminal?.close();
});

type Result = { ok: boolean; status?: number; error?: { code: string; error: string } };
const invoke = (channel: string, request: unknown) =>
  terminal.app.invoke(channel as never, request as never) as Promise<Result>;

describe('the members PIN', () => {
  it('no PIN: refused, naming the pin field; an empty PIN: "Enter the supervisor PIN"', async () => {
    const none = await invoke('member:unbind', { memberId: 'A2P-1' });
    expect(none).toMatchObject({ ok: false, status: 400, error: { code: 'invalid-request' } });
    expect(none.error?.error).toMatch(/pin/);
    const empty = await invoke('subscription:renew', {
      memberId: 'A2P-1',
      amountText: '1.00',
      pin: '',
    });
    expect(empty).toMatchObject({ ok: false, error: { code: 'pin-required' } });
  });

  it('three wrong PINs lock unbind and renew alike; the right PIN is refused while locked; settings keep their own count', async () => {
    const wrong1 = await invoke('member:unbind', { memberId: 'A2P-2', pin: '0000' });
    expect(wrong1).toMatchObject({ ok: false, error: { code: 'pin-wrong' } });
    const wrong2 = await invoke('subscription:renew', {
      memberId: 'A2P-2',
      amountText: '1.00',
      pin: '0001',
    });
    expect(wrong2).toMatchObject({ ok: false, error: { code: 'pin-wrong' } });
    const wrong3 = await invoke('member:unbind', { memberId: 'A2P-2', pin: '0002' });
    expect(wrong3).toMatchObject({ ok: false, error: { code: 'pin-locked' } });
    const right = await invoke('subscription:renew', {
      memberId: 'A2P-2',
      amountText: '1.00',
      pin: '1234',
    });
    expect(right).toMatchObject({ ok: false, error: { code: 'pin-locked' } });
    // The settings' PIN is not locked by it and still has its three tries.
    const settingsWrong = await invoke('pin:check', { pin: '0000' });
    expect(settingsWrong).toMatchObject({ ok: false, error: { code: 'pin-wrong' } });
    expect(settingsWrong.error?.error).toMatch(/2 tries left/);
    expect(await invoke('pin:check', { pin: '1234' })).toMatchObject({ ok: true });
  });
});
