import { TEXT_FORMATS } from '@tock/protocol';
import { IO_MODES, LOG_LEVELS } from '../options.ts';

/**
 * How a flag's (or environment variable's) text becomes an option value:
 * - `string`: as written;
 * - `integer`: a whole decimal number;
 * - `number`: a decimal number, fractions allowed;
 * - `boolean`: a flag without value (`--no-NAME` turns it off); in the environment `true`, `false`, `1`,
 *   `0`, `yes`, `no`, `on` or `off`;
 * - `list`: comma-separated values, or `none` for an empty list;
 * - `workers`: an integer, or `auto`.
 */
export type FlagKind = 'string' | 'integer' | 'number' | 'boolean' | 'list' | 'workers';

/** Where a flag's value goes in the server options, and how the text is converted first. */
export interface FlagTarget {
  /** The option path, e.g. `['port']` or `['ntp', 'stratum']`: also the key in a `--config` file. */
  readonly path: readonly [string] | readonly [string, string];
  readonly kind: FlagKind;
}

/** The groups `--help` lists flags in. */
export type FlagSection = 'Listening' | 'Replies' | 'Clock' | 'Safety' | 'Observability' | 'Configuration';

/** One command-line flag of `tockd`. */
export interface Flag {
  /** The long name, without dashes: `--port` is `port`. Its environment variable is `TOCK_PORT`. */
  readonly name: string;
  /** A one-letter alias, without the dash. */
  readonly short?: string;
  /** `string` flags take a value (`--port 5005` or `--port=5005`); `boolean` flags take none. */
  readonly type: 'string' | 'boolean';
  readonly section: FlagSection;
  /** The value's placeholder in the help text. */
  readonly valueName?: string;
  /** What values are allowed, in words; error messages quote it. */
  readonly allowed?: string;
  /** The default, as documented (the options schema applies it; a test checks the two agree). */
  readonly default?: string;
  /** What the flag does, one or two sentences (Markdown code spans allowed). */
  readonly description: string;
  /** For flags that set a server option. */
  readonly target?: FlagTarget;
}

const IP_ALLOWED = 'an IP address such as 127.0.0.1, ::1, 0.0.0.0 or ::';

/**
 * Every flag of `tockd`, declared once. The parser, the environment variables, the `--config` keys,
 * `--help` and the README's flag table are all generated from this table.
 */
export const FLAGS: readonly Flag[] = [
  {
    name: 'host',
    type: 'string',
    section: 'Listening',
    valueName: 'ADDRESS',
    allowed: IP_ALLOWED,
    default: '127.0.0.1',
    description:
      'IP address to listen on. `::` listens on every IPv6 and IPv4 address (dual stack), `0.0.0.0` on every IPv4 address.',
    target: { path: ['host'], kind: 'string' },
  },
  {
    name: 'port',
    type: 'string',
    section: 'Listening',
    valueName: 'PORT',
    allowed: 'an integer from 0 to 65535',
    default: '5005',
    description: 'UDP port for all three protocols. 0 picks a free port (the listening event shows which).',
    target: { path: ['port'], kind: 'integer' },
  },
  {
    name: 'workers',
    type: 'string',
    section: 'Listening',
    valueName: 'N',
    allowed: 'an integer from 1 to 256, or auto (one per core)',
    default: '1',
    description:
      'Worker threads, each with its own socket on the port (`SO_REUSEPORT`, Linux and FreeBSD): the kernel spreads clients over them. Elsewhere tockd runs 1 and logs why.',
    target: { path: ['workers'], kind: 'workers' },
  },
  {
    name: 'io',
    type: 'string',
    section: 'Listening',
    valueName: 'MODE',
    allowed: `one of ${IO_MODES.join(', ')}`,
    default: 'batched',
    description:
      'How datagrams move: `batched` takes and sends them in batches (`recvmmsg`/`sendmmsg`, a native addon, Linux) with kernel receive timestamps; `dgram` uses `node:dgram`, one callback per datagram. Where the addon does not load, tockd uses `dgram` and logs why.',
    target: { path: ['io'], kind: 'string' },
  },
  {
    name: 'format',
    type: 'string',
    section: 'Replies',
    valueName: 'FORMAT',
    allowed: `one of ${TEXT_FORMATS.join(', ')}`,
    default: 'ctime',
    description:
      'Default format of text replies and of the JSON `time` field: `ctime` (`Tue Mar 13 12:54:58 2018`), `iso`, `unix` or `unix-ms`.',
    target: { path: ['textFormat'], kind: 'string' },
  },
  {
    name: 'time-zone',
    type: 'string',
    section: 'Replies',
    valueName: 'ZONE',
    allowed: 'an IANA time zone such as UTC or Europe/Paris',
    default: "the machine's zone",
    description: 'Time zone of `ctime` and `iso` replies.',
    target: { path: ['timeZone'], kind: 'string' },
  },
  {
    name: 'stratum',
    type: 'string',
    section: 'Replies',
    valueName: 'N',
    allowed: 'an integer from 1 to 15',
    default: '2',
    description: 'NTP stratum announced in replies.',
    target: { path: ['ntp', 'stratum'], kind: 'integer' },
  },
  {
    name: 'reference-id',
    type: 'string',
    section: 'Replies',
    valueName: 'ID',
    allowed: '1 to 4 ASCII characters (LOCL, GPS) or an IPv4 address',
    default: 'LOCL',
    description: 'NTP reference id announced in replies.',
    target: { path: ['ntp', 'referenceId'], kind: 'string' },
  },
  {
    name: 'leap',
    type: 'string',
    section: 'Replies',
    valueName: 'N',
    allowed: 'an integer from 0 to 3',
    default: '0',
    description:
      'NTP leap indicator: 0 no warning, 1 or 2 a leap second at the end of the day, 3 unsynchronised. Set it to see how clients take a leap second or an unsynchronised server.',
    target: { path: ['ntp', 'leap'], kind: 'integer' },
  },
  {
    name: 'precision',
    type: 'string',
    section: 'Replies',
    valueName: 'N',
    allowed: 'an integer from -32 to 0',
    default: '-20',
    description: 'NTP precision announced in replies, log2 seconds (-20 is about 1 µs).',
    target: { path: ['ntp', 'precision'], kind: 'integer' },
  },
  {
    name: 'clock-offset',
    type: 'string',
    section: 'Clock',
    valueName: 'DURATION',
    allowed: 'a duration such as 500ms, 90s, 1h or -2d (at most 100 years)',
    default: '0s',
    description:
      'Serve a clock this far ahead (or behind, when negative) of the true one, in every protocol: for testing how clients handle a wrong server.',
    target: { path: ['clockOffset'], kind: 'string' },
  },
  {
    name: 'clock-rate',
    type: 'string',
    section: 'Clock',
    valueName: 'PPM',
    allowed: 'a number of parts per million from -500000 to 500000',
    default: '0',
    description:
      'Serve a clock that runs this much fast (or slow, when negative) from the moment tockd starts: for testing how clients track a drifting server.',
    target: { path: ['clockRate'], kind: 'number' },
  },
  {
    name: 'rate-limit',
    type: 'string',
    section: 'Safety',
    valueName: 'N',
    allowed: 'a number from 0 (no limit) to 1000000',
    default: '16',
    description:
      "Replies per second each source (an IPv4 address or an IPv6 /64) may get on average. Over it, requests are dropped; NTP clients get a RATE Kiss-o'-Death at most once a second. A few still get answered at random (the leak) so that a forged flood cannot silence its victim.",
    target: { path: ['rateLimit', 'rate'], kind: 'number' },
  },
  {
    name: 'rate-burst',
    type: 'string',
    section: 'Safety',
    valueName: 'N',
    allowed: 'an integer from 1 to 1000000',
    default: '32',
    description: 'Replies a source may get in a burst above `--rate-limit`.',
    target: { path: ['rateLimit', 'burst'], kind: 'integer' },
  },
  {
    name: 'rate-limit-table',
    type: 'string',
    section: 'Safety',
    valueName: 'N',
    allowed: 'an integer from 1 to 16777216',
    default: '65536',
    description:
      'The most sources tracked at once (40 bytes each, allocated at start): memory stays bounded however many sources appear; the least recently seen is forgotten first.',
    target: { path: ['rateLimit', 'table'], kind: 'integer' },
  },
  {
    name: 'rate-limit-exempt',
    type: 'string',
    section: 'Safety',
    valueName: 'LIST',
    allowed: 'a comma-separated list of addresses or CIDR ranges such as 10.0.0.0/8,2001:db8::/32, or none',
    default: '127.0.0.0/8,::1/128',
    description: 'Sources never rate-limited (and not tracked). `none` limits every source, loopback too.',
    target: { path: ['rateLimit', 'exempt'], kind: 'list' },
  },
  {
    name: 'strict-size',
    type: 'boolean',
    section: 'Safety',
    allowed: 'true or false',
    default: 'off',
    description:
      'Answer only requests at least as large as their reply, in every protocol, so that tockd can never amplify a forged request. Plain lab clients and short hand-written JSON requests then get no answer. `--no-strict-size` turns it off.',
    target: { path: ['strictSize'], kind: 'boolean' },
  },
  {
    name: 'metrics-port',
    type: 'string',
    section: 'Observability',
    valueName: 'PORT',
    allowed: 'an integer from 0 to 65535',
    default: 'none',
    description:
      'TCP port of the HTTP endpoint: `GET /metrics` (Prometheus text format) and `GET /healthz`. None by default; 0 picks a free port.',
    target: { path: ['metrics', 'port'], kind: 'integer' },
  },
  {
    name: 'metrics-host',
    type: 'string',
    section: 'Observability',
    valueName: 'ADDRESS',
    allowed: IP_ALLOWED,
    default: '127.0.0.1',
    description: 'IP address of the metrics endpoint.',
    target: { path: ['metrics', 'host'], kind: 'string' },
  },
  {
    name: 'log-level',
    type: 'string',
    section: 'Observability',
    valueName: 'LEVEL',
    allowed: `one of ${LOG_LEVELS.join(', ')}`,
    default: 'info',
    description: 'The most detailed events logged (one JSON line each, on stdout). Never one per request.',
    target: { path: ['logLevel'], kind: 'string' },
  },
  {
    name: 'config',
    type: 'string',
    section: 'Configuration',
    valueName: 'FILE',
    allowed: 'the path of a JSON file',
    description:
      'Read options from a JSON file (keys as in the Config key column). Environment variables override it, flags override both.',
  },
  {
    name: 'help',
    short: 'h',
    type: 'boolean',
    section: 'Configuration',
    description: 'Print this help and exit.',
  },
  {
    name: 'version',
    short: 'v',
    type: 'boolean',
    section: 'Configuration',
    description: 'Print the version and exit.',
  },
];

/** The environment variable of a flag: `TOCK_` and its name in capitals, `-` as `_` (`TOCK_RATE_LIMIT`). */
export function envName(flag: Flag): string {
  return `TOCK_${flag.name.toUpperCase().replaceAll('-', '_')}`;
}

/** The key of a flag in a `--config` file: its option path, dotted for display (`rateLimit.rate`). */
export function configKey(flag: Flag): string | undefined {
  return flag.target?.path.join('.');
}

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

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/**
 * Converts the text of a flag or environment variable to the value its option takes, by the target's
 * {@link FlagKind}. Only checks the form: the options schema checks ranges.
 * @returns `undefined` when the text does not have the right form.
 */
export function convertValue(kind: FlagKind, raw: string): unknown {
  switch (kind) {
    case 'string':
      return raw;
    case 'integer':
      return /^[+-]?\d{1,10}$/.test(raw) ? Number(raw) : undefined;
    case 'number':
      return /^[+-]?(\d{1,10}(\.\d{0,9})?|\.\d{1,9})$/.test(raw) ? Number(raw) : undefined;
    case 'boolean': {
      const word = raw.trim().toLowerCase();
      return TRUE.has(word) ? true : FALSE.has(word) ? false : undefined;
    }
    case 'list': {
      const trimmed = raw.trim();
      if (trimmed === 'none') return [];
      const items = trimmed.split(',').map((s) => s.trim());
      return items.some((s) => s === '') ? undefined : items;
    }
    case 'workers':
      return raw === 'auto' ? 'auto' : /^\d{1,4}$/.test(raw) ? Number(raw) : undefined;
  }
}
