import { HELP_OPTION, type OptionSpec, VERSION_OPTION } from '@tock/cli-kit';
import { TEXT_FORMATS } from '@tock/protocol';
import { IO_MODES, LOG_LEVELS } from '../options.ts';

/** The groups `--help` lists flags in. */
export type FlagSection =
  | 'Listening'
  | 'Replies'
  | 'Clock'
  | 'Safety'
  | 'Observability'
  | 'Configuration'
  | 'Other';

/**
 * One command-line flag of `tockd`: an option of the cli kit, with where its value goes in the server
 * options. Its environment variable is `TOCK_` and its name in capitals (`TOCK_RATE_LIMIT`); its key in a
 * `--config` file is its option path, dotted (`rateLimit.rate`).
 */
export interface Flag extends OptionSpec {
  /** The option path, e.g. `['port']` or `['ntp', 'stratum']`, for flags that set a server option. */
  readonly path?: readonly [string] | readonly [string, string];
}

const IP_ALLOWED = 'an IP address such as 127.0.0.1, ::1, 0.0.0.0 or ::';

/** The flags as declared; {@link FLAGS} adds each one's environment variable and config key. */
const DECLARED: readonly Flag[] = [
  {
    name: 'host',
    section: 'Listening',
    placeholder: 'ADDRESS',
    allowed: IP_ALLOWED,
    default: '127.0.0.1',
    description:
      'IP address to listen on. `::` listens on every IPv6 and IPv4 address (dual stack), `0.0.0.0` on every IPv4 address.',
    type: 'text',
    path: ['host'],
  },
  {
    name: 'port',
    section: 'Listening',
    placeholder: 'PORT',
    allowed: 'an integer from 0 to 65535',
    default: '5005',
    description: 'UDP port for all three protocols. 0 picks a free port (the listening event shows which).',
    type: 'integer',
    path: ['port'],
  },
  {
    name: 'workers',
    section: 'Listening',
    placeholder: 'N',
    allowed: 'an integer from 1 to 256, or auto (one per core)',
    default: '1',
    description:
      'Worker threads, each with its own socket on the port (`SO_REUSEPORT`, Linux and FreeBSD): the kernel spreads clients over them. Elsewhere tockd runs 1 and logs why.',
    type: 'text',
    parse: (raw: string) => (raw === 'auto' ? 'auto' : /^\d{1,4}$/.test(raw) ? Number(raw) : undefined),
    path: ['workers'],
  },
  {
    name: 'io',
    section: 'Listening',
    placeholder: 'MODE',
    allowed: `one of ${IO_MODES.join(', ')}`,
    default: 'batched',
    description:
      'How datagrams move: `batched` takes and sends them in batches (`recvmmsg`/`sendmmsg`, a native addon, Linux) with kernel receive timestamps; `dgram` uses `node:dgram`, one callback per datagram. Where the addon does not load, tockd uses `dgram` and logs why.',
    type: 'choice',
    choices: IO_MODES,
    path: ['io'],
  },
  {
    name: 'format',
    section: 'Replies',
    placeholder: 'FORMAT',
    allowed: `one of ${TEXT_FORMATS.join(', ')}`,
    default: 'ctime',
    description:
      'Default format of text replies and of the JSON `time` field: `ctime` (`Tue Mar 13 12:54:58 2018`), `iso`, `unix` or `unix-ms`.',
    type: 'choice',
    choices: TEXT_FORMATS,
    path: ['textFormat'],
  },
  {
    name: 'time-zone',
    section: 'Replies',
    placeholder: 'ZONE',
    allowed: 'an IANA time zone such as UTC or Europe/Paris',
    default: "the machine's zone",
    description: 'Time zone of `ctime` and `iso` replies.',
    type: 'text',
    path: ['timeZone'],
  },
  {
    name: 'stratum',
    section: 'Replies',
    placeholder: 'N',
    allowed: 'an integer from 1 to 15',
    default: '2',
    description: 'NTP stratum announced in replies.',
    type: 'integer',
    path: ['ntp', 'stratum'],
  },
  {
    name: 'reference-id',
    section: 'Replies',
    placeholder: 'ID',
    allowed: '1 to 4 ASCII characters (LOCL, GPS) or an IPv4 address',
    default: 'LOCL',
    description: 'NTP reference id announced in replies.',
    type: 'text',
    path: ['ntp', 'referenceId'],
  },
  {
    name: 'leap',
    section: 'Replies',
    placeholder: 'N',
    allowed: 'an integer from 0 to 3',
    default: '0',
    description:
      'NTP leap indicator: 0 no warning, 1 or 2 a leap second at the end of the day, 3 unsynchronised. Set it to see how clients take a leap second or an unsynchronised server.',
    type: 'integer',
    path: ['ntp', 'leap'],
  },
  {
    name: 'precision',
    section: 'Replies',
    placeholder: 'N',
    allowed: 'an integer from -32 to 0',
    default: '-20',
    description: 'NTP precision announced in replies, log2 seconds (-20 is about 1 µs).',
    type: 'integer',
    path: ['ntp', 'precision'],
  },
  {
    name: 'clock-offset',
    section: 'Clock',
    placeholder: 'DURATION',
    allowed: 'a duration such as 500ms, 90s, 1h or -2d (at most 100 years)',
    default: '0s',
    description:
      'Serve a clock this far ahead (or behind, when negative) of the true one, in every protocol: for testing how clients handle a wrong server.',
    type: 'text',
    path: ['clockOffset'],
  },
  {
    name: 'clock-rate',
    section: 'Clock',
    placeholder: 'PPM',
    allowed: 'a number of parts per million from -500000 to 500000',
    default: '0',
    description:
      'Serve a clock that runs this much fast (or slow, when negative) from the moment tockd starts: for testing how clients track a drifting server.',
    type: 'number',
    path: ['clockRate'],
  },
  {
    name: 'rate-limit',
    section: 'Safety',
    placeholder: 'N',
    allowed: 'a number from 0 (no limit) to 1000000',
    default: '16',
    description:
      "Replies per second each source (an IPv4 address or an IPv6 /64) may get on average. Over it, requests are dropped; NTP clients get a RATE Kiss-o'-Death at most once a second. A few still get answered at random (the leak) so that a forged flood cannot silence its victim.",
    type: 'number',
    path: ['rateLimit', 'rate'],
  },
  {
    name: 'rate-burst',
    section: 'Safety',
    placeholder: 'N',
    allowed: 'an integer from 1 to 1000000',
    default: '32',
    description: 'Replies a source may get in a burst above `--rate-limit`.',
    type: 'integer',
    path: ['rateLimit', 'burst'],
  },
  {
    name: 'rate-limit-table',
    section: 'Safety',
    placeholder: 'N',
    allowed: 'an integer from 1 to 16777216',
    default: '65536',
    description:
      'The most sources tracked at once (40 bytes each, allocated at start): memory stays bounded however many sources appear; the least recently seen is forgotten first.',
    type: 'integer',
    path: ['rateLimit', 'table'],
  },
  {
    name: 'rate-limit-exempt',
    section: 'Safety',
    placeholder: 'LIST',
    allowed: 'a comma-separated list of addresses or CIDR ranges such as 10.0.0.0/8,2001:db8::/32, or none',
    default: '127.0.0.0/8,::1/128',
    description: 'Sources never rate-limited (and not tracked). `none` limits every source, loopback too.',
    type: 'list',
    path: ['rateLimit', 'exempt'],
  },
  {
    name: 'strict-size',
    section: 'Safety',
    allowed: 'true or false',
    default: 'off',
    description:
      'Answer only requests at least as large as their reply, in every protocol, so that tockd can never amplify a forged request. Plain lab clients and short hand-written JSON requests then get no answer. `--no-strict-size` turns it off.',
    type: 'boolean',
    negatable: true,
    path: ['strictSize'],
  },
  {
    name: 'metrics-port',
    section: 'Observability',
    placeholder: 'PORT',
    allowed: 'an integer from 0 to 65535',
    default: 'none',
    description:
      'TCP port of the HTTP endpoint: `GET /metrics` (Prometheus text format) and `GET /healthz`. None by default; 0 picks a free port.',
    type: 'integer',
    path: ['metrics', 'port'],
  },
  {
    name: 'metrics-host',
    section: 'Observability',
    placeholder: 'ADDRESS',
    allowed: IP_ALLOWED,
    default: '127.0.0.1',
    description: 'IP address of the metrics endpoint.',
    type: 'text',
    path: ['metrics', 'host'],
  },
  {
    name: 'log-level',
    section: 'Observability',
    placeholder: 'LEVEL',
    allowed: `one of ${LOG_LEVELS.join(', ')}`,
    default: 'info',
    description: 'The most detailed events logged (one JSON line each, on stdout). Never one per request.',
    type: 'choice',
    choices: LOG_LEVELS,
    path: ['logLevel'],
  },
  {
    name: 'config',
    type: 'text',
    section: 'Configuration',
    placeholder: 'FILE',
    allowed: 'the path of a JSON file',
    description:
      'Read options from a JSON file (keys as in the Config key column). Environment variables override it, flags override both.',
  },
  HELP_OPTION,
  // -v was the short form until the CLIs agreed on -V; still accepted, no longer shown.
  { ...VERSION_OPTION, deprecatedShort: 'v' },
];

/** The environment variable of a flag: `TOCK_` and its name in capitals, `-` as `_` (`TOCK_RATE_LIMIT`). */
export function envName(flag: Pick<Flag, 'name'>): string {
  return `TOCK_${flag.name.toUpperCase().replaceAll('-', '_')}`;
}

/**
 * Every flag of `tockd`, declared once. The parser, the environment variables, the `--config` keys,
 * `--help`, the README's flag table and `CLI_REFERENCE` are all generated from this table.
 */
export const FLAGS: readonly Flag[] = DECLARED.map((f) => ({
  ...f,
  ...(f.path !== undefined || f.name === 'config' ? { env: envName(f) } : {}),
  ...(f.path === undefined ? {} : { configKey: f.path.join('.') }),
}));

/**
 * Options that only a `--config` file sets (no flag), with what they allow: for error messages and the
 * README.
 */
export const CONFIG_ONLY_KEYS: ReadonlyArray<{
  readonly key: string;
  readonly allowed: string;
  readonly description: string;
}> = [
  {
    key: 'ntp.rootDelay',
    allowed: 'a number of seconds from 0 to 65535',
    description: 'NTP root delay announced in replies (default 0).',
  },
  {
    key: 'ntp.rootDispersion',
    allowed: 'a number of seconds from 0 to 65535',
    description: 'NTP root dispersion announced in replies (default 0.001).',
  },
];
