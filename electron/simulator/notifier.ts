/**
 * Async notifications (gateway.md, "Async notification"): a signed envelope POSTed to the
 * payment's notificationUrl when it turns final. Acknowledged by HTTP 2xx with a body other
 * than `FAIL`; anything else is retried on the gateway's schedule × timeScale.
 */
import http from 'node:http';
import https from 'node:https';
import type { Envelope } from '../../shared/gateway/envelope.ts';
import { computeSign } from '../gateway/signing.ts';
import type { Scheduler } from './scheduler.ts';
import type { NotificationRecord, SimState } from './state.ts';
import type { StoreRegistry } from './stores.ts';

/** The gateway's retry delays after a failed delivery: 5s, 5s, 3m, 10m, 20m, 30m ×3, 60m, 3h ×3. */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  5_000, 5_000, 180_000, 600_000, 1_200_000, 1_800_000, 1_800_000, 1_800_000, 3_600_000, 10_800_000,
  10_800_000, 10_800_000,
];

/** How long one delivery may take before it counts as failed (not scaled: it is I/O). */
const DELIVERY_TIMEOUT_MS = 10_000;

export interface NotifierOptions {
  state: SimState;
  stores: StoreRegistry;
  scheduler: Scheduler;
  timeScale: number;
  now: () => number;
  log: (line: string) => void;
}

export class Notifier {
  private readonly inFlight = new Set<http.ClientRequest>();
  private stopped = false;

  constructor(private readonly options: NotifierOptions) {}

  /**
   * Queues a new notification and sends it now. `retryLimit`: how many retries after the
   * first attempt (default: the whole gateway schedule; CodeGrant notifications: 2).
   */
  notify(
    accId: string,
    url: string,
    biz: Record<string, unknown>,
    options: { retryLimit?: number } = {},
  ): void {
    const { state } = this.options;
    const record: NotificationRecord = {
      id: `N${state.nextSeq()}`,
      accId,
      url,
      bizContent: JSON.stringify(biz),
      attempts: 0,
      delivered: false,
      gaveUp: false,
      nextAt: this.options.now(),
      lastError: null,
    };
    if (options.retryLimit !== undefined) record.retryLimit = options.retryLimit;
    state.addNotification(record);
    state.save();
    this.schedule(record);
  }

  /** After a restart: picks up every notification still owed. */
  resume(): void {
    for (const record of this.options.state.notifications.values()) {
      if (!record.delivered && !record.gaveUp) this.schedule(record);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const request of this.inFlight) request.destroy();
    this.inFlight.clear();
  }

  private schedule(record: NotificationRecord): void {
    const delay = Math.max(0, (record.nextAt ?? this.options.now()) - this.options.now());
    this.options.scheduler.after(delay, () => this.deliver(record));
  }

  private envelope(record: NotificationRecord): string | null {
    const store = this.options.stores.get(record.accId);
    if (!store) return null;
    const message: Envelope = {
      accId: store.accId,
      clientId: store.clientId,
      signType: 'SHA256',
      version: '1.0',
      code: '000000',
      description: 'Notification',
      bizContent: record.bizContent,
    };
    message.sign = computeSign(message, store.salt, 'SHA256');
    return JSON.stringify(message);
  }

  private deliver(record: NotificationRecord): void {
    if (this.stopped) return;
    const body = this.envelope(record);
    if (body === null) {
      record.gaveUp = true;
      record.lastError = 'unknown store';
      this.options.state.save();
      return;
    }
    record.attempts += 1;
    this.send(record.url, body).then(
      (result) => this.settle(record, result),
      (error: unknown) => this.settle(record, { acknowledged: false, detail: String(error) }),
    );
  }

  private settle(
    record: NotificationRecord,
    result: { acknowledged: boolean; detail: string },
  ): void {
    if (this.stopped) return;
    const { state, timeScale, now, log } = this.options;
    if (result.acknowledged) {
      record.delivered = true;
      record.nextAt = null;
      record.lastError = null;
      state.save();
      log(`notify ${record.id} → ${record.url} delivered (attempt ${record.attempts})`);
      return;
    }
    record.lastError = result.detail;
    const retried = record.attempts - 1;
    const delay =
      record.retryLimit !== undefined && retried >= record.retryLimit
        ? undefined
        : RETRY_SCHEDULE_MS[retried];
    if (delay === undefined) {
      record.gaveUp = true;
      record.nextAt = null;
      state.save();
      log(`notify ${record.id} → ${record.url} given up after ${record.attempts} attempts`);
      return;
    }
    record.nextAt = now() + delay * timeScale;
    state.save();
    log(`notify ${record.id} → ${record.url} not acknowledged (${result.detail}); retry later`);
    this.schedule(record);
  }

  private send(target: string, body: string): Promise<{ acknowledged: boolean; detail: string }> {
    return new Promise((resolve) => {
      let url: URL;
      try {
        url = new URL(target);
      } catch {
        resolve({ acknowledged: false, detail: 'bad URL' });
        return;
      }
      const transport = url.protocol === 'https:' ? https : http;
      const request = transport.request(url, {
        method: 'POST',
        agent: false,
        timeout: DELIVERY_TIMEOUT_MS,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body, 'utf8'),
        },
      });
      this.inFlight.add(request);
      const done = (result: { acknowledged: boolean; detail: string }): void => {
        this.inFlight.delete(request);
        resolve(result);
      };
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', (error) => done({ acknowledged: false, detail: error.message }));
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => done({ acknowledged: false, detail: error.message }));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8').trim();
          if (status < 200 || status >= 300) {
            done({ acknowledged: false, detail: `HTTP ${status}` });
          } else if (text.toUpperCase() === 'FAIL') {
            done({ acknowledged: false, detail: 'answered FAIL' });
          } else {
            done({ acknowledged: true, detail: `HTTP ${status}` });
          }
        });
      });
      request.end(body);
    });
  }
}
