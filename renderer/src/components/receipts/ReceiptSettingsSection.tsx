/** The receipts part of Settings (store name and address, printer, width, codepage, when). */
import type { SettingsView } from '../../../../shared/ipc/contract.ts';

export function ReceiptSettingsSection(_props: { settings: SettingsView; pin: string }) {
  return null;
}
