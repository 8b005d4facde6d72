/**
 * Attack (fixed in 70779e2): browser mode's customer display was read-only only in the page.
 *
 * The customer display (/customer, issue 10) faces the customer; it must only read. Electron's
 * main process refuses every other channel from its window (electron/main.ts,
 * customerInvokeRefusal), but in browser mode the page is handed THE launch token
 * (renderer/src/main.tsx: `/customer?token=${token}`), and the server cannot tell its requests
 * from the till's: whatever the customer display's page sends with its credential (a script
 * in it, devtools on the customer's monitor, or anyone who reads the popup's storage) is
 * answered — it cancels the cashier's sale and changes the till's language (and starts sales, …).
 *
 * Expected: the server itself refuses every channel but the customer display's reads
 * (shared/ipc/customerDisplay.ts CUSTOMER_READ_CHANNELS) for the credential the customer
 * display holds (for instance a second, read-only token the server gives /customer).
 *
 * The credential is taken from the customer display's own requests (whatever it is), then
 * replayed from Node to other channels.
 */
import type { Page, Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal({ timeScale: 0.05 });

/** Opens the customer display from Settings as a cashier does; keeps its request headers. */
async function openCustomer(
  page: Page,
): Promise<{ customer: Page; headers: Record<string, string>[] }> {
  const headers: Record<string, string>[] = [];
  page.context().on('request', (req: Request) => {
    let fromCustomer = false;
    try {
      fromCustomer = new URL(req.frame().url()).pathname === '/customer';
    } catch {
      fromCustomer = false;
    }
    if (fromCustomer && new URL(req.url()).pathname.startsWith('/api/invoke/')) {
      headers.push(req.headers());
    }
  });
  await page.getByTestId('nav-settings').click();
  const [customer] = await Promise.all([
    page.waitForEvent('popup'),
    page.getByTestId('customer-display-open').click(),
  ]);
  await customer.locator('[data-testid="customer-display"][data-ready="true"]').waitFor();
  await page.getByTestId('nav-sale').click();
  return { customer, headers };
}

/** What the customer display's credential gets from `channel` when sent from outside the page. */
async function asCustomer(
  origin: string,
  headers: Record<string, string>,
  channel: string,
  body: unknown,
): Promise<{ status: number; json: unknown }> {
  const credential: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase().startsWith('x-pospay')) credential[name] = value;
  }
  const response = await fetch(`${origin}/api/invoke/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...credential },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json().catch(() => null) };
}

describe('customer display in browser mode', () => {
  it("the customer display's credential cannot cancel the cashier's sale or change the till's settings", async () => {
    const page = await e2e.readyPage();
    const { headers } = await openCustomer(page);
    // The display did read (sale:current / settings:get) with its credential.
    const read = headers.find((h) => Object.keys(h).some((n) => n.startsWith('x-pospay')));
    expect(read).toBeDefined();
    const origin = e2e.terminal.origin;

    // The cashier starts a sale of 6.00 (waiting for the customer's code).
    await page.keyboard.type('6.00', { delay: 30 });
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    const current = (await e2e.terminal.app.invoke('sale:current', {})) as {
      ok: boolean;
      value: { orderId: string } | null;
    };
    const orderId = current.value?.orderId as string;
    expect(orderId).toBeTruthy();

    const cancel = await asCustomer(origin, read as Record<string, string>, 'sale:cancel', {
      orderId,
    });
    const language = await asCustomer(origin, read as Record<string, string>, 'settings:save', {
      language: 'zh-CN',
    });
    const after = (await e2e.terminal.app.invoke('sale:current', {})) as {
      value: { orderId: string; status: string } | null;
    };
    const settings = (await e2e.terminal.app.invoke('settings:get', {})) as {
      value: { language: string };
    };
    // Expected: each refused (403, or 401 if the display's credential is not one for acting)
    // and nothing changed.
    expect({ cancel: cancel.status >= 400, language: language.status >= 400 }).toEqual({
      cancel: true,
      language: true,
    });
    expect([401, 403]).toContain(cancel.status);
    expect([401, 403]).toContain(language.status);
    expect(after.value?.status).toBe('awaiting-scan');
    expect(settings.value.language).toBe('en');
  });
});
