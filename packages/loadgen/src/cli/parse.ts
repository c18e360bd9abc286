import { type ParseArgsConfig, parseArgs } from 'node:util';
import { LoadgenError } from '../errors.ts';
import { OptionError, type RunOptions, resolveOptions } from '../options.ts';
import { parseTarget } from '../target.ts';
import { FLAGS, type Flag, flagOfOption } from './flags.ts';

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
  | { readonly kind: 'run'; readonly options: RunOptions; readonly output: OutputSettings }
  | { readonly kind: 'merge'; readonly files: readonly string[]; readonly output: OutputSettings };

const DECIMAL = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function usage(message: string): LoadgenError {
  return new LoadgenError('USAGE', message);
}

function convert(flag: Flag, raw: string): string | number {
  switch (flag.kind) {
    case 'integer':
      if (!/^\d+$/.test(raw)) throw usage(`--${flag.name}: expected a whole number, got "${raw}"`);
      return Number(raw);
    case 'number':
      if (!DECIMAL.test(raw) || !Number.isFinite(Number(raw))) {
        throw usage(`--${flag.name}: expected a number, got "${raw}"`);
      }
      return Number(raw);
    case 'choice':
      if (!flag.choices?.includes(raw)) {
        throw usage(`--${flag.name}: expected one of ${flag.choices?.join(', ')}, got "${raw}"`);
      }
      return raw;
    default:
      return raw;
  }
}

const parseConfig: ParseArgsConfig = {
  options: Object.fromEntries(
    FLAGS.map((f) => [
      f.name,
      f.short === undefined
        ? { type: f.kind === 'boolean' ? 'boolean' : 'string' }
        : { type: f.kind === 'boolean' ? 'boolean' : 'string', short: f.short },
    ]),
  ) as ParseArgsConfig['options'],
  allowPositionals: true,
  strict: true,
};

/**
 * Reads `tock-loadgen`'s arguments (those after the program name) into a {@link Command}, checking every
 * value, so that a run never starts with a bad option.
 * @throws LoadgenError `USAGE` naming the flag at fault.
 */
export function parseCommandLine(argv: readonly string[]): Command {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ ...parseConfig, args: [...argv] });
  } catch (error) {
    throw usage((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const given = FLAGS.filter((f) => values[f.name] !== undefined);
  const converted = new Map<string, string | number | boolean>();
  for (const flag of given) {
    const raw = values[flag.name]!;
    converted.set(flag.name, typeof raw === 'boolean' ? raw : convert(flag, raw));
  }
  const output: OutputSettings = {
    json: converted.get('json') === true,
    outputFile: converted.get('output') as string | undefined,
    compare: converted.get('compare') as string | undefined,
    maxRegressionPct: (converted.get('max-regression') as number | undefined) ?? 10,
  };
  const [first, ...rest] = parsed.positionals;
  if (first === 'merge') {
    const stray = given.find((f) => !f.merge);
    if (stray) throw usage(`--${stray.name} does not apply to merge`);
    if (rest.length === 0)
      throw usage('merge needs at least one result file (tock-loadgen merge a.json b.json)');
    return { kind: 'merge', files: rest, output };
  }
  if (first === undefined) throw usage('missing the target HOST:PORT (e.g. tock-loadgen 127.0.0.1:5005)');
  if (rest.length > 0) throw usage(`one target only; unexpected "${rest[0]}"`);
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
  else if (rampFlags.length > 0) throw usage(`--${rampFlags[0]!.name} needs --ramp`);
  try {
    resolveOptions(options as unknown as RunOptions);
  } catch (error) {
    if (error instanceof OptionError) {
      const flag = flagOfOption(error.path);
      throw usage(flag ? `--${flag.name}: ${error.problem}` : error.message);
    }
    throw error;
  }
  return { kind: 'run', options: options as unknown as RunOptions, output };
}
