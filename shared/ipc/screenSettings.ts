/**
 * The cashier screen's preferences (kept in settings.json under `screen`, shown and saved
 * through settings:get / settings:save). Every field has a default, so a settings file written
 * before a field existed still loads. (A save's `screen` is parsed with the defaults too: the
 * screen sends all of its fields, changed or not.)
 */
import { z } from 'zod';

/** Quick amounts a till may keep (configured ones; the last amounts used come on top). */
export const MAX_QUICK_AMOUNTS = 6;

/**
 * Where the customer display goes in Electron: `off`, `auto` (the first monitor that is not
 * the cashier's, when there is one), or monitor number N (1 = the first the system lists).
 * Browser mode opens it as a page (/customer) wherever the cashier drags it.
 */
export const CustomerDisplaySchema = z.union([
  z.literal('off'),
  z.literal('auto'),
  z.number().int().min(1).max(8),
]);
export type CustomerDisplayChoice = z.output<typeof CustomerDisplaySchema>;

export const ScreenSettingsSchema = z.object({
  /** The paid / not paid tones. */
  sound: z.boolean().default(true),
  /** Their volume, 0–100 (%). */
  soundVolume: z.number().int().min(0).max(100).default(60),
  /** Amounts offered as one-touch buttons on the amount screen, as typed (e.g. "10", "25.50"). */
  quickAmounts: z
    .array(
      z
        .string()
        .max(16)
        .regex(/^\d+(?:\.\d{1,2})?$/),
    )
    .max(MAX_QUICK_AMOUNTS)
    .default([]),
  customerDisplay: CustomerDisplaySchema.default('auto'),
});

export type ScreenSettings = z.output<typeof ScreenSettingsSchema>;

export const DEFAULT_SCREEN_SETTINGS: ScreenSettings = ScreenSettingsSchema.parse({});
