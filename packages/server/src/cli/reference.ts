import { envName, FLAGS, type Flag } from './flags.ts';
import { exitStatuses, SUMMARY, USAGE } from './help.ts';

/** One flag of a command, as its reference page shows it. */
export interface CliReferenceFlag {
  /** The long form, with its dashes: `--port`. */
  readonly long: string;
  /** The one-letter form, with its dash. */
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
  /** The group `--help` lists the flag in. */
  readonly section?: string;
}

/** A command's reference, built from the table its parser reads: the documentation site renders it. */
export interface CliReference {
  /** The program's name: `tockd`. */
  readonly command: string;
  /** What it does, one paragraph. */
  readonly summary: string;
  /** How it is invoked: `tockd [flags]`. */
  readonly usage: string;
  /** Every flag, in the order of the help. */
  readonly flags: readonly CliReferenceFlag[];
  /** Every exit status, with its meaning. */
  readonly exitCodes: ReadonlyArray<{ readonly code: number; readonly meaning: string }>;
}

function referenceFlag(flag: Flag): CliReferenceFlag {
  const takesValue = flag.type === 'string';
  return {
    long: `--${flag.name}`,
    ...(flag.short === undefined ? {} : { short: `-${flag.short}` }),
    ...(takesValue ? { value: flag.valueName ?? 'VALUE' } : {}),
    description: flag.description,
    ...(flag.default === undefined ? {} : { default: flag.default }),
    ...(flag.allowed === undefined || !takesValue ? {} : { allowed: flag.allowed }),
    ...(flag.target !== undefined || flag.name === 'config' ? { env: envName(flag) } : {}),
    section: flag.section,
  };
}

/**
 * The reference of `tockd`, generated from the flag table its parser reads ({@link FLAGS}) and its exit
 * statuses; the documentation site's CLI page is rendered from it.
 */
export const CLI_REFERENCE: CliReference = {
  command: 'tockd',
  summary: SUMMARY,
  usage: USAGE,
  flags: FLAGS.map(referenceFlag),
  exitCodes: exitStatuses().map((e) => ({ code: e.status, meaning: e.meaning })),
};
