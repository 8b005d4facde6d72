/**
 * The public signing vectors (../shared/spec/vectors/signing.json beside the checkout),
 * shared by the signing unit tests and the CLI tests.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Vector {
  api: string;
  kind: string;
  store: string;
  salt: string;
  sign: string;
  message: Record<string, string>;
}

/** The repository root (the checkout). */
export const repoRoot = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export const vectorFile = path.resolve(repoRoot, '../shared/spec/vectors/signing.json');

export const { vectors } = JSON.parse(readFileSync(vectorFile, 'utf8')) as { vectors: Vector[] };

/** The first vector; throws when the file has none. */
export function firstVector(): Vector {
  const [vector] = vectors;
  if (!vector) throw new Error('signing.json has no vectors');
  return vector;
}
