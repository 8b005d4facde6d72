/**
 * The public signing vectors (test/fixtures/signing-vectors.json: the PingPong Checkout v4
 * public documentation's signed examples, see test/fixtures/README.md), shared by the
 * signing unit tests and the CLI tests.
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

export const vectorFile = path.join(repoRoot, 'test', 'fixtures', 'signing-vectors.json');

export const { vectors } = JSON.parse(readFileSync(vectorFile, 'utf8')) as { vectors: Vector[] };

/** The first vector; throws when the file has none. */
export function firstVector(): Vector {
  const [vector] = vectors;
  if (!vector) throw new Error(`${vectorFile} has no vectors`);
  return vector;
}
