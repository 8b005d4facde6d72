/**
 * The cashier screen's own preferences (kept in settings.json under `screen`, shown and saved
 * through settings:get / settings:save). Every field has a default, so a settings file written
 * before a field existed still loads.
 */
import { z } from 'zod';

export const ScreenSettingsSchema = z.object({});

export type ScreenSettings = z.output<typeof ScreenSettingsSchema>;

export const DEFAULT_SCREEN_SETTINGS: ScreenSettings = ScreenSettingsSchema.parse({});
