/**
 * What must hold of a package tarball before it is published, checked on the tarball itself (not on the
 * workspace folder, which has files the tarball lacks):
 *
 * - it ships only what users need: `package.json`, README, LICENSE, CHANGELOG, `dist/` and `bin/` (no
 *   sources, tests, configs);
 * - the packed `package.json` has real version ranges (no `workspace:` or `catalog:`), is ESM, says which
 *   Node it needs, and can only be published to the registry it is told to (no `publishConfig.registry`);
 * - every `exports`, `main`, `types` and `bin` target is in the tarball, and every `bin` starts with a
 *   `#!/usr/bin/env node` line;
 * - every relative import and every `new URL('./x', import.meta.url)` (worker entries) in a shipped file
 *   points at a shipped file;
 * - every package a shipped file imports is declared in `dependencies` (or peer/optional), and every
 *   declared dependency is imported by some shipped file (nothing is installed for nothing).
 *
 * Plus publint (strict, suggestions included) and arethetypeswrong with the ESM-only profile.
 */
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { posix } from 'node:path';
import { run } from '@tock/test-utils';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import ts from 'typescript';
import type { Manifest, PackedFile, PackedPackage } from './pack.ts';
import { REPO_ROOT } from './pack.ts';

/** Files a package may ship besides `dist/` and `bin/`. */
const TOP_LEVEL_FILES = new Set(['package.json', 'README.md', 'LICENSE', 'LICENSE.md', 'CHANGELOG.md']);
/** Folders whose files a package may ship. */
// native/: the server's addon sources, install script and prebuilt binaries (built from source as a fallback).
const SHIPPED_FOLDERS = ['dist/', 'bin/', 'native/'];
/** Files that never serve users, wherever they are. */
const NEVER_SHIPPED = /(?:\.test\.|\.spec\.|(?<!\.d)\.[mc]?ts$|\.tsbuildinfo$|(?:^|\/)tsconfig[^/]*\.json$)/;
/** Files whose imports are checked: JavaScript and type declarations. */
const CODE = /\.(?:[mc]?js|d\.[mc]?ts)$/;
/** `publishConfig` keys that are fine to publish with (none of them sends the package elsewhere). */
const PUBLISH_CONFIG_KEYS = new Set(['access', 'provenance', 'tag']);
const DEPENDENCY_FIELDS = [
  'dependencies',
  'peerDependencies',
  'optionalDependencies',
  'devDependencies',
] as const;
/** `new URL('./worker.mjs', import.meta.url)`: a file loaded by URL, such as a worker thread entry. */
const URL_REFERENCE = /new\s+URL\(\s*(['"`])(\.{1,2}\/[^'"`]+)\1\s*,\s*import\.meta\.url\s*\)/g;

/** Everything wrong with a packed package, one sentence each; empty when it is fine to publish. */
export function checkPackedFiles(manifest: Manifest, files: ReadonlyMap<string, PackedFile>): string[] {
  return [
    ...checkFileList(files),
    ...checkManifest(manifest),
    ...checkEntryPoints(manifest, files),
    ...checkImports(manifest, files),
  ];
}

function checkFileList(files: ReadonlyMap<string, PackedFile>): string[] {
  const problems: string[] = [];
  for (const path of files.keys()) {
    const allowed = TOP_LEVEL_FILES.has(path) || SHIPPED_FOLDERS.some((folder) => path.startsWith(folder));
    if (!allowed || NEVER_SHIPPED.test(path))
      problems.push(`ships ${path}, which does not serve users (sources, tests and configs stay out)`);
  }
  if (!files.has('README.md')) problems.push('has no README.md');
  if (!files.has('LICENSE') && !files.has('LICENSE.md')) problems.push('has no LICENSE');
  return problems;
}

function checkManifest(manifest: Manifest): string[] {
  const problems: string[] = [];
  if (manifest.private === true) problems.push('package.json is private: it cannot be published');
  if (manifest.type !== 'module')
    problems.push('package.json has no "type": "module" (tock packages are ESM only)');
  if (manifest.engines?.['node'] === undefined) problems.push('package.json has no engines.node');
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (/^(?:workspace|catalog|link|file):/.test(range))
        problems.push(
          `${field}.${name} is "${range}" in the packed package.json: it must be a real version range`,
        );
    }
  }
  for (const key of Object.keys(manifest.publishConfig ?? {})) {
    if (!PUBLISH_CONFIG_KEYS.has(key))
      problems.push(`publishConfig.${key} is set: only ${[...PUBLISH_CONFIG_KEYS].join(', ')} may be`);
  }
  return problems;
}

/** Every file path an `exports` map points at (`null` targets block a subpath and point at nothing). */
function exportTargets(exports: unknown, at: string): Array<{ where: string; target: string }> {
  if (typeof exports === 'string') return [{ where: at, target: exports }];
  if (Array.isArray(exports)) return exports.flatMap((entry, i) => exportTargets(entry, `${at}[${i}]`));
  if (exports !== null && typeof exports === 'object')
    return Object.entries(exports).flatMap(([key, value]) => exportTargets(value, `${at}["${key}"]`));
  return [];
}

function hasTarget(files: ReadonlyMap<string, PackedFile>, target: string): boolean {
  const path = posix.normalize(target);
  if (!path.includes('*')) return files.has(path);
  const pattern = new RegExp(
    `^${path
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+')}$`,
  );
  return [...files.keys()].some((file) => pattern.test(file));
}

function checkEntryPoints(manifest: Manifest, files: ReadonlyMap<string, PackedFile>): string[] {
  const problems: string[] = [];
  const targets = exportTargets(manifest.exports, 'exports');
  if (manifest.main !== undefined) targets.push({ where: 'main', target: manifest.main });
  if (manifest.types !== undefined) targets.push({ where: 'types', target: manifest.types });
  for (const { where, target } of targets) {
    if (!hasTarget(files, target)) problems.push(`${where} points at ${target}, which is not in the tarball`);
  }
  const bins = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
  for (const [command, target] of Object.entries(bins)) {
    const file = files.get(posix.normalize(target));
    if (file === undefined) problems.push(`bin.${command} points at ${target}, which is not in the tarball`);
    else if (!file.data.toString('utf8', 0, 64).startsWith('#!/usr/bin/env node\n'))
      problems.push(
        `bin.${command} (${target}) does not start with "#!/usr/bin/env node": it cannot run as a command`,
      );
  }
  return problems;
}

/** The package a bare specifier names: `@scope/name` or `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Where a relative import of `from` may land: a declaration file imports `./x.mjs` and gets `./x.d.mts`. */
function candidates(from: string, specifier: string): string[] {
  const path = posix.normalize(posix.join(posix.dirname(from), specifier));
  if (!/\.d\.[mc]?ts$/.test(from)) return [path];
  return [
    path,
    path
      .replace(/\.mjs$/, '.d.mts')
      .replace(/\.cjs$/, '.d.cts')
      .replace(/\.js$/, '.d.ts'),
  ];
}

function checkImports(manifest: Manifest, files: ReadonlyMap<string, PackedFile>): string[] {
  const problems: string[] = [];
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
  ]);
  const used = new Set<string>();
  for (const [path, file] of files) {
    if (!CODE.test(path)) continue;
    const text = file.data.toString('utf8');
    const specifiers = ts.preProcessFile(text, true, true).importedFiles.map((ref) => ref.fileName);
    for (const match of text.matchAll(URL_REFERENCE)) {
      const target = match[2]!;
      // `import.meta.url.endsWith('.ts') ? new URL('./thread.ts', …) : new URL('./worker.mjs', …)`: the
      // `.ts` branch runs only from the sources, never from the built file.
      if (/(?<!\.d)\.[mc]?ts$/.test(target)) continue;
      // `new URL('../native', …)`: a folder, which must hold at least one shipped file.
      const folder = posix.join(posix.dirname(path), target);
      if (!/\.[a-z]+$/.test(target) && [...files.keys()].some((file) => file.startsWith(`${folder}/`)))
        continue;
      specifiers.push(target);
    }
    for (const specifier of specifiers) {
      if (specifier.startsWith('./') || specifier.startsWith('../')) {
        if (!candidates(path, specifier).some((candidate) => files.has(candidate)))
          problems.push(`${path} imports ${specifier}, which is not in the tarball`);
      } else if (!isBuiltin(specifier)) {
        const name = packageName(specifier);
        if (name === manifest.name) continue;
        used.add(name);
        if (!declared.has(name))
          problems.push(
            `${path} imports ${specifier}, but ${name} is not in dependencies: installs will not have it`,
          );
      }
    }
  }
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    if (!used.has(name))
      problems.push(`dependencies.${name} is imported by no shipped file: it is installed for nothing`);
  }
  return problems;
}

/** publint's messages for the tarball (strict: warnings are errors; suggestions count too). */
export async function publintProblems(pkg: PackedPackage): Promise<string[]> {
  const tarball = readFileSync(pkg.tarball);
  const arrayBuffer = tarball.buffer.slice(
    tarball.byteOffset,
    tarball.byteOffset + tarball.byteLength,
  ) as ArrayBuffer;
  const { messages, pkg: manifest } = await publint({
    pack: { tarball: arrayBuffer },
    strict: true,
    level: 'suggestion',
  });
  return messages.map(
    (message) =>
      `publint ${message.type}: ${formatMessage(message, manifest, { color: false }) ?? message.code}`,
  );
}

/** The fields of an arethetypeswrong problem that say where it is. */
interface AttwProblem {
  readonly kind: string;
  readonly entrypoint?: string;
  readonly resolutionKind?: string;
  readonly resolutionOption?: string;
  readonly fileName?: string;
  readonly moduleSpecifier?: string;
}

function describeAttwProblem(p: AttwProblem): string {
  const where =
    p.fileName !== undefined
      ? `${p.fileName.replace(/^\/node_modules\/(?:@[^/]+\/)?[^/]+\//, '')} imports ${p.moduleSpecifier ?? '?'}`
      : `entry point ${p.entrypoint ?? '.'}, ${p.resolutionKind ?? p.resolutionOption ?? 'every'} resolution`;
  return `attw: ${p.kind} (${where}): https://github.com/arethetypeswrong/arethetypeswrong.github.io/blob/main/docs/problems/${p.kind}.md`;
}

/**
 * arethetypeswrong's problems with the tarball's types, for ESM-only packages (`--profile esm-only`: the
 * `node10` and CommonJS resolutions are not expected to work).
 */
export async function attwProblems(pkg: PackedPackage): Promise<string[]> {
  const attw = posix.join(REPO_ROOT, 'node_modules', '.bin', 'attw');
  const result = await run(attw, ['--profile', 'esm-only', '--format', 'json', '--no-emoji', pkg.tarball], {
    timeoutMs: 60_000,
  });
  if (result.code === 0) return [];
  try {
    const { analysis } = JSON.parse(result.stdout) as { analysis: { problems?: AttwProblem[] } };
    const problems = (analysis.problems ?? []).filter(
      (p) => p.resolutionKind !== 'node10' && p.resolutionKind !== 'node16-cjs',
    );
    if (problems.length > 0) return [...new Set(problems.map(describeAttwProblem))];
  } catch {
    // not JSON: report the output as it is
  }
  return [
    `attw failed (${result.code ?? result.signal}): ${result.stdout.slice(0, 2000)}${result.stderr.slice(0, 2000)}`,
  ];
}
