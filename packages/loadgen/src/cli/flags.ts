import { HELP_OPTION, type OptionSpec, VERSION_OPTION } from '@tock/cli-kit';
import { isValidTimeZone } from '@tock/protocol';
import { IO_NAMES } from '../io/types.ts';
import { PROTOCOLS } from '../protocols/index.ts';

/** Where a flag's value goes in `RunOptions` (`undefined` for output and gate flags). */
export type OptionPath = readonly [string] | readonly ['ramp', string];

/** One command-line flag of `tock-loadgen`: an option of the cli kit, with where its value goes. */
export interface Flag extends OptionSpec {
  /** The `RunOptions` field the value sets. */
  readonly option?: OptionPath;
  /** Whether `tock-loadgen merge` accepts the flag too. */
  readonly merge?: boolean;
}

/**
 * Every flag of `tock-loadgen`, declared once. The parser (the cli kit's, on node:util `parseArgs`), `--help`,
 * the README's flag table and `CLI_REFERENCE` are generated from this table; a test fails when the README is
 * stale.
 */
export const FLAGS: readonly Flag[] = [
  {
    name: 'connections',
    short: 'c',
    type: 'integer',
    min: 1,
    max: 65_536,
    placeholder: 'N',
    default: '16',
    description:
      'Clients, each with its own UDP socket (source port). In a closed loop each keeps one request in flight.',
    section: 'Load',
    option: ['connections'],
  },
  {
    name: 'duration',
    short: 'd',
    type: 'number',
    min: 0,
    max: 86_400,
    allowed: 'a number of seconds above 0, at most 86400',
    placeholder: 'SECONDS',
    default: '10',
    description: 'How long to measure, after the warm-up.',
    section: 'Load',
    option: ['duration'],
  },
  {
    name: 'amount',
    short: 'a',
    type: 'integer',
    min: 1,
    placeholder: 'N',
    description: 'Send N measured requests, then stop (instead of --duration).',
    section: 'Load',
    option: ['amount'],
  },
  {
    name: 'protocol',
    short: 'p',
    type: 'choice',
    choices: PROTOCOLS,
    placeholder: 'PROTOCOL',
    default: 'ntp',
    description:
      '`ntp` (SNTPv4 client requests), `json` (tock’s JSON envelope), `text` (RFC 867 daytime, as the lab servers speak), or `echo` (calibration against a UDP echo server).',
    section: 'Load',
    option: ['protocol'],
  },
  {
    name: 'warmup',
    type: 'number',
    min: 0,
    max: 86_400,
    placeholder: 'SECONDS',
    default: '0',
    description: 'Send for this long before measuring; these requests are not counted.',
    section: 'Load',
    option: ['warmup'],
  },
  {
    name: 'workers',
    short: 'w',
    type: 'integer',
    min: 0,
    max: 1024,
    placeholder: 'N',
    default: 'half the CPUs (at least 1, at most --connections)',
    description:
      'Worker threads the clients are spread over; 0 runs them on the main thread. The default leaves the other half of the machine to a server on the same host.',
    section: 'Load',
    option: ['workers'],
  },
  {
    name: 'io',
    type: 'choice',
    choices: IO_NAMES,
    placeholder: 'IO',
    default: 'batched',
    description:
      'How the sockets move datagrams: `batched` (Linux: the native `@tock/udp` addon, recvmmsg/sendmmsg on one buffer per worker) or `dgram` (node:dgram, connected sockets). Where the addon does not load, `batched` falls back to `dgram` and says so.',
    section: 'Load',
    option: ['io'],
  },
  {
    name: 'timeout',
    short: 't',
    type: 'number',
    min: 0,
    max: 3600,
    allowed: 'a number of seconds above 0, at most 3600',
    placeholder: 'SECONDS',
    default: '1',
    description: 'How long to wait for a reply before the request counts as lost.',
    section: 'Load',
    option: ['timeout'],
  },
  {
    name: 'rate',
    short: 'R',
    type: 'number',
    min: 0,
    max: 1_000_000_000,
    allowed: 'a number above 0, at most 1000000000',
    placeholder: 'N',
    description:
      'Open loop: N requests per second in total, on a fixed schedule. Latency counts from each request’s intended send time (no coordinated omission). Without it the run is a closed loop.',
    section: 'Open loop and ramp',
    option: ['rate'],
  },
  {
    name: 'max-lag',
    type: 'number',
    min: 0,
    max: 60_000,
    allowed: 'a number above 0, at most 60000',
    placeholder: 'MS',
    default: '5',
    description:
      'Open loop: the schedule counts as kept when 99% of requests leave within MS milliseconds of their time; otherwise the result warns and sets generator.scheduleKept to false.',
    section: 'Open loop and ramp',
    option: ['maxLagMs'],
  },
  {
    name: 'ramp',
    type: 'boolean',
    description:
      'Find the highest rate the server sustains: open-loop steps of rising rate until loss exceeds --max-loss, a reply is invalid, or the generator misses its schedule.',
    section: 'Open loop and ramp',
  },
  {
    name: 'ramp-start',
    type: 'number',
    min: 0,
    allowed: 'a number above 0',
    placeholder: 'N',
    default: '1000',
    description: 'Rate of the first ramp step, requests per second.',
    section: 'Open loop and ramp',
    option: ['ramp', 'start'],
  },
  {
    name: 'ramp-factor',
    type: 'number',
    min: 1.01,
    max: 100,
    placeholder: 'X',
    default: '1.25',
    description: 'Each ramp step’s rate is the previous one’s times X.',
    section: 'Open loop and ramp',
    option: ['ramp', 'factor'],
  },
  {
    name: 'ramp-step',
    type: 'number',
    min: 0,
    max: 3600,
    allowed: 'a number of seconds above 0, at most 3600',
    placeholder: 'SECONDS',
    default: '2',
    description: 'How long each ramp step lasts.',
    section: 'Open loop and ramp',
    option: ['ramp', 'stepDuration'],
  },
  {
    name: 'ramp-max',
    type: 'number',
    min: 0,
    allowed: 'a number above 0',
    placeholder: 'N',
    default: '1000000',
    description: 'The highest rate the ramp tries, requests per second.',
    section: 'Open loop and ramp',
    option: ['ramp', 'max'],
  },
  {
    name: 'max-loss',
    type: 'number',
    min: 0,
    max: 100,
    placeholder: 'PCT',
    default: '1',
    description: 'A ramp step passes when at most PCT percent of its requests are lost.',
    section: 'Open loop and ramp',
    option: ['ramp', 'maxLossPct'],
  },
  {
    name: 'tolerance',
    type: 'number',
    min: 0,
    max: 31_622_400,
    placeholder: 'SECONDS',
    default: '1',
    description:
      'A reply is valid when the server’s time lies between the request’s send and receive times, give or take this much (a text reply names a whole second).',
    section: 'Validation',
    option: ['tolerance'],
  },
  {
    name: 'time-zone',
    type: 'text',
    parse: (raw: string) => (isValidTimeZone(raw) ? raw : undefined),
    allowed: 'an IANA time zone such as UTC or Europe/Paris',
    placeholder: 'ZONE',
    default: 'this machine’s zone',
    description: 'IANA time zone the server writes text (`ctime`) replies in.',
    section: 'Validation',
    option: ['timeZone'],
  },
  {
    name: 'text-request',
    type: 'text',
    parse: (raw: string) => (raw.length <= 1024 ? raw : undefined),
    allowed: 'a text of at most 1024 characters',
    placeholder: 'TEXT',
    default: 'Time request',
    description: 'The datagram a text request carries.',
    section: 'Validation',
    option: ['textRequest'],
  },
  {
    name: 'json',
    short: 'j',
    type: 'boolean',
    description: 'Print the result as one JSON object on stdout instead of tables.',
    section: 'Output and gate',
    merge: true,
  },
  {
    name: 'output',
    short: 'o',
    type: 'text',
    placeholder: 'FILE',
    description: 'Also write the JSON result to FILE (for merge and --compare).',
    section: 'Output and gate',
    merge: true,
  },
  {
    name: 'compare',
    type: 'text',
    placeholder: 'BASELINE.json',
    description:
      'Regression gate: compare with a result saved earlier; exit 1 when throughput fell or p99 latency rose by more than --max-regression percent.',
    section: 'Output and gate',
    merge: true,
  },
  {
    name: 'max-regression',
    type: 'number',
    min: 0,
    placeholder: 'PCT',
    default: '10',
    description: 'The largest regression --compare tolerates, percent.',
    section: 'Output and gate',
    merge: true,
  },
  { ...HELP_OPTION, merge: true },
  // -v was the short form until the CLIs agreed on -V; still accepted, no longer shown.
  { ...VERSION_OPTION, deprecatedShort: 'v', merge: true },
];

/** The flag that sets an option path, for error messages (`ramp.start` → `--ramp-start`). */
export function flagOfOption(path: string): Flag | undefined {
  return FLAGS.find((f) => f.option?.join('.') === path);
}

/** The flags as the help, the README and the reference show them: those `merge` takes say so. */
export const SHOWN_FLAGS: readonly Flag[] = FLAGS.map((f) =>
  f.merge === true && f.name !== 'help' && f.name !== 'version'
    ? { ...f, description: `${f.description} Also for \`merge\`.` }
    : f,
);
