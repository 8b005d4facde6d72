/**
 * build/installer.nsh compiled by makensis (Debian's `nsis`; .ci/run installs it) inside a
 * small installer that calls its macros where electron-builder's templates do, with stand-ins
 * for what those templates provide (${isUpdated}: the --updated flag; APP_EXECUTABLE_FILENAME).
 * Warnings are errors. Running the installer (/S /KIOSK, then an update and an uninstall) needs
 * Windows: the release workflow does that.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const work = path.join(root, 'test-results', `nsis-${process.pid}`);
const include = path.join(root, 'build', 'installer.nsh');
const templates = path.join(root, 'node_modules', 'app-builder-lib', 'templates', 'nsis');

afterAll(() => rmSync(work, { recursive: true, force: true }));

function wrapper(out: string): string {
  return [
    'Unicode true',
    'Name "PosPay installer.nsh check"',
    `OutFile "${out}"`,
    'RequestExecutionLevel admin',
    'InstallDir "$PROGRAMFILES64\\PosPay"',
    '!include "LogicLib.nsh"',
    '!include "FileFunc.nsh"',
    '!define APP_EXECUTABLE_FILENAME "PosPay.exe"',
    // electron-builder's ${isUpdated}: the --updated flag on the command line.
    '!macro _isUpdated _a _b _t _f',
    '  !insertmacro _LOGICLIB_TEMP',
    '  ${GetParameters} $_LOGICLIB_TEMP',
    '  ClearErrors',
    '  ${GetOptions} $_LOGICLIB_TEMP "--updated" $_LOGICLIB_TEMP',
    '  IfErrors `${_f}` `${_t}`',
    '!macroend',
    '!define isUpdated `"" isUpdated ""`',
    `!include "${include}"`,
    `Icon "${path.join(root, 'build', 'icon.ico')}"`,
    `UninstallIcon "${path.join(root, 'build', 'icon.ico')}"`,
    'Section "install"',
    '  SetOutPath $INSTDIR',
    '  !insertmacro customInstall',
    '  WriteUninstaller "$INSTDIR\\Uninstall PosPay.exe"',
    'SectionEnd',
    'Section "Uninstall"',
    '  !insertmacro customUnInstall',
    'SectionEnd',
    '',
  ].join('\n');
}

describe('build/installer.nsh', () => {
  it('defines the hooks electron-builder calls, under the names its templates look for', () => {
    const nsh = readFileSync(include, 'utf8');
    const defined = [...nsh.matchAll(/^!macro\s+(\S+)/gm)].map((m) => m[1]);
    expect(defined.sort()).toEqual(['customInstall', 'customUnInstall']);
    expect(readFileSync(path.join(templates, 'installSection.nsh'), 'utf8')).toContain(
      '!ifmacrodef customInstall',
    );
    expect(readFileSync(path.join(templates, 'uninstaller.nsh'), 'utf8')).toContain(
      '!ifmacrodef customUnInstall',
    );
    // The start at sign-in is written for /KIOSK only and kept on update.
    expect(nsh).toMatch(/\$\{GetOptions\} \$R2 "\/KIOSK"/);
    expect(nsh).toMatch(/\$\{IfNot\} \$\{isUpdated\}\s+SetRegView 64\s+DeleteRegValue HKLM/);
    expect(nsh).not.toMatch(/RMDir/i);
  });

  it('compiles with makensis, warnings as errors', () => {
    mkdirSync(work, { recursive: true });
    const script = path.join(work, 'check.nsi');
    const out = path.join(work, 'check-setup.exe');
    writeFileSync(script, wrapper(out));
    const run = spawnSync('makensis', ['-WX', '-V2', script], { encoding: 'utf8' });
    if (run.error) {
      throw new Error(
        `makensis is not installed (Debian: apt-get install nsis): ${run.error.message}`,
      );
    }
    expect(run.stderr + run.stdout).not.toMatch(/warning/i);
    expect(run.status, run.stderr + run.stdout).toBe(0);
    expect(readFileSync(out).subarray(0, 2).toString('latin1')).toBe('MZ');
  });

  it('fails to compile when a macro it uses is missing (the check is real)', () => {
    mkdirSync(work, { recursive: true });
    const script = path.join(work, 'broken.nsi');
    const out = path.join(work, 'broken-setup.exe');
    writeFileSync(
      script,
      wrapper(out).replace('!define isUpdated `"" isUpdated ""`', '; no isUpdated'),
    );
    const run = spawnSync('makensis', ['-WX', '-V2', script], { encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    expect(run.status).not.toBe(0);
  });
});
