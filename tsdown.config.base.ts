import type { UserConfig } from 'tsdown';

/**
 * The one build configuration every published tock package uses: ESM only, declarations from
 * `isolatedDeclarations`, source maps, and `publint` checking the package metadata on every build.
 */
export function tockBuild(entry: Record<string, string>): UserConfig {
  return {
    entry,
    format: 'esm',
    platform: 'node',
    target: 'node22.12',
    dts: true,
    sourcemap: true,
    clean: true,
    publint: true,
  };
}
