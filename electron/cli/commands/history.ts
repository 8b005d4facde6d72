// Placeholder until the owning work lands (see docs/ARCHITECTURE.md).
export async function run(_args: string[]): Promise<number> {
  process.stderr.write('pospay history: not implemented yet\n');
  return 2;
}
