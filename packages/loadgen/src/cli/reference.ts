import { FLAGS, type Flag } from './flags.ts';
import { EXIT_STATUSES, SUMMARY, USAGES } from './help.ts';

/** One flag of a command, as its reference page shows it. */
export interface CliReferenceFlag {
  /** The long form, with its dashes: `--connections`. */
  readonly long: string;
  /** The one-letter form, with its dash: `-c`. */
  readonly short?: string;
  /** The value's placeholder (`N`); absent for a flag that takes no value. */
  readonly value?: string;
  /** What the flag does (Markdown code spans allowed). */
  readonly description: string;
  /** The value when the flag is not given, in words. */
  readonly default?: string;
  /** The values allowed, in words. */
  readonly allowed?: string;
  /** The environment variable that sets the same option. */
  readonly env?: string;
  /** The group the help lists the flag in. */
  readonly section?: string;
}

/** A command's reference, built from the table its parser reads: the documentation site renders it. */
export interface CliReference {
  /** The program's name: `tock-loadgen`. */
  readonly command: string;
  /** What it does, one paragraph. */
  readonly summary: string;
  /** How it is invoked, one form per line. */
  readonly usage: string;
  /** Every flag, in the order of the table. */
  readonly flags: readonly CliReferenceFlag[];
  /** Every exit status, with its meaning. */
  readonly exitCodes: ReadonlyArray<{ readonly code: number; readonly meaning: string }>;
}

function allowedOf(flag: Flag): string | undefined {
  switch (flag.kind) {
    case 'choice':
      return `one of ${(flag.choices ?? []).join(', ')}`;
    case 'integer':
      return 'a whole number';
    case 'number':
      return 'a decimal number (fractions allowed)';
    default:
      return undefined;
  }
}

function referenceFlag(flag: Flag): CliReferenceFlag {
  const allowed = allowedOf(flag);
  return {
    long: `--${flag.name}`,
    ...(flag.short === undefined ? {} : { short: `-${flag.short}` }),
    ...(flag.kind === 'boolean' ? {} : { value: flag.valueName ?? 'VALUE' }),
    description: flag.merge ? `${flag.description} Also for \`merge\`.` : flag.description,
    ...(flag.default === undefined ? {} : { default: flag.default }),
    ...(allowed === undefined ? {} : { allowed }),
    section: flag.group,
  };
}

/**
 * The reference of `tock-loadgen`, generated from the flag table its parser reads ({@link FLAGS}) and its
 * exit statuses; the documentation site's CLI page is rendered from it.
 */
export const CLI_REFERENCE: CliReference = {
  command: 'tock-loadgen',
  summary: `${SUMMARY[0]!.toUpperCase()}${SUMMARY.slice(1)} It reports latency percentiles from an HDR histogram at microsecond resolution, throughput, and how many replies were valid, invalid, lost, late or duplicated; it can find the highest rate a server sustains, and fail a CI job when a server got slower than a saved baseline.`,
  usage: USAGES.map((u) => u.usage).join('\n'),
  flags: FLAGS.map(referenceFlag),
  exitCodes: EXIT_STATUSES.map((e) => ({
    code: e.status,
    meaning: e.code === undefined ? e.meaning : `\`${e.code}\`: ${e.meaning}`,
  })),
};
