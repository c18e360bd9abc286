import type { ExitStatus } from './exit.ts';
import { allowedOf, type OptionSpec, placeholderOf, takesValue } from './options.ts';

/** One flag of a command, as its reference page shows it. */
export interface CliReferenceFlag {
  /** The long form, with its dashes: `--port`. */
  readonly long: string;
  /** The one-letter form, with its dash: `-p`. */
  readonly short?: string;
  /** The value's placeholder (`PORT`); absent for a flag that takes no value. */
  readonly value?: string;
  /** What the flag does (Markdown code spans allowed). */
  readonly description: string;
  /** The value when the flag is not given, in words. */
  readonly default?: string;
  /** The values allowed, in words. */
  readonly allowed?: string;
  /** The environment variable that sets the same option. */
  readonly env?: string;
  /** The key of the config file that sets the same option. */
  readonly configKey?: string;
  /** The group `--help` lists the flag in. */
  readonly section?: string;
}

/**
 * A command's reference, built from the table its parser reads: the documentation site renders its CLI
 * page from it. Each CLI package exports one as `CLI_REFERENCE` from its `./cli` subpath.
 */
export interface CliReference {
  /** The program's name: `tockd`. */
  readonly command: string;
  /** What it does, one paragraph. */
  readonly summary: string;
  /** How it is invoked, one form per line. */
  readonly usage: string;
  /** Every flag, in the order of the help. */
  readonly flags: readonly CliReferenceFlag[];
  /** Every exit status, with its meaning and the error codes that end with it. */
  readonly exitCodes: ReadonlyArray<{
    readonly code: number;
    readonly meaning: string;
    readonly errors?: readonly string[];
  }>;
}

/** How a command's reference is described: the same data its `--help` is rendered from. */
export interface CliReferenceSource {
  readonly command: string;
  readonly summary: string;
  readonly usages: ReadonlyArray<{ readonly usage: string }>;
  readonly options: readonly OptionSpec[];
  readonly exitStatuses: readonly ExitStatus[];
}

/** One option as a {@link CliReferenceFlag}. */
export function referenceFlag(option: OptionSpec): CliReferenceFlag {
  const allowed = takesValue(option) ? allowedOf(option) : undefined;
  return {
    long: `--${option.name}`,
    ...(option.short === undefined ? {} : { short: `-${option.short}` }),
    ...(takesValue(option) ? { value: placeholderOf(option) } : {}),
    description: option.description,
    ...(option.default === undefined ? {} : { default: option.default }),
    ...(allowed === undefined ? {} : { allowed }),
    ...(option.env === undefined ? {} : { env: option.env }),
    ...(option.configKey === undefined ? {} : { configKey: option.configKey }),
    section: option.section,
  };
}

/** A command's {@link CliReference}, from the data its parser and help read. */
export function cliReference(source: CliReferenceSource): CliReference {
  return {
    command: source.command,
    summary: source.summary,
    usage: source.usages.map((u) => u.usage).join('\n'),
    flags: source.options.map(referenceFlag),
    exitCodes: source.exitStatuses.map((s) => ({
      code: s.code,
      meaning: s.meaning,
      ...(s.errors === undefined ? {} : { errors: s.errors }),
    })),
  };
}
