/**
 * A QR code as an SVG (the `qrcode` package computes the modules; React draws them: no
 * innerHTML, nothing the CSP would refuse). What it encodes is only in the picture — never
 * in an attribute or as text — so a test reads it the way a phone does, from a screenshot.
 */
import { useMemo } from 'react';
import { create } from 'qrcode';

/** A quiet zone of 4 modules, as the QR standard asks for. */
const QUIET = 4;

/** The SVG path of the dark modules, one `h1v1h-1z` square each, rows merged into runs. */
export function qrPath(text: string): { size: number; d: string } {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const { size, data } = modules;
  let d = '';
  for (let row = 0; row < size; row += 1) {
    let col = 0;
    while (col < size) {
      if (!data[row * size + col]) {
        col += 1;
        continue;
      }
      const start = col;
      while (col < size && data[row * size + col]) col += 1;
      d += `M${start + QUIET} ${row + QUIET}h${col - start}v1h${start - col}z`;
    }
  }
  return { size: size + QUIET * 2, d };
}

export function QrCode({
  text,
  label,
  testId = 'customer-qr',
}: {
  text: string;
  /** What the code is for, read out by a screen reader (not the encoded text). */
  label: string;
  testId?: string;
}) {
  const { size, d } = useMemo(() => qrPath(text), [text]);
  return (
    <svg
      className="qr-code"
      data-testid={testId}
      role="img"
      aria-label={label}
      viewBox={`0 0 ${size} ${size}`}
      shapeRendering="crispEdges"
      xmlns="http://www.w3.org/2000/svg"
    >
      <rect width={size} height={size} fill="#ffffff" />
      <path d={d} fill="#000000" />
    </svg>
  );
}
