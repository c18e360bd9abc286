import { EXIT_STATUSES, FLAGS, type FlagSpec, SUMMARY_LINES, USAGE } from './options.ts';

/** One flag of a command, as its reference page shows it. */
export interface CliReferenceFlag {
  /** The long form, with its dashes: `--protocol`. */
  readonly long: string;
  /** The one-letter form, with its dash: `-p`. */
  readonly short?: string;
  /** The value's placeholder (`MS`); absent for a flag that takes no value. */
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
  /** The program's name: `tock`. */
  readonly command: string;
  /** What it does, one paragraph. */
  readonly summary: string;
  /** How it is invoked: `tock [options] HOST[:PORT]`. */
  readonly usage: string;
  /** Every flag, in the order of the help. */
  readonly flags: readonly CliReferenceFlag[];
  /** Every exit status, with its meaning. */
  readonly exitCodes: ReadonlyArray<{ readonly code: number; readonly meaning: string }>;
}

type AnySpec = FlagSpec<string | number | boolean | undefined>;

function allowedOf(spec: AnySpec): string | undefined {
  if (spec.choices !== undefined) return `one of ${spec.choices.join(', ')}`;
  if (spec.type !== 'integer' && spec.type !== 'number') return undefined;
  const kind = spec.type === 'integer' ? 'an integer' : 'a number';
  return `${kind} from ${spec.min ?? '-∞'} to ${spec.max ?? '∞'}`;
}

function referenceFlag(spec: AnySpec): CliReferenceFlag {
  const takesValue = spec.type !== 'boolean';
  const fallback = spec.default !== undefined && takesValue ? String(spec.default) : spec.defaultText;
  const allowed = allowedOf(spec);
  return {
    long: `--${spec.flag}`,
    ...(spec.short === undefined ? {} : { short: `-${spec.short}` }),
    ...(takesValue ? { value: spec.placeholder ?? 'VALUE' } : {}),
    description: spec.description,
    ...(fallback === undefined ? {} : { default: fallback }),
    ...(allowed === undefined ? {} : { allowed }),
  };
}

/**
 * The reference of `tock`, generated from the flag table its parser reads ({@link FLAGS}) and its exit
 * statuses ({@link EXIT_STATUSES}); the documentation site's CLI page is rendered from it.
 */
export const CLI_REFERENCE: CliReference = {
  command: 'tock',
  summary: SUMMARY_LINES.join(' '),
  usage: USAGE,
  flags: (Object.values(FLAGS) as AnySpec[]).map(referenceFlag),
  exitCodes: EXIT_STATUSES.map((e) => ({ code: e.status, meaning: e.meaning })),
};
