/**
 * `node scripts/release/check.ts [--keep DIR]`: packs every published package as `pnpm publish` would and
 * checks each tarball (scripts/release/checks.ts: contents, packed package.json, entry points, shebangs,
 * imports against dependencies, publint, arethetypeswrong). Prints one block per package and exits 1 when
 * anything is wrong. Run it after `pnpm build`; `pnpm release` runs it before publishing.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { attwProblems, checkPackedFiles, publintProblems } from './checks.ts';
import { type PackedPackage, packPackage, publishedPackages } from './pack.ts';

/** The packed package and everything wrong with it. */
export interface CheckedPackage {
  readonly packed: PackedPackage;
  readonly problems: readonly string[];
}

/** Packs every published package into `destination` and checks each tarball. */
export async function checkAllPackages(destination: string): Promise<CheckedPackage[]> {
  const packed = await Promise.all(publishedPackages().map((pkg) => packPackage(pkg.dir, destination)));
  return Promise.all(
    packed.map(async (pkg) => ({
      packed: pkg,
      problems: [
        ...checkPackedFiles(pkg.manifest, pkg.files),
        ...(await publintProblems(pkg)),
        ...(await attwProblems(pkg)),
      ],
    })),
  );
}

/** `12.3 kB`: sizes in the units npm prints (1 kB = 1000 bytes). */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(2)} MB`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { keep: { type: 'string' } } });
  const destination =
    values.keep === undefined ? mkdtempSync(join(tmpdir(), 'tock-pack-')) : resolve(values.keep);
  mkdirSync(destination, { recursive: true });
  try {
    const checked = await checkAllPackages(destination);
    for (const { packed, problems } of checked) {
      const summary = `${packed.name}@${packed.version}: ${packed.files.size} files, ${formatSize(packed.size)} packed, ${formatSize(packed.unpackedSize)} unpacked`;
      console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${summary}`);
      for (const problem of problems) console.log(`     - ${problem}`);
    }
    const failed = checked.filter((c) => c.problems.length > 0).length;
    if (values.keep !== undefined) console.log(`tarballs in ${destination}`);
    if (failed > 0) {
      console.error(
        `${failed} of ${checked.length} packages are not fit to publish (is everything built? pnpm build)`,
      );
      return 1;
    }
    return 0;
  } finally {
    if (values.keep === undefined) rmSync(destination, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  process.exitCode = await main();
}
