import type { UserConfig } from 'tsdown';

/**
 * The one build configuration every published tock package uses: ESM only, declarations from
 * `isolatedDeclarations`, source maps, and `publint` checking the package metadata on every build.
 *
 * `bundle`: private workspace packages (devDependencies, never published) whose code and types are
 * inlined into this package's `dist/`, so that it installs on its own: `@tock/cli-kit` in every CLI.
 */
export function tockBuild(
  entry: Record<string, string>,
  { bundle = [] }: { readonly bundle?: readonly string[] } = {},
): UserConfig {
  return {
    entry,
    ...(bundle.length === 0
      ? {}
      : { deps: { alwaysBundle: [...bundle], dts: { alwaysBundle: [...bundle] } } }),
    format: 'esm',
    platform: 'node',
    target: 'node22.12',
    dts: true,
    sourcemap: true,
    clean: true,
    publint: true,
  };
}
