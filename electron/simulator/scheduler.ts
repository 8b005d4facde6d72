/** Every timer the simulator starts goes through here, so that close() can stop them all. */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly onError: (error: unknown) => void = () => {}) {}

  /** Runs `task` after `delayMs`; returns a cancel function. */
  after(delayMs: number, task: () => void): () => void {
    if (this.stopped) return () => {};
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (this.stopped) return;
        try {
          task();
        } catch (error) {
          this.onError(error);
        }
      },
      Math.max(0, delayMs),
    );
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
