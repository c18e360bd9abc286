import { parseArgs } from 'node:util';
import { type Protocol, TEXT_FORMATS, type TextFormat } from '@tock/protocol';
import { QUERY_DEFAULTS, QUERY_LIMITS } from '../query.ts';
import { DEFAULT_PORT } from '../target.ts';

/** The options of `tock`, as the program sees them after parsing. */
export interface CliOptions {
  readonly protocol: Protocol;
  readonly port: number | undefined;
  readonly timeout: number;
  readonly retries: number;
  readonly format: TextFormat | undefined;
  readonly timeZone: string | undefined;
  readonly json: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

type Kind<T> = T extends undefined
  ? never
  : T extends boolean
    ? 'boolean'
    : T extends number
      ? 'integer' | 'number'
      : 'string';

/** How one option is spelled, read, checked and documented. */
export interface FlagSpec<T> {
  /** The long flag, without `--`. */
  readonly flag: string;
  /** The one-letter flag, without `-`. */
  readonly short?: string;
  /** How the value is read: a switch, an integer, a number, or a string (from `choices` when given). */
  readonly type: Kind<T>;
  /** The allowed values of a string option. */
  readonly choices?: readonly NonNullable<T>[];
  /** Smallest allowed number. */
  readonly min?: number;
  /** Largest allowed number. */
  readonly max?: number;
  /** The value when the flag is absent. */
  readonly default?: NonNullable<T>;
  /** How the help describes the default when it is not a fixed value. */
  readonly defaultText?: string;
  /** The value's name in the help (`MS`, `N`). */
  readonly placeholder?: string;
  /** One line for the help. */
  readonly description: string;
}

/**
 * Every option of `tock`, once: the parser (`node:util` parseArgs), the value checks and the `--help` text
 * (and through it the README) are all generated from this table, in this order.
 */
export const FLAGS: { readonly [K in keyof CliOptions]-?: FlagSpec<CliOptions[K]> } = {
  protocol: {
    flag: 'protocol',
    short: 'p',
    type: 'string',
    choices: ['text', 'json', 'ntp'],
    default: QUERY_DEFAULTS.protocol,
    placeholder: 'NAME',
    description: 'protocol: plain-text daytime line, tock JSON envelope, or NTP',
  },
  port: {
    flag: 'port',
    type: 'integer',
    min: 1,
    max: 65_535,
    defaultText: `${DEFAULT_PORT}, tockd's port, for every protocol`,
    placeholder: 'PORT',
    description: 'UDP port when HOST has none',
  },
  timeout: {
    flag: 'timeout',
    short: 't',
    type: 'number',
    min: 1,
    max: QUERY_LIMITS.maxTimeout,
    default: QUERY_DEFAULTS.timeout,
    placeholder: 'MS',
    description: 'milliseconds to wait for the first reply; each retry waits twice as long',
  },
  retries: {
    flag: 'retries',
    short: 'r',
    type: 'integer',
    min: 0,
    max: QUERY_LIMITS.maxRetries,
    default: QUERY_DEFAULTS.retries,
    placeholder: 'N',
    description: 'requests to send again when one goes unanswered',
  },
  format: {
    flag: 'format',
    short: 'f',
    type: 'string',
    choices: TEXT_FORMATS,
    defaultText: "the server's",
    placeholder: 'FORMAT',
    description: 'text and json: ask for this time format (tockd honours it)',
  },
  timeZone: {
    flag: 'time-zone',
    short: 'z',
    type: 'string',
    defaultText: "this machine's zone",
    placeholder: 'ZONE',
    description: "IANA zone of the server's ctime lines, also used to show times",
  },
  json: { flag: 'json', short: 'j', type: 'boolean', description: 'print one JSON object instead of a line' },
  help: { flag: 'help', short: 'h', type: 'boolean', description: 'show this help and exit' },
  version: { flag: 'version', short: 'V', type: 'boolean', description: 'print the version and exit' },
};

type AnySpec = FlagSpec<string | number | boolean | undefined>;

const FLAG_ENTRIES = Object.entries(FLAGS) as [keyof CliOptions, AnySpec][];

/** What the command line asks for. */
export type CommandLine =
  | { readonly kind: 'run'; readonly target: string | undefined; readonly options: CliOptions }
  | { readonly kind: 'error'; readonly message: string };

/** Parses `tock`'s arguments (without `node` and the script). Never throws. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [, spec] of FLAG_ENTRIES) {
    config[spec.flag] =
      spec.short === undefined
        ? { type: spec.type === 'boolean' ? 'boolean' : 'string' }
        : { type: spec.type === 'boolean' ? 'boolean' : 'string', short: spec.short };
  }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: config, allowPositionals: true, strict: true });
  } catch (error) {
    return { kind: 'error', message: describeParseError(error) };
  }
  const options: Record<string, unknown> = {};
  for (const [key, spec] of FLAG_ENTRIES) {
    const raw = parsed.values[spec.flag];
    const value = raw === undefined ? undefined : readValue(spec, raw);
    if (typeof value === 'object') return { kind: 'error', message: value.error };
    options[key] = value ?? spec.default ?? (spec.type === 'boolean' ? false : undefined);
  }
  const cli = options as unknown as CliOptions;
  if (parsed.positionals.length > 1) {
    return {
      kind: 'error',
      message: `expected one HOST, got ${parsed.positionals.length}: ${parsed.positionals.join(' ')}`,
    };
  }
  const target = parsed.positionals[0];
  if (target === undefined && !cli.help && !cli.version) return { kind: 'error', message: 'missing HOST' };
  return { kind: 'run', target, options: cli };
}

function readValue(spec: AnySpec, raw: string | boolean): string | number | boolean | { error: string } {
  if (typeof raw === 'boolean') return raw;
  const name = `--${spec.flag}`;
  if (spec.type === 'integer' || spec.type === 'number') {
    const pattern = spec.type === 'integer' ? /^-?\d+$/ : /^-?(?:\d+\.?\d*|\.\d+)$/;
    const n = pattern.test(raw) ? Number(raw) : Number.NaN;
    const range = `${spec.min ?? '-∞'} to ${spec.max ?? '∞'}`;
    if (Number.isNaN(n))
      return {
        error: `${name} takes ${spec.type === 'integer' ? 'an integer' : 'a number'} (${range}), not "${raw}"`,
      };
    if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
      return { error: `${name} must be from ${range}, not ${raw}` };
    }
    return n;
  }
  if (spec.choices !== undefined && !spec.choices.includes(raw)) {
    return { error: `${name} must be one of ${spec.choices.join(', ')}, not "${raw}"` };
  }
  return raw;
}

function describeParseError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  const option = /'([^']+)'/.exec(message)?.[1]?.replace(/ <value>$/, '');
  if (option === undefined) return message;
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option}`;
  if (message.includes('does not take an argument')) return `option ${option} takes no value`;
  if (message.includes('ambiguous'))
    return `option ${option} needs a value (write ${option}=-X for one starting with -)`;
  if (message.includes('argument missing')) return `option ${option} needs a value`;
  return message;
}

/** The exit statuses of `tock`. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** What each exit status means, for the help (and through it the README). */
export const EXIT_STATUSES: readonly { readonly status: number; readonly meaning: string }[] = [
  { status: EXIT.ok, meaning: 'the server answered' },
  {
    status: EXIT.failed,
    meaning: "the query failed: no reply, unusable reply, Kiss-o'-Death, server error, network error",
  },
  { status: EXIT.usage, meaning: 'usage error: unknown option, bad value, bad HOST[:PORT]' },
  { status: EXIT.interrupted, meaning: 'interrupted (Ctrl-C)' },
];

/** How `tock` is invoked: the help's first line and the CLI reference's synopsis. */
export const USAGE = 'tock [options] HOST[:PORT]';

/** What `tock` does, as the help prints it (one paragraph, wrapped for a terminal). */
export const SUMMARY_LINES: readonly string[] = [
  'Asks a time server for its time over UDP and prints it, with the clock offset and the round-trip',
  'delay (json and ntp). HOST is a name or an address; an IPv6 address with a port is written [::1]:5005.',
  'Works with tockd (every protocol), NTP servers such as chronyd (ntp) and daytime servers (text).',
];

/** The `--help` text, generated from {@link FLAGS} and {@link EXIT_STATUSES}. */
export function renderHelp(): string {
  const rows = FLAG_ENTRIES.map(([, spec]) => {
    const placeholder = spec.choices === undefined ? (spec.placeholder ?? 'VALUE') : spec.choices.join('|');
    const value = spec.type === 'boolean' ? '' : ` ${placeholder}`;
    const left = `${spec.short === undefined ? '    ' : `-${spec.short}, `}--${spec.flag}${value}`;
    const fallback =
      spec.default !== undefined && spec.type !== 'boolean' ? String(spec.default) : spec.defaultText;
    return { left, right: `${spec.description}${fallback === undefined ? '' : ` (default: ${fallback})`}` };
  });
  const lines = [
    `Usage: ${USAGE}`,
    '',
    ...SUMMARY_LINES,
    '',
    'Options:',
    ...rows.flatMap((r) => [`  ${r.left}`, `        ${r.right}`]),
    '',
    'Exit status:',
    ...EXIT_STATUSES.map((e) => `  ${String(e.status).padEnd(5)}${e.meaning}`),
    '',
    'Examples:',
    '  tock 127.0.0.1                         NTP to tockd on 127.0.0.1:5005',
    '  tock --protocol json --json ::1        tock JSON over IPv6, result as JSON',
    '  tock --protocol text 127.0.0.1:8888    a plain-text daytime server',
    '  tock 127.0.0.1:123                     a standard NTP server (chronyd, ntpd)',
  ];
  return `${lines.join('\n')}\n`;
}
