/** Where the generated pages come from. Everything here is read by scripts/generate.ts. */

/** A command whose reference page is rendered from the `CLI_REFERENCE` its package exports. */
export interface CliSource {
  /** The command: also the page's file name (`cli/tockd.md`). */
  readonly command: string;
  /** The package that ships it. */
  readonly packageName: string;
  /** The module that exports `CLI_REFERENCE` (the package's `./cli` subpath). */
  readonly module: string;
}

export const CLI_SOURCES: readonly CliSource[] = [
  { command: 'tockd', packageName: '@tock/server', module: '@tock/server/cli' },
  { command: 'tock', packageName: '@tock/client', module: '@tock/client/cli' },
  { command: 'tock-loadgen', packageName: '@tock/loadgen', module: '@tock/loadgen/cli' },
];

/** The packages whose API reference is generated from their TSDoc, in the order of the site. */
export const API_PACKAGES: readonly string[] = [
  '@tock/protocol',
  '@tock/server',
  '@tock/client',
  '@tock/loadgen',
  '@tock/udp',
];
