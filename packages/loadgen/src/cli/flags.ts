import { IO_NAMES } from '../io/types.ts';
import { PROTOCOLS } from '../protocols/index.ts';

/** Sections of `--help` and of the README's flag table. */
export type FlagGroup = 'Load' | 'Open loop and ramp' | 'Validation' | 'Output and gate' | 'Other';

/** Where a flag's value goes in `RunOptions` (`undefined` for output and gate flags). */
export type OptionPath = readonly [string] | readonly ['ramp', string];

/** One command-line flag of `tock-loadgen`. */
export interface Flag {
  /** The long name, without dashes: `--connections` is `connections`. */
  readonly name: string;
  /** A one-letter alias, without the dash. */
  readonly short?: string;
  /**
   * How the value is read: `integer` (whole number), `number` (decimal, fractions allowed), `choice` (one of
   * `choices`), `text` (as written); `boolean` flags take no value.
   */
  readonly kind: 'integer' | 'number' | 'choice' | 'text' | 'boolean';
  readonly choices?: readonly string[];
  /** The value's placeholder in the help text. */
  readonly valueName?: string;
  /** The default, as documented. */
  readonly default?: string;
  readonly description: string;
  readonly group: FlagGroup;
  /** The `RunOptions` field the value sets. */
  readonly option?: OptionPath;
  /** Whether `tock-loadgen merge` accepts the flag too. */
  readonly merge?: boolean;
}

/**
 * Every flag of `tock-loadgen`, declared once. The parser (node:util `parseArgs`), `--help` and the README's
 * flag table are generated from this table; a test fails when the README is stale.
 */
export const FLAGS: readonly Flag[] = [
  {
    name: 'connections',
    short: 'c',
    kind: 'integer',
    valueName: 'N',
    default: '16',
    description:
      'Clients, each with its own UDP socket (source port). In a closed loop each keeps one request in flight.',
    group: 'Load',
    option: ['connections'],
  },
  {
    name: 'duration',
    short: 'd',
    kind: 'number',
    valueName: 'SECONDS',
    default: '10',
    description: 'How long to measure, after the warm-up.',
    group: 'Load',
    option: ['duration'],
  },
  {
    name: 'amount',
    short: 'a',
    kind: 'integer',
    valueName: 'N',
    description: 'Send N measured requests, then stop (instead of --duration).',
    group: 'Load',
    option: ['amount'],
  },
  {
    name: 'protocol',
    short: 'p',
    kind: 'choice',
    choices: PROTOCOLS,
    valueName: 'PROTOCOL',
    default: 'ntp',
    description:
      '`ntp` (SNTPv4 client requests), `json` (tock’s JSON envelope), `text` (RFC 867 daytime, as the lab servers speak), or `echo` (calibration against a UDP echo server).',
    group: 'Load',
    option: ['protocol'],
  },
  {
    name: 'warmup',
    kind: 'number',
    valueName: 'SECONDS',
    default: '0',
    description: 'Send for this long before measuring; these requests are not counted.',
    group: 'Load',
    option: ['warmup'],
  },
  {
    name: 'workers',
    short: 'w',
    kind: 'integer',
    valueName: 'N',
    default: 'half the CPUs (at least 1, at most --connections)',
    description:
      'Worker threads the clients are spread over; 0 runs them on the main thread. The default leaves the other half of the machine to a server on the same host.',
    group: 'Load',
    option: ['workers'],
  },
  {
    name: 'io',
    kind: 'choice',
    choices: IO_NAMES,
    valueName: 'IO',
    default: 'batched',
    description:
      'How the sockets move datagrams: `batched` (Linux: the native `@tock/udp` addon, recvmmsg/sendmmsg on one buffer per worker) or `dgram` (node:dgram, connected sockets). Where the addon does not load, `batched` falls back to `dgram` and says so.',
    group: 'Load',
    option: ['io'],
  },
  {
    name: 'timeout',
    short: 't',
    kind: 'number',
    valueName: 'SECONDS',
    default: '1',
    description: 'How long to wait for a reply before the request counts as lost.',
    group: 'Load',
    option: ['timeout'],
  },
  {
    name: 'rate',
    short: 'R',
    kind: 'number',
    valueName: 'N',
    description:
      'Open loop: N requests per second in total, on a fixed schedule. Latency counts from each request’s intended send time (no coordinated omission). Without it the run is a closed loop.',
    group: 'Open loop and ramp',
    option: ['rate'],
  },
  {
    name: 'max-lag',
    kind: 'number',
    valueName: 'MS',
    default: '5',
    description:
      'Open loop: the schedule counts as kept when 99% of requests leave within MS milliseconds of their time; otherwise the result warns and sets generator.scheduleKept to false.',
    group: 'Open loop and ramp',
    option: ['maxLagMs'],
  },
  {
    name: 'ramp',
    kind: 'boolean',
    description:
      'Find the highest rate the server sustains: open-loop steps of rising rate until loss exceeds --max-loss, a reply is invalid, or the generator misses its schedule.',
    group: 'Open loop and ramp',
  },
  {
    name: 'ramp-start',
    kind: 'number',
    valueName: 'N',
    default: '1000',
    description: 'Rate of the first ramp step, requests per second.',
    group: 'Open loop and ramp',
    option: ['ramp', 'start'],
  },
  {
    name: 'ramp-factor',
    kind: 'number',
    valueName: 'X',
    default: '1.25',
    description: 'Each ramp step’s rate is the previous one’s times X.',
    group: 'Open loop and ramp',
    option: ['ramp', 'factor'],
  },
  {
    name: 'ramp-step',
    kind: 'number',
    valueName: 'SECONDS',
    default: '2',
    description: 'How long each ramp step lasts.',
    group: 'Open loop and ramp',
    option: ['ramp', 'stepDuration'],
  },
  {
    name: 'ramp-max',
    kind: 'number',
    valueName: 'N',
    default: '1000000',
    description: 'The highest rate the ramp tries, requests per second.',
    group: 'Open loop and ramp',
    option: ['ramp', 'max'],
  },
  {
    name: 'max-loss',
    kind: 'number',
    valueName: 'PCT',
    default: '1',
    description: 'A ramp step passes when at most PCT percent of its requests are lost.',
    group: 'Open loop and ramp',
    option: ['ramp', 'maxLossPct'],
  },
  {
    name: 'tolerance',
    kind: 'number',
    valueName: 'SECONDS',
    default: '1',
    description:
      'A reply is valid when the server’s time lies between the request’s send and receive times, give or take this much (a text reply names a whole second).',
    group: 'Validation',
    option: ['tolerance'],
  },
  {
    name: 'time-zone',
    kind: 'text',
    valueName: 'ZONE',
    default: 'this machine’s zone',
    description: 'IANA time zone the server writes text (`ctime`) replies in.',
    group: 'Validation',
    option: ['timeZone'],
  },
  {
    name: 'text-request',
    kind: 'text',
    valueName: 'TEXT',
    default: 'Time request',
    description: 'The datagram a text request carries.',
    group: 'Validation',
    option: ['textRequest'],
  },
  {
    name: 'json',
    short: 'j',
    kind: 'boolean',
    description: 'Print the result as one JSON object on stdout instead of tables.',
    group: 'Output and gate',
    merge: true,
  },
  {
    name: 'output',
    short: 'o',
    kind: 'text',
    valueName: 'FILE',
    description: 'Also write the JSON result to FILE (for merge and --compare).',
    group: 'Output and gate',
    merge: true,
  },
  {
    name: 'compare',
    kind: 'text',
    valueName: 'BASELINE.json',
    description:
      'Regression gate: compare with a result saved earlier; exit 1 when throughput fell or p99 latency rose by more than --max-regression percent.',
    group: 'Output and gate',
    merge: true,
  },
  {
    name: 'max-regression',
    kind: 'number',
    valueName: 'PCT',
    default: '10',
    description: 'The largest regression --compare tolerates, percent.',
    group: 'Output and gate',
    merge: true,
  },
  {
    name: 'help',
    short: 'h',
    kind: 'boolean',
    description: 'Print this help and exit.',
    group: 'Other',
    merge: true,
  },
  {
    name: 'version',
    short: 'v',
    kind: 'boolean',
    description: 'Print the version and exit.',
    group: 'Other',
    merge: true,
  },
];

/** The flag that sets an option path, for error messages (`ramp.start` → `--ramp-start`). */
export function flagOfOption(path: string): Flag | undefined {
  return FLAGS.find((f) => f.option?.join('.') === path);
}
