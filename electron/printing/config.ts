/**
 * What receipts print with: the saved receipt settings (settings.json `receipts`) with the
 * environment on top, for this run only (never written back), as for POS_SCANNER:
 *
 *   POS_PRINTER           the printer (interfaces.md); wins over the saved printer
 *   POS_PRINTER_WIDTH     58 | 80
 *   POS_PRINTER_CODEPAGE  gb18030 | big5
 *   POS_STORE_NAME, POS_STORE_ADDRESS
 *
 * `pospay print` flags (--printer, --width, --codepage) win over both. PURE.
 */
import {
  codepageFor,
  type PaperWidth,
  type ReceiptCodepage,
  type ReceiptSettings as SavedReceiptSettings,
  type ReceiptWhen,
} from '../../shared/ipc/receiptSettings.ts';
import type { ReceiptSettings as LayoutSettings } from './layout.ts';

export type ReceiptField = 'printer' | 'paperWidth' | 'codepage' | 'storeName' | 'storeAddress';

export interface ReceiptConfig {
  /** The printer spec in force, or null: none configured. */
  printer: string | null;
  /** Where it comes from. */
  printerSource: 'flag' | 'environment' | 'settings' | 'none';
  when: ReceiptWhen;
  layout: LayoutSettings;
  /** Fields the environment (or a flag) set for this run instead of the saved settings. */
  overridden: ReceiptField[];
  /** Environment values refused (the saved setting is used instead), in words. */
  problems: string[];
}

export interface ReceiptOverrides {
  printer?: string | undefined;
  width?: string | undefined;
  codepage?: string | undefined;
}

export const ENV_OF: Readonly<Record<ReceiptField, string>> = {
  printer: 'POS_PRINTER',
  paperWidth: 'POS_PRINTER_WIDTH',
  codepage: 'POS_PRINTER_CODEPAGE',
  storeName: 'POS_STORE_NAME',
  storeAddress: 'POS_STORE_ADDRESS',
};

export function resolveReceiptConfig(
  saved: SavedReceiptSettings,
  region: string,
  env: Record<string, string | undefined>,
  flags: ReceiptOverrides = {},
): ReceiptConfig {
  const overridden: ReceiptField[] = [];
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const pick = (field: ReceiptField, flag: string | undefined): string | undefined => {
    const chosen = flag?.trim() || value(ENV_OF[field]);
    if (chosen !== undefined) overridden.push(field);
    return chosen;
  };

  let printer: string | null = saved.printer;
  let printerSource: ReceiptConfig['printerSource'] = printer === null ? 'none' : 'settings';
  const printerOver = pick('printer', flags.printer);
  if (printerOver !== undefined) {
    printer = printerOver;
    printerSource = flags.printer?.trim() ? 'flag' : 'environment';
  }

  let paperWidth: PaperWidth = saved.paperWidth;
  const widthOver = pick('paperWidth', flags.width);
  if (widthOver === '58' || widthOver === '80') paperWidth = Number(widthOver) as PaperWidth;
  else if (widthOver !== undefined) {
    problems.push(
      `${flags.width ? '--width' : 'POS_PRINTER_WIDTH'} must be 58 or 80, not "${widthOver}"`,
    );
    overridden.pop();
  }

  let codepage: ReceiptCodepage = codepageFor(saved.codepage, region);
  const codepageOver = pick('codepage', flags.codepage);
  if (codepageOver === 'gb18030' || codepageOver === 'big5') codepage = codepageOver;
  else if (codepageOver !== undefined) {
    problems.push(
      `${flags.codepage ? '--codepage' : 'POS_PRINTER_CODEPAGE'} must be gb18030 or big5, not "${codepageOver}"`,
    );
    overridden.pop();
  }

  const storeName = pick('storeName', undefined) ?? saved.storeName;
  const storeAddress = pick('storeAddress', undefined) ?? saved.storeAddress;
  return {
    printer,
    printerSource,
    when: saved.when,
    layout: { storeName, storeAddress, codepage, paperWidth },
    overridden,
    problems,
  };
}
