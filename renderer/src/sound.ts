/**
 * The paid and not-paid tones: generated with Web Audio (oscillators, no sound files), short,
 * and easy to tell apart without looking — paid rises (two bright notes), not paid falls
 * (two low notes). Volume 0–100 from the screen settings; 0 or sound off plays nothing.
 */
export type Tone = 'paid' | 'not-paid';

interface Note {
  frequency: number;
  /** Seconds after the tone starts. */
  at: number;
  duration: number;
  type: OscillatorType;
}

export const TONES: Readonly<Record<Tone, readonly Note[]>> = {
  paid: [
    { frequency: 880, at: 0, duration: 0.12, type: 'sine' },
    { frequency: 1320, at: 0.13, duration: 0.2, type: 'sine' },
  ],
  'not-paid': [
    { frequency: 330, at: 0, duration: 0.2, type: 'triangle' },
    { frequency: 220, at: 0.22, duration: 0.32, type: 'triangle' },
  ],
};

type AudioContextLike = Pick<
  AudioContext,
  'createOscillator' | 'createGain' | 'currentTime' | 'destination' | 'state' | 'resume'
>;

let shared: AudioContextLike | null = null;

function context(): AudioContextLike | null {
  if (shared) return shared;
  const Ctor = (globalThis as { AudioContext?: new () => AudioContextLike }).AudioContext;
  if (!Ctor) return null;
  try {
    shared = new Ctor();
  } catch {
    return null;
  }
  return shared;
}

/** Plays `tone` at `volume` (0–100). Never throws: a till without audio stays silent. */
export function playTone(tone: Tone, volume: number, audio: AudioContextLike | null = context()) {
  const level = Math.max(0, Math.min(100, volume)) / 100;
  if (!audio || level === 0) return;
  try {
    if (audio.state === 'suspended') void audio.resume().catch(() => undefined);
    const start = audio.currentTime + 0.01;
    for (const note of TONES[tone]) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = note.type;
      oscillator.frequency.value = note.frequency;
      const t0 = start + note.at;
      const t1 = t0 + note.duration;
      // A short attack and release: no click at either end.
      gain.gain.setValueAtTime(0, t0);
      gain.gain.linearRampToValueAtTime(0.4 * level, t0 + 0.01);
      gain.gain.setValueAtTime(0.4 * level, t1 - 0.03);
      gain.gain.linearRampToValueAtTime(0, t1);
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start(t0);
      oscillator.stop(t1 + 0.01);
    }
  } catch {
    // no audio output: nothing to do
  }
}
