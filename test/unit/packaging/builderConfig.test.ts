/**
 * electron-builder.yml as electron-builder loads it (its own loader), checked against its own
 * schema (app-builder-lib's validateConfiguration) and against what issue 11 asks of it;
 * build/icon.ico read back entry by entry.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import type { Configuration } from 'electron-builder';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

async function shippedConfig(): Promise<Configuration> {
  return getConfig(root, path.join(root, 'electron-builder.yml'), null);
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's schema", async () => {
    const config = await shippedConfig();
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('is really checked: a misspelt option or a wrong type is refused', async () => {
    const config = await shippedConfig();
    const misspelt = { ...config, nsis: { ...config.nsis, guidd: 'x' } } as Configuration;
    await expect(validateConfiguration(misspelt, new DebugLogger(false))).rejects.toThrow(
      /configuration\.nsis should be/,
    );
    const wrongType = { ...config, npmRebuild: 'no' } as unknown as Configuration;
    await expect(validateConfiguration(wrongType, new DebugLogger(false))).rejects.toThrow(
      /npmRebuild/,
    );
  });

  it('sets the fuses the issue lists', async () => {
    expect((await shippedConfig()).electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('rebuilds nothing itself; its beforePack hook prepares better-sqlite3', async () => {
    const config = await shippedConfig();
    expect(config.npmRebuild).toBe(false);
    expect(config.buildDependenciesFromSource).toBe(false);
    expect(config.beforePack).toBe('./scripts/before-pack.mjs');
    const hook = (await import('../../../scripts/before-pack.mjs')).default;
    expect(typeof hook).toBe('function');
  });

  it('unpacks only win32-x64 binaries from an asar packed without smart unpack', async () => {
    const config = await shippedConfig();
    expect(config.asar).toEqual({ smartUnpack: false });
    const unpack = config.asarUnpack as string[];
    expect(unpack.length).toBeGreaterThan(0);
    for (const pattern of unpack) {
      expect(pattern).toMatch(/win32-x64\/[^/]*\.node$/);
      expect(pattern).not.toContain('${');
    }
  });

  it('names the installer PosPay-Setup-<version>-<arch>.exe, with a fixed GUID and an author', async () => {
    const config = await shippedConfig();
    expect(config.win?.artifactName).toBe('${productName}-Setup-${version}-${arch}.${ext}');
    expect(config.nsis?.artifactName).toBe('${productName}-Setup-${version}-${arch}.${ext}');
    expect(config.nsis?.guid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect((config.extraMetadata as { author?: { name?: string } }).author?.name).toBe('PosPay');
  });

  it('installs per machine, keeps the data on uninstall, runs build/installer.nsh', async () => {
    const { nsis } = await shippedConfig();
    expect(nsis?.perMachine).toBe(true);
    expect(nsis?.oneClick).toBe(false);
    expect(nsis?.deleteAppDataOnUninstall).toBe(false);
    expect(nsis?.include).toBe('build/installer.nsh');
    expect(existsSync(path.join(root, 'build', 'installer.nsh'))).toBe(true);
  });

  it('publishes to a generic feed (latest.yml and the blockmap are written for it)', async () => {
    const publish = (await shippedConfig()).publish as { provider: string; url: string };
    expect(publish.provider).toBe('generic');
    expect(publish.url).toMatch(/^https?:\/\/.+\/$/);
  });

  it('signs .node files too, with nothing that needs a secret in the file itself', async () => {
    const { win } = await shippedConfig();
    expect(win?.signExts).toContain('.node');
    // Azure signing options make electron-builder sign (and fail without credentials): the
    // release workflow adds them only when its secrets exist.
    expect(win?.azureSignOptions).toBeUndefined();
    expect(win?.signtoolOptions?.certificateFile).toBeUndefined();
    expect(win?.signtoolOptions?.certificatePassword).toBeUndefined();
    // A publisher name would make electron-updater refuse every unsigned update.
    expect(win?.signtoolOptions?.publisherName).toBeUndefined();
  });
});

interface IcoEntry {
  width: number;
  height: number;
  kind: 'png' | 'bmp';
}

function readIco(bytes: Buffer): IcoEntry[] {
  expect(bytes.readUInt16LE(0)).toBe(0);
  expect(bytes.readUInt16LE(2)).toBe(1);
  const count = bytes.readUInt16LE(4);
  const entries: IcoEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    const at = 6 + 16 * i;
    const size = bytes.readUInt32LE(at + 8);
    const offset = bytes.readUInt32LE(at + 12);
    expect(offset + size).toBeLessThanOrEqual(bytes.length);
    const image = bytes.subarray(offset, offset + size);
    const listed = bytes[at] === 0 ? 256 : bytes[at]!;
    if (image.readUInt32BE(0) === 0x89504e47) {
      const width = image.readUInt32BE(16);
      const height = image.readUInt32BE(20);
      expect([width, height]).toEqual([listed, listed]);
      entries.push({ width, height, kind: 'png' });
    } else {
      expect(image.readUInt32LE(0)).toBe(40); // BITMAPINFOHEADER
      const width = image.readInt32LE(4);
      const height = image.readInt32LE(8) / 2;
      expect(image.readUInt16LE(14)).toBe(32);
      expect([width, height]).toEqual([listed, listed]);
      expect(size).toBe(40 + width * height * 4 + Math.ceil(width / 32) * 4 * height);
      entries.push({ width, height, kind: 'bmp' });
    }
  }
  return entries;
}

describe('build/icon.ico', () => {
  it('holds every size Windows asks for, up to the 256 px one electron-builder needs', () => {
    const entries = readIco(readFileSync(path.join(root, 'build', 'icon.ico')));
    expect(entries.map((e) => e.width)).toEqual([16, 24, 32, 48, 64, 128, 256]);
    expect(entries.filter((e) => e.width <= 48).every((e) => e.kind === 'bmp')).toBe(true);
    expect(entries.find((e) => e.width === 256)?.kind).toBe('png');
  });

  it('is what scripts/make-icon.mjs draws (regenerate it there, not by hand)', async () => {
    const { drawIcon, encodeBmp } = await import('../../../scripts/make-icon.mjs');
    const bytes = readFileSync(path.join(root, 'build', 'icon.ico'));
    for (let i = 0; i < bytes.readUInt16LE(4); i += 1) {
      const at = 6 + 16 * i;
      const size = bytes[at] === 0 ? 256 : bytes[at]!;
      const offset = bytes.readUInt32LE(at + 12);
      const image = bytes.subarray(offset, offset + bytes.readUInt32LE(at + 8));
      if (image.readUInt32BE(0) !== 0x89504e47) {
        expect(image.equals(encodeBmp(size, drawIcon(size))), `${size} px`).toBe(true);
        continue;
      }
      // PNG: compare the pixels (deflate's bytes may differ between zlib versions).
      const idat: Buffer[] = [];
      for (let p = 8; p < image.length;) {
        const length = image.readUInt32BE(p);
        if (image.toString('latin1', p + 4, p + 8) === 'IDAT') {
          idat.push(image.subarray(p + 8, p + 8 + length));
        }
        p += 12 + length;
      }
      const raw = inflateSync(Buffer.concat(idat));
      const rows: Buffer[] = [];
      for (let y = 0; y < size; y += 1) {
        expect(raw[y * (size * 4 + 1)]).toBe(0);
        rows.push(raw.subarray(y * (size * 4 + 1) + 1, (y + 1) * (size * 4 + 1)));
      }
      expect(Buffer.concat(rows).equals(drawIcon(size)), `${size} px`).toBe(true);
    }
  });
});
