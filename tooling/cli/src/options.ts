/**
 * How a value's text is read:
 * - `boolean`: a flag without a value (`--no-NAME` turns it off when `negatable`); in the environment
 *   `true`, `false`, `1`, `0`, `yes`, `no`, `on` or `off`;
 * - `text`: as written;
 * - `choice`: one of `choices`;
 * - `integer`: a whole decimal number, optionally signed;
 * - `number`: a decimal number, fractions allowed (no exponent);
 * - `list`: comma-separated values, or `none` for an empty list.
 *
 * `integer` and `number` are checked against `min` and `max` when given; any type can add its own check
 * (`parse`).
 */
export type OptionType = 'boolean' | 'text' | 'choice' | 'integer' | 'number' | 'list';

/**
 * One option of a command, declared once as data. The parser, `--help`, the README's flag table and the
 * command's `CLI_REFERENCE` (and through it the documentation site) are all generated from a table of these.
 */
export interface OptionSpec {
  /** The long name, without dashes: `--rate-limit` is `rate-limit`. */
  readonly name: string;
  /** A one-letter alias, without the dash. */
  readonly short?: string;
  /** An old one-letter alias still accepted but no longer shown (kept so that scripts keep working). */
  readonly deprecatedShort?: string;
  /** How the value's text is read; `boolean` options take no value. */
  readonly type: OptionType;
  /** The value's placeholder in the help and the docs (`PORT`); defaults to the choices, `a|b|c`, or `VALUE`. */
  readonly placeholder?: string;
  /** The values a `choice` option allows. */
  readonly choices?: readonly string[];
  /** The smallest value an `integer` or `number` option allows. */
  readonly min?: number;
  /** The largest value an `integer` or `number` option allows. */
  readonly max?: number;
  /** What values are allowed, in words; derived from the type, choices and range when absent. */
  readonly allowed?: string;
  /** The value when the option is not given, as documented (in words when it is not one value). */
  readonly default?: string;
  /** What the option does, one or two sentences (Markdown code spans allowed). */
  readonly description: string;
  /** The group `--help`, the README and the reference page list it in. */
  readonly section: string;
  /** The environment variable that sets the same option, if any (`TOCK_PORT`). */
  readonly env?: string;
  /** The key of the config file that sets the same option, if any (`rateLimit.rate`). */
  readonly configKey?: string;
  /** A `boolean` option that `--no-NAME` turns off. */
  readonly negatable?: boolean;
  /** An extra check of the text, after the type's: returns the value, or `undefined` when it is not allowed. */
  readonly parse?: (raw: string) => unknown;
}

/** Whether the option takes a value (`--port 5005`) or is a switch (`--json`). */
export function takesValue(option: OptionSpec): boolean {
  return option.type !== 'boolean';
}

/** The placeholder of the option's value: its own, or `a|b|c` for choices, or `VALUE`. */
export function placeholderOf(option: OptionSpec): string {
  return option.placeholder ?? option.choices?.join('|') ?? 'VALUE';
}

/** What values the option allows, in words: `one of ctime, iso`, `an integer from 0 to 65535`. */
export function allowedOf(option: OptionSpec): string | undefined {
  if (option.allowed !== undefined) return option.allowed;
  switch (option.type) {
    case 'choice':
      return `one of ${(option.choices ?? []).join(', ')}`;
    case 'integer':
    case 'number': {
      const kind = option.type === 'integer' ? 'an integer' : 'a number';
      if (option.min !== undefined && option.max !== undefined)
        return `${kind} from ${option.min} to ${option.max}`;
      if (option.min !== undefined) return `${kind} of at least ${option.min}`;
      if (option.max !== undefined) return `${kind} of at most ${option.max}`;
      return kind;
    }
    case 'list':
      return 'a comma-separated list, or none';
    default:
      return undefined;
  }
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);
const INTEGER = /^[+-]?\d{1,15}$/;
const NUMBER = /^[+-]?(\d{1,15}(\.\d{0,15})?|\.\d{1,15})$/;

/**
 * Reads the text of an option's value (from a flag or an environment variable) by its type, range, choices
 * and own check.
 * @returns the value, or `undefined` when the text is not allowed.
 */
export function convertValue(option: OptionSpec, raw: string): unknown {
  let value: unknown;
  switch (option.type) {
    case 'boolean': {
      const word = raw.trim().toLowerCase();
      value = TRUE.has(word) ? true : FALSE.has(word) ? false : undefined;
      break;
    }
    case 'text':
      value = raw;
      break;
    case 'choice':
      value = option.choices?.includes(raw) ? raw : undefined;
      break;
    case 'integer':
    case 'number': {
      const n = (option.type === 'integer' ? INTEGER : NUMBER).test(raw) ? Number(raw) : undefined;
      const inRange =
        n !== undefined &&
        (option.min === undefined || n >= option.min) &&
        (option.max === undefined || n <= option.max);
      value = inRange ? n : undefined;
      break;
    }
    case 'list': {
      const trimmed = raw.trim();
      const items = trimmed === 'none' ? [] : trimmed.split(',').map((s) => s.trim());
      value = items.some((s) => s === '') ? undefined : items;
      break;
    }
  }
  if (value === undefined || option.parse === undefined) return value;
  return option.parse(typeof value === 'string' ? value : raw);
}

/** A value for a message: quoted as JSON, cut to 40 characters. */
export function quote(text: string): string {
  const q = JSON.stringify(text);
  return q.length > 42 ? `${q.slice(0, 38)}..."` : q;
}

/**
 * The one message for a value that is not allowed, wherever it came from:
 * `--port must be an integer from 0 to 65535, not "x"` (or `TOCK_PORT must be …` for a variable).
 */
export function badValueMessage(option: OptionSpec, raw: string, source = `--${option.name}`): string {
  const allowed = allowedOf(option);
  return `${source} must be ${allowed ?? 'a valid value'}, not ${quote(raw)}`;
}

/** `-h, --help`, the same in every tock command. */
export const HELP_OPTION: OptionSpec = {
  name: 'help',
  short: 'h',
  type: 'boolean',
  section: 'Other',
  description: 'Print this help and exit.',
};

/**
 * `-V, --version`, the same in every tock command. Capital `V`, because `-v` means "verbose" to many
 * programs (curl, ssh, rsync, rdate), a meaning tock may want one day.
 */
export const VERSION_OPTION: OptionSpec = {
  name: 'version',
  short: 'V',
  type: 'boolean',
  section: 'Other',
  description: 'Print the version and exit.',
};
