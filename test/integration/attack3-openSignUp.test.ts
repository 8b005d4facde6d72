/**
 * Attack (defences that hold): member:open-sign-up over browser mode's HTTP API with the
 * customer display's read-only token (electron/app/browserServer.ts, shared/ipc/
 * customerDisplay.ts CUSTOMER_READ_CHANNELS, electron/members/memberService.ts openSignUp).
 *
 * - With the display's token it answers only {linkId, authUrl, expiresAt}: never the member
 *   id, the wallet, a token, nor the reason; extra request fields are ignored, not echoed.
 * - Nothing before a sign-up; null once the sign-up is answered (the customer agreed).
 * - Malformed requests: not JSON (400), an array or a string (400), another content type
 *   (415), GET (405), no token or a wrong one (401) — and nothing changes.
 * - What the display's token still cannot do with a sign-up it can see: check it, start one,
 *   unbind, find or list members, or ask for a new display token (403 each).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerDoes } from './members/support.ts';
import {
  invokeOverHttp,
  startTerminalServer,
  type HttpReply,
  type TerminalServer,
} from '../support/browserMode.ts';

let terminal: TerminalServer;
let staticDir: string;
let customerToken: string;

beforeAll(async () => {
  staticDir = mkdtempSync(path.join(tmpdir(), 'a3-osu-static-'));
  terminal = await startTerminalServer({ staticDir });
  const response = await fetch(`${terminal.origin}/api/customer-display`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Origin: terminal.origin,
      'X-PosPay-Token': terminal.token,
    },
    body: '{}',
  });
  customerToken = ((await response.json()) as { token: string }).token;
});
afterAll(async () => {
  await terminal?.close();
  if (staticDir) rmSync(staticDir, { recursive: true, force: true });
});

/** The customer display's request: its own token instead of the launch token. */
function asDisplay(
  channel: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  return invokeOverHttp(terminal.origin, channel, body, {
    'X-PosPay-Token': customerToken,
    ...headers,
  });
}

async function raw(
  channel: string,
  init: { method?: string; body?: string; type?: string; token?: string | null },
): Promise<number> {
  const headers: Record<string, string> = { Origin: terminal.origin };
  if (init.type !== undefined) headers['Content-Type'] = init.type;
  if (init.token !== null) headers['X-PosPay-Token'] = init.token ?? customerToken;
  const response = await fetch(`${terminal.origin}/api/invoke/${channel}`, {
    method: init.method ?? 'POST',
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  await response.text();
  return response.status;
}

const MEMBER = 'A3OSU-MEMBER-1';

describe("member:open-sign-up with the customer display's token", () => {
  it('answers the open sign-up with its page and expiry only; null once the customer agreed', async () => {
    expect(customerToken).toMatch(/\S{16,}/);
    const before = await asDisplay('member:open-sign-up', {});
    expect(before).toMatchObject({ status: 200, json: null });

    const started = await invokeOverHttp(terminal.url, 'member:link', {
      memberId: MEMBER,
      wallet: 'AlipayHK',
    });
    expect(started.status, started.text).toBe(200);
    const link = started.json as { linkId: string; authUrl: string; expiresAt: number };
    expect(link.authUrl).toMatch(/^http/);

    const open = await asDisplay('member:open-sign-up', {
      memberId: MEMBER,
      linkId: 'SOMETHING-ELSE',
      token: true,
    });
    expect(open.status).toBe(200);
    expect(open.json).toEqual({
      linkId: link.linkId,
      authUrl: link.authUrl,
      expiresAt: link.expiresAt,
    });
    expect(open.text).not.toContain(MEMBER);
    expect(open.text).not.toContain('SOMETHING-ELSE');
    expect(Object.keys(open.json as object).sort()).toEqual(['authUrl', 'expiresAt', 'linkId']);
    expect(open.text).not.toMatch(/token|AlipayHK|reason/i);

    expect(await customerDoes(link.authUrl, 'agree')).toBeLessThan(400);
    await expect
      .poll(async () => (await asDisplay('member:open-sign-up', {})).json, { timeout: 20_000 })
      .toBeNull();
    const member = await invokeOverHttp(terminal.url, 'member:find', { memberId: MEMBER });
    expect(JSON.stringify(member.json)).toContain('"status":"active"');
  });

  it('malformed requests are refused and change nothing', async () => {
    expect(await raw('member:open-sign-up', { body: 'not json', type: 'application/json' })).toBe(
      400,
    );
    expect(await raw('member:open-sign-up', { body: '[]', type: 'application/json' })).toBe(400);
    expect(await raw('member:open-sign-up', { body: '"x"', type: 'application/json' })).toBe(400);
    expect(await raw('member:open-sign-up', { body: '{}', type: 'text/plain' })).toBe(415);
    expect(await raw('member:open-sign-up', { method: 'GET' })).toBe(405);
    expect(
      await raw('member:open-sign-up', { body: '{}', type: 'application/json', token: null }),
    ).toBe(401);
    expect(
      await raw('member:open-sign-up', {
        body: '{}',
        type: 'application/json',
        token: `${customerToken}x`,
      }),
    ).toBe(401);
    expect(
      await raw(encodeURIComponent('member:open-sign-up/../member:list'), {
        body: '{}',
        type: 'application/json',
      }),
    ).toBe(403);
  });

  it('the sign-up it sees cannot be acted on with its token', async () => {
    const started = await invokeOverHttp(terminal.url, 'member:link', {
      memberId: 'A3OSU-MEMBER-2',
      wallet: 'AlipayHK',
    });
    expect(started.status, started.text).toBe(200);
    const open = await asDisplay('member:open-sign-up', {});
    const linkId = (open.json as { linkId: string }).linkId;
    expect(linkId).toBe((started.json as { linkId: string }).linkId);

    const attempts: Array<[string, unknown]> = [
      ['member:check-link', { linkId }],
      ['member:link', { memberId: 'A3OSU-MEMBER-3', wallet: 'AlipayHK' }],
      ['member:unbind', { memberId: 'A3OSU-MEMBER-2', wallet: 'AlipayHK', pin: '0000' }],
      ['member:find', { memberId: 'A3OSU-MEMBER-2' }],
      ['member:list', {}],
    ];
    for (const [channel, body] of attempts) {
      const reply = await asDisplay(channel, body);
      expect(reply.status, channel).toBe(403);
      expect(reply.text, channel).not.toContain('A3OSU-MEMBER-2');
    }
    const again = await fetch(`${terminal.origin}/api/customer-display`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Origin: terminal.origin,
        'X-PosPay-Token': customerToken,
      },
      body: '{}',
    });
    expect(again.status).toBe(403);
    // Nobody was made a member by the display's attempts.
    const listed = await invokeOverHttp(terminal.url, 'member:list', {});
    expect(JSON.stringify(listed.json)).not.toContain('A3OSU-MEMBER-3');
  });
});
