// V8 flags the terminal's long-running process runs with. A 2 MB semi-space keeps the young
// generation, and so the RSS, flat over a day of sales. V8 reads them only at start
// (v8.setFlagsFromString then has no effect), so they are given where that process is
// started: `npm start` starts `pospay serve` with them, Electron's main process appends them
// to its js-flags, the benches measure with them. bin/pospay.mjs does not re-run itself for
// them: a bare `pospay` command runs with V8's defaults.
export const POSPAY_V8_FLAGS = ['--max-semi-space-size=2'];

/**
 * The flags of POSPAY_V8_FLAGS not in effect for a process started with `execArgv` and the
 * environment's NODE_OPTIONS (Node applies V8 options given there at start, like on the
 * command line). A flag counts as given when its last occurrence has the same value.
 */
export function missingV8Flags(execArgv, nodeOptions = '') {
  const given = new Map();
  const words = [...splitNodeOptions(nodeOptions ?? ''), ...execArgv];
  for (const word of words) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(word);
    if (m) given.set(normalize(m[1]), m[2] ?? null);
  }
  return POSPAY_V8_FLAGS.filter((flag) => {
    const [, name, value] = /^--([^=]+)(?:=(.*))?$/.exec(flag) ?? [];
    return !(name && given.has(normalize(name)) && given.get(normalize(name)) === (value ?? null));
  });
}

// V8 treats `_` and `-` in flag names alike.
const normalize = (name) => name.replace(/_/g, '-');

// NODE_OPTIONS is split on spaces, with double quotes grouping (as Node does).
function splitNodeOptions(text) {
  const out = [];
  let current = '';
  let quoted = false;
  let any = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '\\' && quoted && i + 1 < text.length) {
      current += text[(i += 1)];
      any = true;
    } else if (c === '"') {
      quoted = !quoted;
      any = true;
    } else if (c === ' ' && !quoted) {
      if (any) out.push(current);
      current = '';
      any = false;
    } else {
      current += c;
      any = true;
    }
  }
  if (any) out.push(current);
  return out;
}
