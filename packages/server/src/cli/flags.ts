import { TEXT_FORMATS } from '@tock/protocol';

/** Where a flag's value goes in the server options, and how the text is converted first. */
export interface FlagTarget {
  /** The option path, e.g. `['port']` or `['ntp', 'stratum']`. */
  readonly path: readonly [string] | readonly [string, string];
  /** `integer` values must be written as whole decimal numbers; `string` values are passed as written. */
  readonly kind: 'string' | 'integer';
}

/** One command-line flag of `tockd`. */
export interface Flag {
  /** The long name, without dashes: `--port` is `port`. */
  readonly name: string;
  /** A one-letter alias, without the dash. */
  readonly short?: string;
  /** `string` flags take a value (`--port 5005` or `--port=5005`); `boolean` flags take none. */
  readonly type: 'string' | 'boolean';
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

/**
 * Every flag of `tockd`, declared once. The parser, `--help` and the README's flag table are all generated
 * from this table.
 */
export const FLAGS: readonly Flag[] = [
  {
    name: 'host',
    type: 'string',
    valueName: 'ADDRESS',
    allowed: 'an IP address such as 127.0.0.1, ::1, 0.0.0.0 or ::',
    default: '127.0.0.1',
    description:
      'IP address to listen on. `::` listens on every IPv6 and IPv4 address (dual stack), `0.0.0.0` on every IPv4 address.',
    target: { path: ['host'], kind: 'string' },
  },
  {
    name: 'port',
    type: 'string',
    valueName: 'PORT',
    allowed: 'an integer from 0 to 65535',
    default: '5005',
    description: 'UDP port for all three protocols. 0 picks a free port (the listening line shows which).',
    target: { path: ['port'], kind: 'integer' },
  },
  {
    name: 'format',
    type: 'string',
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
    valueName: 'ZONE',
    allowed: 'an IANA time zone such as UTC or Europe/Paris',
    default: "the machine's zone",
    description: 'Time zone of `ctime` and `iso` replies.',
    target: { path: ['timeZone'], kind: 'string' },
  },
  {
    name: 'stratum',
    type: 'string',
    valueName: 'N',
    allowed: 'an integer from 1 to 15',
    default: '2',
    description: 'NTP stratum announced in replies.',
    target: { path: ['ntp', 'stratum'], kind: 'integer' },
  },
  {
    name: 'reference-id',
    type: 'string',
    valueName: 'ID',
    allowed: '1 to 4 ASCII characters (LOCL, GPS) or an IPv4 address',
    default: 'LOCL',
    description: 'NTP reference id announced in replies.',
    target: { path: ['ntp', 'referenceId'], kind: 'string' },
  },
  {
    name: 'leap',
    type: 'string',
    valueName: 'N',
    allowed: 'an integer from 0 to 3',
    default: '0',
    description:
      'NTP leap indicator: 0 no warning, 1 or 2 a leap second at the end of the day, 3 unsynchronised.',
    target: { path: ['ntp', 'leap'], kind: 'integer' },
  },
  {
    name: 'precision',
    type: 'string',
    valueName: 'N',
    allowed: 'an integer from -32 to 0',
    default: '-20',
    description: 'NTP precision announced in replies, log2 seconds (-20 is about 1 µs).',
    target: { path: ['ntp', 'precision'], kind: 'integer' },
  },
  { name: 'help', short: 'h', type: 'boolean', description: 'Print this help and exit.' },
  { name: 'version', short: 'v', type: 'boolean', description: 'Print the version and exit.' },
];
