#!/usr/bin/env node
// Draws the app icon and writes build/icon.ico (committed; run again only to change the icon):
//   node scripts/make-icon.mjs
// A multi-size Windows icon: 16, 24, 32 and 48 px as 32-bit BMP entries (what Explorer and the
// taskbar use at small sizes, and what older icon readers expect), 64, 128 and 256 px as PNG
// entries (Vista and later; electron-builder needs the 256 px one). No dependencies: the PNGs are
// encoded here with node:zlib. The drawing: a blue rounded square, a white "P" and a bar code.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateSync, crc32 } from 'node:zlib';

export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256];
const BMP_MAX = 48;

function inRoundedRect(x, y, inset, radius) {
  const lo = inset + radius;
  const hi = 1 - inset - radius;
  const dx = Math.max(lo - x, 0, x - hi);
  const dy = Math.max(lo - y, 0, y - hi);
  return dx * dx + dy * dy <= radius * radius;
}

function inLetterP(x, y) {
  if (x >= 0.3 && x <= 0.44 && y >= 0.2 && y <= 0.8) return true; // stem
  if (x >= 0.44 && x <= 0.5 && ((y >= 0.2 && y <= 0.32) || (y >= 0.48 && y <= 0.6))) return true;
  if (x >= 0.5) {
    const d = Math.hypot(x - 0.5, y - 0.4);
    return d >= 0.08 && d <= 0.2;
  }
  return false;
}

const BARS = [
  [0.56, 0.585],
  [0.605, 0.62],
  [0.64, 0.675],
  [0.695, 0.71],
  [0.73, 0.76],
];
function inBarcode(x, y) {
  return y >= 0.66 && y <= 0.8 && BARS.some(([a, b]) => x >= a && x <= b);
}

/** RGBA pixels (top row first) of the icon at `size` px, 4×4 supersampled. */
export function drawIcon(size) {
  const rgba = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      let bg = 0;
      let fg = 0;
      for (let sy = 0; sy < n; sy += 1) {
        for (let sx = 0; sx < n; sx += 1) {
          const x = (px + (sx + 0.5) / n) / size;
          const y = (py + (sy + 0.5) / n) / size;
          if (!inRoundedRect(x, y, 0.03, 0.2)) continue;
          bg += 1;
          if (inLetterP(x, y) || inBarcode(x, y)) fg += 1;
        }
      }
      const t = py / Math.max(1, size - 1);
      // #1E88E5 at the top to #0D47A1 at the bottom, white where the drawing is.
      const base = [0x1e + (0x0d - 0x1e) * t, 0x88 + (0x47 - 0x88) * t, 0xe5 + (0xa1 - 0xe5) * t];
      const f = bg === 0 ? 0 : fg / bg;
      const i = (py * size + px) * 4;
      for (let c = 0; c < 3; c += 1) rgba[i + c] = Math.round(base[c] * (1 - f) + 255 * f);
      rgba[i + 3] = Math.round((255 * bg) / (n * n));
    }
  }
  return rgba;
}

function pngChunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y += 1) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An ICO entry's DIB: BITMAPINFOHEADER, BGRA rows bottom-up, an all-zero AND mask. */
export function encodeBmp(size, rgba) {
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // XOR + AND masks
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const from = (y * size + x) * 4;
      const to = ((size - 1 - y) * size + x) * 4;
      pixels[to] = rgba[from + 2];
      pixels[to + 1] = rgba[from + 1];
      pixels[to + 2] = rgba[from];
      pixels[to + 3] = rgba[from + 3];
    }
  }
  const maskRow = Math.ceil(size / 32) * 4;
  header.writeUInt32LE(pixels.length + maskRow * size, 20);
  return Buffer.concat([header, pixels, Buffer.alloc(maskRow * size)]);
}

export function encodeIco(sizes = ICON_SIZES) {
  const images = sizes.map((size) => {
    const rgba = drawIcon(size);
    return { size, data: size <= BMP_MAX ? encodeBmp(size, rgba) : encodePng(size, rgba) };
  });
  const dir = Buffer.alloc(6 + 16 * images.length);
  dir.writeUInt16LE(0, 0);
  dir.writeUInt16LE(1, 2); // icon
  dir.writeUInt16LE(images.length, 4);
  let offset = dir.length;
  images.forEach(({ size, data }, i) => {
    const at = 6 + 16 * i;
    dir[at] = size >= 256 ? 0 : size;
    dir[at + 1] = size >= 256 ? 0 : size;
    dir.writeUInt16LE(1, at + 4); // planes
    dir.writeUInt16LE(32, at + 6); // bits per pixel
    dir.writeUInt32LE(data.length, at + 8);
    dir.writeUInt32LE(offset, at + 12);
    offset += data.length;
  });
  return Buffer.concat([dir, ...images.map(({ data }) => data)]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const out = fileURLToPath(new URL('../build/icon.ico', import.meta.url));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, encodeIco());
  process.stdout.write(`wrote build/icon.ico (${ICON_SIZES.join(', ')} px)\n`);
}
