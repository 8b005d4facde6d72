/**
 * Printer specs (interfaces.md "Linked wallets, pay-on-phone, receipts"):
 * `serial:PATH[@BAUD]`, `tcp:HOST[:PORT]` (default 9100), `usb:VID:PID`, `file:PATH`.
 * The parser is shared with the settings' schema (shared/ipc/receiptSettings.ts).
 */
export {
  DEFAULT_BAUD,
  DEFAULT_TCP_PORT,
  describeSpec,
  parsePrinterSpec,
  type ParsedPrinterSpec,
  type PrinterSpec,
} from '../../shared/ipc/receiptSettings.ts';
