import { parseArgs } from 'node:util';
import { UsageError } from './errors.ts';
import {
  allowedOf,
  badValueMessage,
  convertValue,
  type OptionSpec,
  placeholderOf,
  quote,
  takesValue,
} from './options.ts';
import { nearest } from './suggest.ts';

/** What a command line holds, read by {@link parseFlags}. */
export interface ParsedFlags {
  /** `--help` (`-h`) was given: it wins over everything else, even a bad flag. */
  readonly help: boolean;
  /** `--version` (`-V`) was given: it wins over everything but `--help`. */
  readonly version: boolean;
  /** The value of each option given, by long name, converted by its type (the last one wins). */
  readonly values: ReadonlyMap<string, unknown>;
  /** The text of each option given, by long name, as written (for messages about the value). */
  readonly raw: ReadonlyMap<string, string>;
  /** The arguments that are not flags, in order (those after `--` too). */
  readonly positionals: readonly string[];
}

type ParseArgsOptions = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;

/** The one message for a flag the command does not know, with "did you mean" when one is close. */
export function unknownFlagMessage(rawName: string, options: readonly OptionSpec[]): string {
  const near = rawName.startsWith('--')
    ? nearest(
        rawName.slice(2),
        options.map((o) => o.name),
      )
    : undefined;
  return `unknown flag ${quote(rawName).slice(1, -1)}${near === undefined ? '' : `; did you mean --${near}?`}`;
}

/**
 * Reads a command line (`argv`, without `node` and the script) against a table of options, with
 * node:util `parseArgs`: `--name value`, `--name=value`, `-n value`, `-nvalue`, grouped switches (`-jh`),
 * `--no-name` for negatable switches, and `--` before positionals that start with a dash. A value may
 * start with a dash (`--clock-offset -2d`). Every value is converted and checked by its type.
 *
 * @throws UsageError for an unknown flag (with "did you mean --x?" when one is close), a switch given a
 *   value, a value missing, or a value that is not allowed (`--x must be ALLOWED, not "RAW"`).
 */
export function parseFlags(options: readonly OptionSpec[], argv: readonly string[]): ParsedFlags {
  const config: ParseArgsOptions = {};
  for (const o of options) {
    const type = takesValue(o) ? 'string' : 'boolean';
    config[o.name] = o.short === undefined ? { type } : { type, short: o.short };
  }
  const { tokens } = parseArgs({
    args: [...argv],
    options: config,
    strict: false,
    allowPositionals: true,
    allowNegative: true,
    tokens: true,
  });
  const byName = new Map(options.map((o) => [o.name, o]));
  const byOldShort = new Map(
    options.flatMap((o) => (o.deprecatedShort === undefined ? [] : [[o.deprecatedShort, o] as const])),
  );
  const optionOf = (token: { name: string; rawName: string }): OptionSpec | undefined =>
    token.rawName.startsWith('--')
      ? byName.get(token.name)
      : (byName.get(token.name) ?? byOldShort.get(token.name));
  // --help and --version win over anything else on the line, a bad flag included.
  const named = (name: string): boolean =>
    tokens.some((t) => t.kind === 'option' && optionOf(t)?.name === name && !t.rawName.startsWith('--no-'));
  const help = named('help') && byName.has('help');
  const version = named('version') && byName.has('version');
  const values = new Map<string, unknown>();
  const raw = new Map<string, string>();
  const positionals: string[] = [];
  if (help || version) return { help, version, values, raw, positionals };

  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    const negated = token.rawName.startsWith('--no-');
    const option = optionOf(token);
    if (option === undefined || (negated && !(option.type === 'boolean' && option.negatable === true)))
      throw new UsageError(unknownFlagMessage(token.rawName, options));
    if (option.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`--${option.name} takes no value`);
      values.set(option.name, !negated);
      raw.set(option.name, token.rawName);
      continue;
    }
    if (token.value === undefined) {
      throw new UsageError(`--${option.name} needs a value: ${allowedOf(option) ?? placeholderOf(option)}`);
    }
    const value = convertValue(option, token.value);
    if (value === undefined) throw new UsageError(badValueMessage(option, token.value));
    values.set(option.name, value);
    raw.set(option.name, token.value);
  }
  return { help, version, values, raw, positionals };
}

/** Options read from environment variables by {@link readEnvironment}. */
export interface EnvironmentValues {
  /** The value of each option set by its variable, by long name. */
  readonly values: ReadonlyMap<string, unknown>;
  /** The text of each variable set, by option name. */
  readonly raw: ReadonlyMap<string, string>;
  /** Variables with the prefix that no option reads and that look like a typo of one that does. */
  readonly warnings: readonly string[];
}

/**
 * Reads the options that have an environment variable (`env`) from `env`. An empty variable counts as
 * unset. Variables that start with `prefix` but that no option reads are ignored, with a warning when they
 * look like a typo of a known one (`TOCK_PROT`: did you mean `TOCK_PORT`?).
 *
 * @param known - more variable names that are read elsewhere (such as the config file's), not typos.
 * @param fail - makes the error for a variable whose value is not allowed (the message names the variable
 *   and what it allows), so that each package raises its own code.
 */
export function readEnvironment(
  options: readonly OptionSpec[],
  env: Readonly<Record<string, string | undefined>>,
  prefix: string,
  fail: (message: string) => Error,
  known: readonly string[] = [],
): EnvironmentValues {
  const values = new Map<string, unknown>();
  const raw = new Map<string, string>();
  for (const option of options) {
    if (option.env === undefined) continue;
    const text = env[option.env];
    if (text === undefined || text === '') continue;
    const value = convertValue(option, text);
    if (value === undefined) throw fail(badValueMessage(option, text, option.env));
    values.set(option.name, value);
    raw.set(option.name, text);
  }
  const names = [...options.flatMap((o) => (o.env === undefined ? [] : [o.env])), ...known];
  const warnings: string[] = [];
  for (const name of Object.keys(env)) {
    if (!name.startsWith(prefix) || names.includes(name)) continue;
    const near = nearest(name, names);
    if (near !== undefined)
      warnings.push(`unknown environment variable ${name} is ignored; did you mean ${near}?`);
  }
  return { values, raw, warnings };
}
