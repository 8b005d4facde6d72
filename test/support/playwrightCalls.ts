/**
 * What Playwright was doing when an end-to-end test failed: every API call it starts and ends
 * is recorded (through the launch option `logger`), so a test that times out says which call
 * never came back (a `keyboard.type`, a `newPage`… have no timeout of their own) instead of
 * only "Test timed out in 60000ms".
 *
 *   const calls = new PlaywrightCalls();
 *   chromium.launch({ ..., logger: calls.logger });
 *   calls.report();   // the calls still running, and the last ones made
 */
import type { Logger } from 'playwright-core';

interface Call {
  name: string;
  startedAt: number;
}

const RECENT = 12;

export class PlaywrightCalls {
  private readonly running: Call[] = [];
  private readonly recent: string[] = [];

  readonly logger: Logger = {
    isEnabled: (name) => name === 'api',
    log: (_name, _severity, message) => this.record(String(message)),
  };

  private record(message: string): void {
    const started = /^=> (\S+) started/.exec(message);
    const ended = /^<= (\S+) (?:succeeded|failed)/.exec(message);
    const now = Date.now();
    if (started?.[1]) this.running.push({ name: started[1], startedAt: now });
    if (ended?.[1]) {
      const index = this.running.findIndex((call) => call.name === ended[1]);
      if (index >= 0) this.running.splice(index, 1);
    }
    this.recent.push(`${new Date(now).toISOString().slice(11, 23)} ${message.split('\n')[0]}`);
    if (this.recent.length > RECENT) this.recent.shift();
  }

  /** The calls started and not ended (with how long ago), then the last calls made. */
  report(): string {
    const now = Date.now();
    const running = this.running.map(
      (call) => `${call.name} (running for ${((now - call.startedAt) / 1000).toFixed(1)} s)`,
    );
    return [
      `Playwright calls still running: ${running.length ? running.join(', ') : 'none'}`,
      'last calls:',
      ...this.recent.map((line) => `  ${line}`),
    ].join('\n');
  }
}
