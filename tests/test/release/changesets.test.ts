/**
 * The changesets configuration versions the published packages independently, with a changelog each, and
 * leaves the private ones alone. `changeset version` (what `pnpm version-packages` runs) runs on a copy
 * of the workspace's manifests and .changeset/config.json in a temporary folder, with a changeset this test
 * writes; the repository itself is not touched.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runOk } from '@tock/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../scripts/release/pack.ts';

const PUBLISHED = [
  'packages/protocol',
  'packages/udp',
  'packages/client',
  'packages/server',
  'packages/loadgen',
];
const PRIVATE = ['apps/docs', 'tests', 'tooling/typescript'];
const FOLDERS = [...PUBLISHED, ...PRIVATE];
const CHANGESET = join(REPO_ROOT, 'node_modules', '@changesets', 'cli', 'bin.js');

const copies: string[] = [];
afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the workspace's manifests and changesets config, with one changeset `bumps`, versioned. */
async function versionWith(bumps: Record<string, 'patch' | 'minor' | 'major'>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tock-changesets-'));
  copies.push(dir);
  for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset/config.json']) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(dir, file));
  }
  for (const folder of FOLDERS) {
    mkdirSync(join(dir, folder), { recursive: true });
    cpSync(join(REPO_ROOT, folder, 'package.json'), join(dir, folder, 'package.json'));
  }
  const header = Object.entries(bumps).map(([name, bump]) => `"${name}": ${bump}`);
  writeFileSync(
    join(dir, '.changeset', 'test-change.md'),
    ['---', ...header, '---', '', 'A change for the test.', ''].join('\n'),
  );
  await runOk(process.execPath, [CHANGESET, 'version'], { cwd: dir, timeoutMs: 60_000 });
  return dir;
}

const versionIn = (dir: string, folder: string): string =>
  (JSON.parse(readFileSync(join(dir, folder, 'package.json'), 'utf8')) as { version: string }).version;
const before = (folder: string): string => versionIn(REPO_ROOT, folder);

describe('changeset version', () => {
  it('bumps only the package a changeset names, and writes only its changelog', async () => {
    const dir = await versionWith({ '@tock/client': 'minor' });
    const [major, minor] = before('packages/client').split('.').map(Number) as [number, number];
    expect(versionIn(dir, 'packages/client')).toBe(
      major === 0 ? `0.${minor + 1}.0` : `${major}.${minor + 1}.0`,
    );
    for (const folder of [
      'packages/protocol',
      'packages/udp',
      'packages/server',
      'packages/loadgen',
      'tests',
      'tooling/typescript',
    ]) {
      expect(versionIn(dir, folder), folder).toBe(before(folder));
      expect(existsSync(join(dir, folder, 'CHANGELOG.md')), folder).toBe(false);
    }
    expect(readFileSync(join(dir, 'packages/client/CHANGELOG.md'), 'utf8')).toMatch(
      /^# @tock\/client\n\n## [\d.]+\n\n### Minor Changes\n\n- A change for the test\.\n/,
    );
  });

  it('gives each package its own version: a protocol release patches its dependents', async () => {
    const dir = await versionWith({ '@tock/protocol': 'minor', '@tock/server': 'major' });
    const protocol = versionIn(dir, 'packages/protocol');
    expect(protocol).not.toBe(before('packages/protocol'));
    // The server's own major bump wins; the client and loadgen get a patch for the new protocol range.
    expect(versionIn(dir, 'packages/server').split('.')[0]).toBe(
      String(Number(before('packages/server').split('.')[0]) + 1),
    );
    for (const folder of ['packages/client', 'packages/loadgen']) {
      const [maj, min, patch] = before(folder).split('.').map(Number) as [number, number, number];
      expect(versionIn(dir, folder), folder).toBe(`${maj}.${min}.${patch + 1}`);
      expect(readFileSync(join(dir, folder, 'CHANGELOG.md'), 'utf8')).toContain(
        `- @tock/protocol@${protocol}`,
      );
    }
    // Private packages are not versioned even though they depend on the released ones.
    for (const folder of PRIVATE) expect(versionIn(dir, folder), folder).toBe(before(folder));
  });
});
