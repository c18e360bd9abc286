/**
 * The published packages of the workspace, packed exactly as `pnpm publish` (and so `changeset publish`)
 * would pack them, and read back from the tarball: the packed `package.json` (with `workspace:` and
 * `catalog:` ranges replaced) and every file with its mode and bytes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { runOk } from '@tock/test-utils';

/** The root of the repository. */
export const REPO_ROOT: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The fields of a `package.json` the release tooling reads. */
export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly type?: string;
  readonly main?: string;
  readonly types?: string;
  readonly exports?: unknown;
  readonly bin?: string | Readonly<Record<string, string>>;
  readonly engines?: Readonly<Record<string, string>>;
  readonly publishConfig?: Readonly<Record<string, unknown>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { optional?: boolean }>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}

/** A workspace package that is published (not `private`). */
export interface WorkspacePackage {
  readonly name: string;
  readonly version: string;
  /** Its folder. */
  readonly dir: string;
}

/** The published packages: every `packages/*` whose package.json is not private, by name. */
export function publishedPackages(root: string = REPO_ROOT): WorkspacePackage[] {
  const packagesDir = join(root, 'packages');
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(packagesDir, entry.name))
    .flatMap((dir) => {
      let manifest: Manifest;
      try {
        manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
      } catch {
        return [];
      }
      return manifest.private === true ? [] : [{ name: manifest.name, version: manifest.version, dir }];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** One file of a tarball, its path relative to the package root (`dist/index.mjs`). */
export interface PackedFile {
  readonly mode: number;
  readonly data: Buffer;
}

/** A package as its tarball holds it. */
export interface PackedPackage {
  readonly name: string;
  readonly version: string;
  /** The packed `package.json`. */
  readonly manifest: Manifest;
  /** Every file, by path relative to the package root. */
  readonly files: ReadonlyMap<string, PackedFile>;
  readonly tarball: string;
  /** The tarball's size in bytes. */
  readonly size: number;
  /** The sum of the files' sizes in bytes. */
  readonly unpackedSize: number;
}

/** Packs the package in `dir` with `pnpm pack` into `destination` and reads the tarball back. */
export async function packPackage(dir: string, destination: string): Promise<PackedPackage> {
  const stdout = await runOk('pnpm', ['pack', '--pack-destination', destination, '--json'], {
    cwd: dir,
    timeoutMs: 60_000,
  });
  const { filename } = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { filename: string };
  const tarball = filename.startsWith('/') ? filename : join(destination, filename);
  return readPackedPackage(tarball);
}

/** Reads a package tarball (`npm pack` or `pnpm pack` format). */
export function readPackedPackage(tarball: string): PackedPackage {
  const bytes = readFileSync(tarball);
  const files = readTarball(bytes);
  const manifestFile = files.get('package.json');
  if (manifestFile === undefined) throw new Error(`${tarball} has no package.json`);
  const manifest = JSON.parse(manifestFile.data.toString('utf8')) as Manifest;
  let unpackedSize = 0;
  for (const file of files.values()) unpackedSize += file.data.length;
  return {
    name: manifest.name,
    version: manifest.version,
    manifest,
    files,
    tarball,
    size: bytes.length,
    unpackedSize,
  };
}

/**
 * The regular files of a gzipped tar archive, by path with the first folder (`package/`) removed. Reads
 * ustar headers, with PAX `path` records for long names.
 */
export function readTarball(gzipped: Buffer): Map<string, PackedFile> {
  const tar = gunzipSync(gzipped);
  const files = new Map<string, PackedFile>();
  let paxPath: string | undefined;
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const text = (start: number, length: number): string =>
      header.toString('utf8', start, start + length).replace(/\0.*$/s, '');
    const size = Number.parseInt(text(124, 12).trim() || '0', 8);
    const type = text(156, 1) || '0';
    const prefix = header.toString('latin1', 257, 262) === 'ustar' ? text(345, 155) : '';
    const data = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1];
      continue;
    }
    const path = paxPath ?? (prefix ? `${prefix}/${text(0, 100)}` : text(0, 100));
    paxPath = undefined;
    if (type !== '0') continue;
    files.set(path.replace(/^[^/]*\//, ''), { mode: Number.parseInt(text(100, 8).trim() || '0', 8), data });
  }
  return files;
}
