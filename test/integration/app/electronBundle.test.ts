/**
 * The Electron shell as it ships: scripts/build-electron.mjs bundles main.cjs and
 * preload.cjs, and each is loaded under plain Node with a recording stand-in for the
 * `electron` module (the Electron binary is not needed, nor installed here).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

/** Loads `file` with `electron` replaced by a recorder; prints what was called as JSON. */
const HARNESS = String.raw`
const Module = require('node:module');
const calls = [];
const exposed = {};
const ipcInvokes = [];
const recorder = (name) => new Proxy(function () {}, {
  get(_t, prop) {
    if (prop === 'then' || prop === 'ipcRenderer' || prop === 'contextBridge') return undefined;
    if (prop === 'whenReady') return () => new Promise(() => {});
    if (prop === 'requestSingleInstanceLock') return () => true;
    return recorder(name + '.' + String(prop));
  },
  apply(_t, _this, args) {
    calls.push({ name, args: args.map((a) => (typeof a === 'function' ? 'fn' : a)) });
    return recorder(name + '()');
  },
});
const preloadElectron = {
  contextBridge: { exposeInMainWorld: (key, api) => { exposed[key] = api; } },
  ipcRenderer: {
    invoke: async (...args) => { ipcInvokes.push(args); return { ok: true, value: null }; },
    on: () => {},
    removeListener: () => {},
  },
};
const original = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'electron') return process.env.KIND === 'preload' ? preloadElectron : recorder('electron');
  return original.call(this, request, ...rest);
};
require(process.env.FILE);
setTimeout(async () => {
  const api = exposed.pospay;
  const out = { calls, exposedKeys: Object.keys(exposed) };
  if (api) {
    out.apiKeys = Object.keys(api).sort();
    await api.invoke('sale:current', {});
    out.unknown = await api.invoke('fs:read', { path: '/etc/passwd' }).then(() => 'sent', (e) => e.code);
    out.ipcInvokes = ipcInvokes;
  }
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
}, 200);
`;

interface Loaded {
  calls: Array<{ name: string; args: unknown[] }>;
  exposedKeys: string[];
  apiKeys?: string[];
  unknown?: string;
  ipcInvokes?: unknown[][];
}

function load(file: string, kind: 'main' | 'preload'): Loaded {
  const result = spawnSync(process.execPath, ['-e', HARNESS], {
    cwd: root,
    env: { ...process.env, FILE: path.join(root, file), KIND: kind },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${file} did not load: ${result.stderr}`);
  return JSON.parse(result.stdout) as Loaded;
}

beforeAll(() => {
  const built = spawnSync(process.execPath, ['scripts/build-electron.mjs'], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(built.status, built.stderr).toBe(0);
});

describe('Electron bundles', () => {
  it('preload exposes exactly window.pospay, passing only contract channels', () => {
    const loaded = load('dist/electron/preload.cjs', 'preload');
    expect(loaded.exposedKeys).toEqual(['pospay']);
    expect(loaded.apiKeys).toEqual(['invoke', 'on', 'onConnection']);
    expect(loaded.ipcInvokes).toEqual([['pospay:invoke', 'sale:current', {}]]);
    expect(loaded.unknown).toBe('unknown-channel');
    const source = readFileSync(path.join(root, 'dist/electron/preload.cjs'), 'utf8');
    expect(source.match(/require\("[^"]+"\)/g)?.sort()).toEqual(['require("electron")']);
  });

  it('main loads outside Electron, sandboxes every renderer and drops unchecked IPC', () => {
    const loaded = load('dist/electron/main.cjs', 'main');
    const names = loaded.calls.map((c) => c.name);
    expect(names).toContain('electron.app.enableSandbox');
    const schemes = loaded.calls.find(
      (c) => c.name === 'electron.protocol.registerSchemesAsPrivileged',
    );
    expect(schemes?.args[0]).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(loaded.calls).toContainEqual({
      name: 'electron.ipcMain.removeHandler',
      args: ['__ELECTRON_LOG__'],
    });
    const lastLogHandler = names.lastIndexOf('electron.ipcMain.handle');
    expect(names.indexOf('electron.ipcMain.removeHandler')).toBeGreaterThan(lastLogHandler);
  });
});
