// Placeholder until the owning work lands (see docs/ARCHITECTURE.md).
export async function run(_args: string[]): Promise<number> {
  process.stderr.write('pospay sign: not implemented yet\n');
  return 2;
}
