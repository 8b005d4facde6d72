/**
 * How `npm start` runs the terminal: in Electron when its runtime binary is installed and
 * there is a display, else in browser mode (with one line saying why).
 */
export type LaunchChoice =
  { mode: 'electron'; electronPath: string } | { mode: 'browser'; reason: string };

export interface LaunchInputs {
  /** `require('electron')`: the binary's path; throws when the binary was never installed. */
  resolveElectron: () => unknown;
  exists: (file: string) => boolean;
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
}

export function chooseLaunch(inputs: LaunchInputs): LaunchChoice {
  if (inputs.env.POS_BROWSER_MODE === '1') {
    return { mode: 'browser', reason: 'POS_BROWSER_MODE=1 asks for browser mode' };
  }
  let resolved: unknown;
  try {
    resolved = inputs.resolveElectron();
  } catch {
    return { mode: 'browser', reason: 'Electron runtime not installed on this machine' };
  }
  if (typeof resolved !== 'string' || !inputs.exists(resolved)) {
    return { mode: 'browser', reason: 'Electron runtime not installed on this machine' };
  }
  const linuxLike = inputs.platform !== 'win32' && inputs.platform !== 'darwin';
  if (linuxLike && !inputs.env.DISPLAY && !inputs.env.WAYLAND_DISPLAY) {
    return { mode: 'browser', reason: 'No display on this machine for the Electron window' };
  }
  return { mode: 'electron', electronPath: resolved };
}

/** The one line `npm start` prints before falling back. */
export function fallbackMessage(reason: string, url: string): string {
  return `${reason} — serving the terminal in browser mode at ${url}`;
}
