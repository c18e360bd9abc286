import { badValueMessage, parseFlags, UsageError } from '@tock/cli-kit';
import { OptionError, type ResolvedOptions, type RunOptions, resolveOptions } from '../options.ts';
import { parseTarget } from '../target.ts';
import { FLAGS, flagOfOption } from './flags.ts';

/** What to do with the result of a run or a merge. */
export interface OutputSettings {
  /** Print one JSON object instead of tables. */
  readonly json: boolean;
  /** Also write the JSON result here. */
  readonly outputFile: string | undefined;
  /** The baseline result of the regression gate. */
  readonly compare: string | undefined;
  /** The largest regression the gate tolerates, percent. */
  readonly maxRegressionPct: number;
}

/** A parsed command line. */
export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | {
      readonly kind: 'run';
      /** The options as the flags gave them. */
      readonly options: RunOptions;
      /** The same, checked and with every default applied: what the run uses. */
      readonly resolved: ResolvedOptions;
      readonly output: OutputSettings;
    }
  | { readonly kind: 'merge'; readonly files: readonly string[]; readonly output: OutputSettings };

/**
 * Reads `tock-loadgen`'s arguments (those after the program name) into a {@link Command}, checking every
 * value, so that a run never starts with a bad option.
 * @throws LoadgenError `USAGE` naming the flag at fault.
 */
export function parseCommandLine(argv: readonly string[]): Command {
  const parsed = parseFlags(FLAGS, argv);
  if (parsed.help) return { kind: 'help' };
  if (parsed.version) return { kind: 'version' };
  const given = FLAGS.filter((f) => parsed.values.has(f.name));
  const converted = parsed.values as ReadonlyMap<string, string | number | boolean>;
  const output: OutputSettings = {
    json: converted.get('json') === true,
    outputFile: converted.get('output') as string | undefined,
    compare: converted.get('compare') as string | undefined,
    maxRegressionPct: (converted.get('max-regression') as number | undefined) ?? 10,
  };
  const [first, ...rest] = parsed.positionals;
  if (first === 'merge') {
    const stray = given.find((f) => !f.merge);
    if (stray) throw new UsageError(`--${stray.name} does not apply to merge`);
    if (rest.length === 0)
      throw new UsageError('merge needs at least one result file (tock-loadgen merge a.json b.json)');
    return { kind: 'merge', files: rest, output };
  }
  if (first === undefined)
    throw new UsageError('missing the target HOST:PORT (e.g. tock-loadgen 127.0.0.1:5005)');
  if (rest.length > 0) throw new UsageError(`one target only; unexpected "${rest[0]}"`);
  parseTarget(first);

  const options: Record<string, unknown> = { target: first };
  const ramp: Record<string, unknown> = {};
  for (const flag of given) {
    if (!flag.option) continue;
    const value = converted.get(flag.name);
    if (flag.option.length === 2) ramp[flag.option[1]] = value;
    else options[flag.option[0]] = value;
  }
  const rampFlags = given.filter((f) => f.option?.[0] === 'ramp');
  if (converted.get('ramp') === true) options.ramp = ramp;
  else if (rampFlags.length > 0) throw new UsageError(`--${rampFlags[0]!.name} needs --ramp`);
  let resolved: ResolvedOptions;
  try {
    resolved = resolveOptions(options as unknown as RunOptions);
  } catch (error) {
    if (error instanceof OptionError) {
      const flag = flagOfOption(error.path);
      if (flag === undefined) throw new UsageError(error.message);
      // A value the options refuse on its own gets the one message of a bad value; a rule between
      // flags (a duration or an amount, not both) names the flag and the rule.
      const raw = parsed.raw.get(flag.name);
      if (raw !== undefined && refusedAlone(flag.option!, options[flag.option![0]]))
        throw new UsageError(badValueMessage(flag, raw));
      throw new UsageError(`--${flag.name}: ${error.problem}`);
    }
    throw error;
  }
  return { kind: 'run', options: options as unknown as RunOptions, resolved, output };
}

/** Whether the options refuse this one value even with no other option set. */
function refusedAlone(path: readonly string[], value: unknown): boolean {
  try {
    resolveOptions({ target: '127.0.0.1:1', [path[0]!]: value } as unknown as RunOptions);
    return false;
  } catch (error) {
    return error instanceof OptionError && error.path === path.join('.');
  }
}
