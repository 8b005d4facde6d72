/**
 * bundle_gzip_kb: the cashier screen's JavaScript + CSS as shipped (dist/renderer), gzipped
 * with node:zlib at the default level. Builds the renderer first when it is missing.
 * Target (performance.md): ≤ 200 KB.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const DIST = path.resolve('dist/renderer');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

if (!existsSync(path.join(DIST, 'index.html'))) {
  const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (build.status !== 0) {
    process.stderr.write('bundle.bench: the renderer build failed\n');
    process.exit(1);
  }
}

const shipped = files(DIST).filter((f) => /\.(m?js|css)$/.test(f));
let raw = 0;
let gzip = 0;
for (const file of shipped) {
  const bytes = readFileSync(file);
  raw += bytes.length;
  gzip += gzipSync(bytes).length;
}
const kb = (n: number) => Math.round((n / 1024) * 10) / 10;
process.stdout.write(
  `${JSON.stringify({
    metric: 'bundle_gzip_kb',
    value: kb(gzip),
    unit: 'KB',
    target: 200,
    raw_kb: kb(raw),
    files: shipped.length,
  })}\n`,
);
