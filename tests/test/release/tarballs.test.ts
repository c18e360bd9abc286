/**
 * The tarballs `pnpm pack` makes of the published packages (what `pnpm release` publishes) are fit to
 * publish: scripts/release/checks.ts (contents, packed package.json, entry points, shebangs, imports
 * against dependencies), publint and arethetypeswrong. Then the same checks on broken copies of the real
 * tarballs, one breakage each, to show they catch it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needProgram } from '@tock/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attwProblems, checkPackedFiles, publintProblems } from '../../../scripts/release/checks.ts';
import {
  type Manifest,
  type PackedFile,
  type PackedPackage,
  packPackage,
  publishedPackages,
} from '../../../scripts/release/pack.ts';

const pnpm = needProgram('pnpm', 'source scripts/env.sh');

let dir: string | undefined;
const packed = new Map<string, PackedPackage>();

beforeAll(async () => {
  if (!('path' in pnpm)) return;
  dir = mkdtempSync(join(tmpdir(), 'tock-tarballs-'));
  for (const pkg of await Promise.all(publishedPackages().map((p) => packPackage(p.dir, dir!)))) {
    packed.set(pkg.name, pkg);
  }
}, 120_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const NAMES = ['@tock/protocol', '@tock/udp', '@tock/client', '@tock/server', '@tock/loadgen'];

function get(name: string): PackedPackage {
  const pkg = packed.get(name);
  if (pkg === undefined) throw new Error(`${name} was not packed`);
  return pkg;
}

describe.skipIf('skip' in pnpm)('the packed tarballs', () => {
  it('are the five published packages', () => {
    expect([...packed.keys()].sort()).toEqual([...NAMES].sort());
  });

  it.for(NAMES)('%s: ships only built files, README and LICENSE, and passes every check', (name) => {
    const pkg = get(name);
    console.log(
      `${name}@${pkg.version}: ${pkg.files.size} files, ${pkg.size} bytes packed, ${pkg.unpackedSize} unpacked: ${[...pkg.files.keys()].sort().join(' ')}`,
    );
    expect(checkPackedFiles(pkg.manifest, pkg.files)).toEqual([]);
  });

  it.for(NAMES)('%s: publint (strict) is clean', async (name) => {
    expect(await publintProblems(get(name))).toEqual([]);
  });

  it.for(NAMES)('%s: arethetypeswrong (ESM-only profile) is clean', { timeout: 60_000 }, async (name) => {
    expect(await attwProblems(get(name))).toEqual([]);
  });

  it('workspace: ranges became the versions being released', () => {
    const protocol = get('@tock/protocol').version;
    for (const name of ['@tock/client', '@tock/server', '@tock/loadgen']) {
      expect(get(name).manifest.dependencies?.['@tock/protocol']).toBe(`^${protocol}`);
    }
    const udp = get('@tock/udp').version;
    for (const name of ['@tock/server', '@tock/loadgen']) {
      expect(get(name).manifest.dependencies?.['@tock/udp']).toBe(`^${udp}`);
    }
  });
});

/**
 * The problems a copy of a packed package has, with `change` applied to its manifest and files, that the
 * package itself does not have (so each case shows its own breakage, whatever the state of the build).
 */
function broken(
  name: string,
  change: (manifest: Record<string, unknown>, files: Map<string, PackedFile>) => void,
): string[] {
  const pkg = get(name);
  const before = new Set(checkPackedFiles(pkg.manifest, pkg.files));
  const manifest = structuredClone(pkg.manifest) as unknown as Record<string, unknown>;
  const files = new Map(pkg.files);
  change(manifest, files);
  return checkPackedFiles(manifest as unknown as Manifest, files).filter((problem) => !before.has(problem));
}

const text = (data: string): PackedFile => ({ mode: 0o644, data: Buffer.from(data) });

describe.skipIf('skip' in pnpm)('the checks catch a broken package', () => {
  it('a missing file: exports and the bin import it', () => {
    const problems = broken('@tock/client', (_, files) => files.delete('dist/cli.mjs'));
    expect(problems).toContain(
      'exports["./cli"]["default"] points at ./dist/cli.mjs, which is not in the tarball',
    );
    expect(problems).toContain('bin/tock.js imports ../dist/cli.mjs, which is not in the tarball');
  });

  it('a wrong exports path', () => {
    const problems = broken('@tock/client', (manifest) => {
      manifest['exports'] = { '.': { types: './dist/index.d.ts', default: './index.mjs' } };
    });
    expect(problems).toEqual([
      'exports["."]["types"] points at ./dist/index.d.ts, which is not in the tarball',
      'exports["."]["default"] points at ./index.mjs, which is not in the tarball',
    ]);
  });

  it('a worker entry loaded by URL that is not shipped', () => {
    const problems = broken('@tock/loadgen', (_, files) => files.delete('dist/worker.mjs'));
    expect(
      problems.some((p) => /^dist\/.+\.mjs imports \.\/worker\.mjs, which is not in the tarball$/.test(p)),
    ).toBe(true);
  });

  it('a dependency missing from dependencies', () => {
    const problems = broken('@tock/loadgen', (manifest) => {
      const { 'hdr-histogram-js': _, ...rest } = manifest['dependencies'] as Record<string, string>;
      manifest['dependencies'] = rest;
    });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.includes('but hdr-histogram-js is not in dependencies'))).toBe(true);
  });

  it('a dependency nothing imports', () => {
    const problems = broken('@tock/client', (manifest) => {
      manifest['dependencies'] = { ...(manifest['dependencies'] as object), 'left-pad': '^1.3.0' };
    });
    expect(problems).toEqual([
      'dependencies.left-pad is imported by no shipped file: it is installed for nothing',
    ]);
  });

  it('a CLI without its shebang', () => {
    const problems = broken('@tock/client', (_, files) => {
      const bin = files.get('bin/tock.js')!.data.toString('utf8');
      files.set('bin/tock.js', text(bin.replace(/^#!.*\n/, '')));
    });
    expect(problems).toEqual([
      'bin.tock (./bin/tock.js) does not start with "#!/usr/bin/env node": it cannot run as a command',
    ]);
  });

  it('a workspace: range left in the packed package.json', () => {
    const problems = broken('@tock/server', (manifest) => {
      manifest['dependencies'] = { ...(manifest['dependencies'] as object), '@tock/protocol': 'workspace:^' };
    });
    expect(problems).toEqual([
      'dependencies.@tock/protocol is "workspace:^" in the packed package.json: it must be a real version range',
    ]);
  });

  it('sources, tests and configs in the tarball', () => {
    const problems = broken('@tock/protocol', (_, files) => {
      files.set('src/index.ts', text('export {};'));
      files.set('dist/index.test.mjs', text(''));
      files.set('tsconfig.json', text('{}'));
    });
    expect(problems).toEqual([
      'ships src/index.ts, which does not serve users (sources, tests and configs stay out)',
      'ships dist/index.test.mjs, which does not serve users (sources, tests and configs stay out)',
      'ships tsconfig.json, which does not serve users (sources, tests and configs stay out)',
    ]);
  });

  it('a publishConfig that would publish somewhere else', () => {
    const problems = broken('@tock/protocol', (manifest) => {
      manifest['publishConfig'] = { access: 'public', registry: 'https://registry.example/' };
    });
    expect(problems).toEqual(['publishConfig.registry is set: only access, provenance, tag may be']);
  });
});
