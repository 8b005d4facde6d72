// Run as `node winLoadProbe.mjs <app folder> <module>...` (test/integration/packaging): loads
// each module the way a win32-x64 machine would, from an app folder extracted from app.asar,
// and prints JSON { loaded: [.node files asked for], failures: [{ module, error }] }.
//   - process.platform / os.platform() say win32 and os.arch() x64, so node-gyp-build,
//     pkg-prebuilds and serialport pick exactly what Windows would;
//   - a module resolved outside the app folder is a failure (the checkout's node_modules is a
//     parent folder of the extracted app: nothing may come from there);
//   - a .node file is recorded, not loaded (it is a Windows DLL), and stands for an addon whose
//     every property is a callable stub.
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const [appDir, ...modules] = process.argv.slice(2);
const inside = path.resolve(appDir) + path.sep;

Object.defineProperty(process, 'platform', { value: 'win32' });
os.platform = () => 'win32';
os.arch = () => 'x64';
delete process.env.npm_config_platform;
delete process.env.npm_config_arch;

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveInside(request, parent, ...rest) {
  const resolved = originalResolve.call(this, request, parent, ...rest);
  if (path.isAbsolute(resolved) && !resolved.startsWith(inside)) {
    throw new Error(`"${request}" resolved outside the package: ${resolved}`);
  }
  return resolved;
};

function stub() {
  const target = function addonStub() {};
  return new Proxy(target, {
    get: (_t, key) => (key === Symbol.toPrimitive ? () => 'stub' : stub()),
    apply: () => [],
    construct: () => stub(),
  });
}
const loaded = [];
Module._extensions['.node'] = (module, filename) => {
  loaded.push(filename);
  module.exports = stub();
};

const requireFromApp = createRequire(path.join(inside, 'package.json'));
const failures = [];
for (const name of modules) {
  try {
    const mod = requireFromApp(name);
    // node-hid loads its binding on first use.
    if (name === 'node-hid') mod.devices();
  } catch (error) {
    failures.push({ module: name, error: error instanceof Error ? error.message : String(error) });
  }
}
process.stdout.write(JSON.stringify({ loaded, failures }));
