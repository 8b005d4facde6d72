/** Records what a scanner (or the manager) reports, and waits for a given report. */
interface Emits<E extends object> {
  on<K extends keyof E & string>(event: K, listener: (payload: E[K]) => void): () => void;
}

export interface Recorder<E extends object> {
  readonly seen: { [K in keyof E]: E[K][] };
  /**
   * Resolves with the first `event` payload (from index `from` on) that matches; rejects with
   * everything seen so far if none comes within `timeoutMs`.
   */
  waitFor<K extends keyof E & string>(
    event: K,
    match?: (payload: E[K]) => boolean,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<E[K]>;
}

export function record<E extends object>(
  target: Emits<E>,
  events: (keyof E & string)[],
): Recorder<E> {
  const seen = {} as { [K in keyof E]: E[K][] };
  const waiters = new Set<() => void>();
  for (const event of events) {
    seen[event] = [];
    target.on(event, (payload) => {
      seen[event].push(payload);
      for (const waiter of [...waiters]) waiter();
    });
  }
  return {
    seen,
    waitFor(event, match = () => true, options = {}) {
      const from = options.from ?? 0;
      const timeoutMs = options.timeoutMs ?? 10_000;
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const list = seen[event];
          for (let i = from; i < list.length; i += 1) {
            const payload = list[i] as E[typeof event];
            if (match(payload)) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(payload);
              return true;
            }
          }
          return false;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no matching "${event}" within ${timeoutMs} ms; seen: ${JSON.stringify(seen, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))}`,
            ),
          );
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
  };
}
