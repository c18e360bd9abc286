import {
  type ExitStatus,
  exitStatuses,
  HELP_OPTION,
  type OptionSpec,
  type ParsedFlags,
  parseFlags,
  renderHelp as renderHelpPage,
  UsageError,
  VERSION_OPTION,
} from '@tock/cli-kit';
import { isValidTimeZone, type Protocol, TEXT_FORMATS, type TextFormat } from '@tock/protocol';
import packageJson from '../../package.json' with { type: 'json' };
import { CLIENT_ERROR_CODES } from '../errors.ts';
import { QUERY_DEFAULTS, QUERY_LIMITS } from '../query.ts';
import { DEFAULT_PORT } from '../target.ts';

/** The version of `@tock/client`, from its package.json. */
export const VERSION: string = packageJson.version;

/** The options of `tock`, as the program sees them after parsing. */
export interface CliOptions {
  readonly protocol: Protocol;
  readonly port: number | undefined;
  readonly timeout: number;
  readonly retries: number;
  readonly format: TextFormat | undefined;
  readonly timeZone: string | undefined;
  readonly json: boolean;
}

/**
 * Every option of `tock`, declared once: the parser, the value checks, `--help`, the README's flag table
 * and {@link CLI_REFERENCE} are all generated from this table, in this order.
 */
export const FLAGS: readonly OptionSpec[] = [
  {
    name: 'protocol',
    short: 'p',
    type: 'choice',
    choices: ['text', 'json', 'ntp'],
    default: QUERY_DEFAULTS.protocol,
    section: 'Query',
    description: 'Protocol: a plain-text daytime line, the tock JSON envelope, or NTP.',
  },
  {
    name: 'port',
    type: 'integer',
    min: 1,
    max: 65_535,
    default: `${DEFAULT_PORT}, tockd's port, for every protocol`,
    placeholder: 'PORT',
    section: 'Query',
    description: 'UDP port when HOST has none.',
  },
  {
    name: 'timeout',
    short: 't',
    type: 'number',
    min: 1,
    max: QUERY_LIMITS.maxTimeout,
    default: String(QUERY_DEFAULTS.timeout),
    placeholder: 'MS',
    section: 'Query',
    description: 'Milliseconds to wait for the first reply; each retry waits twice as long.',
  },
  {
    name: 'retries',
    short: 'r',
    type: 'integer',
    min: 0,
    max: QUERY_LIMITS.maxRetries,
    default: String(QUERY_DEFAULTS.retries),
    placeholder: 'N',
    section: 'Query',
    description: 'Requests to send again when one goes unanswered.',
  },
  {
    name: 'format',
    short: 'f',
    type: 'choice',
    choices: TEXT_FORMATS,
    default: "the server's",
    section: 'Query',
    description: 'Text and json: ask for this time format (tockd honours it).',
  },
  {
    name: 'time-zone',
    short: 'z',
    type: 'text',
    parse: (raw) => (isValidTimeZone(raw) ? raw : undefined),
    allowed: 'an IANA time zone such as UTC or Europe/Paris',
    default: "this machine's zone",
    placeholder: 'ZONE',
    section: 'Query',
    description: "IANA zone of the server's ctime lines, also used to show times.",
  },
  {
    name: 'json',
    short: 'j',
    type: 'boolean',
    section: 'Output',
    description: 'Print one JSON object instead of a line (a failure too, as `{"error": …}`).',
  },
  HELP_OPTION,
  VERSION_OPTION,
];

/** What the command line asks for. */
export type CommandLine =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly target: string; readonly options: CliOptions };

function optionsOf(parsed: ParsedFlags): CliOptions {
  const get = <T>(name: string): T | undefined => parsed.values.get(name) as T | undefined;
  return {
    protocol: get<Protocol>('protocol') ?? QUERY_DEFAULTS.protocol,
    port: get<number>('port'),
    timeout: get<number>('timeout') ?? QUERY_DEFAULTS.timeout,
    retries: get<number>('retries') ?? QUERY_DEFAULTS.retries,
    format: get<TextFormat>('format'),
    timeZone: get<string>('time-zone'),
    json: get<boolean>('json') ?? false,
  };
}

/**
 * Reads `tock`'s arguments (without `node` and the script). `--help` and `--version` win over anything else.
 * @throws UsageError naming the flag or argument at fault.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const parsed = parseFlags(FLAGS, argv);
  if (parsed.help) return { kind: 'help' };
  if (parsed.version) return { kind: 'version' };
  const [target, ...rest] = parsed.positionals;
  if (target === undefined) throw new UsageError('missing HOST (e.g. tock 127.0.0.1:5005)');
  if (rest.length > 0) throw new UsageError(`one HOST only; unexpected ${JSON.stringify(rest[0])}`);
  return { kind: 'run', target, options: optionsOf(parsed) };
}

/** Every exit status of `tock`, from {@link CLIENT_ERROR_CODES}. */
export const EXIT_STATUSES: readonly ExitStatus[] = exitStatuses(
  'tock',
  CLIENT_ERROR_CODES,
  'The server answered.',
);

/** How `tock` is invoked. */
export const USAGE = 'tock [flags] HOST[:PORT]';

/** What `tock` does, one paragraph. */
export const SUMMARY =
  'Asks a time server for its time over UDP and prints it, with the clock offset and the round-trip delay (json and ntp). HOST is a name or an address; an IPv6 address with a port is written [::1]:5005. Works with tockd (every protocol), NTP servers such as chronyd (ntp) and daytime servers (text).';

/** The `--help` text, generated from {@link FLAGS} and {@link EXIT_STATUSES}. */
export function renderHelp(version: string = VERSION): string {
  return renderHelpPage({
    command: 'tock',
    version,
    summary: SUMMARY,
    usages: [{ usage: USAGE }],
    options: FLAGS,
    notes: [
      'Without --json a failure is one line on stderr, `tock: MESSAGE [CODE]`; with --json it is one JSON object on stdout. Usage errors are always lines on stderr.',
    ],
    exitStatuses: EXIT_STATUSES,
    examples: [
      { command: 'tock 127.0.0.1', what: 'NTP to tockd on 127.0.0.1:5005' },
      { command: 'tock --protocol json --json ::1', what: 'tock JSON over IPv6, result as JSON' },
      { command: 'tock --protocol text 127.0.0.1:8888', what: 'a plain-text daytime server' },
      { command: 'tock 127.0.0.1:123', what: 'a standard NTP server (chronyd, ntpd)' },
    ],
  });
}
