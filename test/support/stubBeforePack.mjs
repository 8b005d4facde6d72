// The beforePack hook of the test pack (test/integration/packaging/winPack.test.ts): the real
// hook (scripts/before-pack.mjs) with one stand-in step, since better-sqlite3's Electron build
// for Windows cannot be downloaded here: it writes a minimal PE32+ x64 header where the
// download would leave better_sqlite3.node. Everything else (platform/arch/version from
// electron-builder's context, staging, header check, stamp) is the real hook's.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createBeforePack } from '../../scripts/before-pack.mjs';

/** The smallest file binaryTarget() reads as a PE32+ x64 DLL (no code: never loaded). */
export function minimalPe32Plus(machine = 0x8664, magic = 0x20b) {
  const buf = Buffer.alloc(512);
  buf.write('MZ', 0, 'latin1');
  buf.writeUInt32LE(0x80, 0x3c); // e_lfanew
  buf.write('PE\0\0', 0x80, 'latin1');
  buf.writeUInt16LE(machine, 0x84);
  buf.writeUInt16LE(0xf0, 0x94); // SizeOfOptionalHeader
  buf.writeUInt16LE(0x2022, 0x96); // executable, large address aware, DLL
  buf.writeUInt16LE(magic, 0x98);
  return buf;
}

const dir = process.env.POSPAY_TEST_NATIVE_DIR;

export default createBeforePack({
  ...(dir ? { dir } : {}),
  log: () => {},
  steps: [
    {
      name: 'stand-in',
      label: 'a stand-in PE32+ x64 header (test)',
      run: async ({ moduleDir }) => {
        if (!dir) throw new Error('POSPAY_TEST_NATIVE_DIR is not set');
        const out = path.join(moduleDir, 'build', 'Release');
        mkdirSync(out, { recursive: true });
        writeFileSync(path.join(out, 'better_sqlite3.node'), minimalPe32Plus());
      },
    },
  ],
});
