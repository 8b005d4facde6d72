/**
 * Receipt printing preferences (kept in settings.json under `receipts`, shown and saved
 * through settings:get / settings:save). Every field has a default, so a settings file written
 * before a field existed still loads. No secret may ever be added here.
 */
import { z } from 'zod';

export const ReceiptSettingsSchema = z.object({});

export type ReceiptSettings = z.output<typeof ReceiptSettingsSchema>;

export const DEFAULT_RECEIPT_SETTINGS: ReceiptSettings = ReceiptSettingsSchema.parse({});
