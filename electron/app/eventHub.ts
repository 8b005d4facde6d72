/**
 * Events the main side pushes to the screen (contract `eventChannels`). Each payload is
 * validated (and stripped to the contract's fields) and redacted before any subscriber —
 * the Electron window or a browser-mode SSE stream — sees it.
 */
import { eventChannels, type EventChannel, type EventPayload } from '../../shared/ipc/contract.ts';
import { redactDeep } from './redact.ts';

export type EventListener = (channel: EventChannel, payload: unknown) => void;

export class EventHub {
  private readonly listeners = new Set<EventListener>();

  constructor(
    private readonly secrets: () => readonly (string | null | undefined)[],
    private readonly onProblem: (error: unknown) => void = () => {},
  ) {}

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  get size(): number {
    return this.listeners.size;
  }

  /** The payload as subscribers get it (validated, stripped, redacted), or null if invalid. */
  prepare<C extends EventChannel>(channel: C, payload: EventPayload<C>): EventPayload<C> | null {
    const parsed = eventChannels[channel].safeParse(payload);
    if (!parsed.success) {
      this.onProblem(new Error(`event ${channel} outside the contract: ${parsed.error.message}`));
      return null;
    }
    return redactDeep(parsed.data as EventPayload<C>, this.secrets());
  }

  emit<C extends EventChannel>(channel: C, payload: EventPayload<C>): void {
    const safe = this.prepare(channel, payload);
    if (safe === null) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(channel, safe);
      } catch (error) {
        this.onProblem(error);
      }
    }
  }
}
