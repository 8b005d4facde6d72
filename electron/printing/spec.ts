/**
 * Printer specs (interfaces.md "Linked wallets, pay-on-phone, receipts"):
 * `serial:PATH[@BAUD]`, `tcp:HOST[:PORT]` (default 9100), `usb:VID:PID`, `file:PATH`.
 */
export type PrinterSpec =
  | { kind: 'serial'; path: string; baudRate: number }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'usb'; vendorId: number; productId: number }
  | { kind: 'file'; path: string };

export type ParsedPrinterSpec = { ok: true; spec: PrinterSpec } | { ok: false; message: string };

export const DEFAULT_BAUD = 9600;
export const DEFAULT_TCP_PORT = 9100;

export function parsePrinterSpec(text: string): ParsedPrinterSpec {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? '' : text.slice(0, colon);
  const rest = colon < 0 ? '' : text.slice(colon + 1);
  const bad = (why: string): ParsedPrinterSpec => ({
    ok: false,
    message: `printer spec "${text}": ${why}`,
  });
  switch (kind) {
    case 'serial': {
      const at = rest.lastIndexOf('@');
      const path = at < 0 ? rest : rest.slice(0, at);
      const baudText = at < 0 ? null : rest.slice(at + 1);
      if (path === '') return bad('serial needs a port path (serial:/dev/ttyUSB0 or serial:COM3)');
      const baudRate = baudText === null ? DEFAULT_BAUD : Number(baudText);
      if (baudText !== null && (!/^\d+$/.test(baudText) || baudRate <= 0)) {
        return bad('the baud rate must be a positive whole number');
      }
      return { ok: true, spec: { kind: 'serial', path, baudRate } };
    }
    case 'tcp': {
      const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(rest);
      if (!match?.[1]) return bad('tcp needs a host (tcp:192.168.1.50 or tcp:HOST:9100)');
      const port = match[2] === undefined ? DEFAULT_TCP_PORT : Number(match[2]);
      if (port < 1 || port > 65535) return bad('the port must be 1..65535');
      return { ok: true, spec: { kind: 'tcp', host: match[1].replace(/^\[|\]$/g, ''), port } };
    }
    case 'usb': {
      const match = /^([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})$/.exec(rest);
      if (!match?.[1] || !match[2]) return bad('usb needs VID:PID in hex (usb:04b8:0202)');
      return {
        ok: true,
        spec: {
          kind: 'usb',
          vendorId: Number.parseInt(match[1], 16),
          productId: Number.parseInt(match[2], 16),
        },
      };
    }
    case 'file':
      if (rest === '') return bad('file needs a path (file:/tmp/receipt.bin)');
      return { ok: true, spec: { kind: 'file', path: rest } };
    default:
      return bad('use serial:PATH[@BAUD], tcp:HOST[:9100], usb:VID:PID or file:PATH');
  }
}

export function describeSpec(spec: PrinterSpec): string {
  switch (spec.kind) {
    case 'serial':
      return `serial:${spec.path}@${spec.baudRate}`;
    case 'tcp':
      return `tcp:${spec.host}:${spec.port}`;
    case 'usb':
      return `usb:${hex4(spec.vendorId)}:${hex4(spec.productId)}`;
    case 'file':
      return `file:${spec.path}`;
  }
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
