import { z } from 'zod';
import { LoadgenError } from './errors.ts';
import type { LatencySummary } from './histogram.ts';
import { IO_NAMES, type IoName } from './io/types.ts';
import { INVALID_REASONS, type InvalidReason, PROTOCOLS, type ProtocolName } from './protocols/index.ts';

/** Valid replies in each second of the measurement, and their statistics. */
export interface ThroughputSummary {
  /** Valid replies in second 0, 1, 2, … of the measurement. */
  readonly perSecond: readonly number[];
  /** Mean of `perSecond`. */
  readonly mean: number;
  /** Standard deviation of `perSecond`. */
  readonly stdev: number;
  /** The slowest second. */
  readonly min: number;
  /** The fastest second. */
  readonly max: number;
}

/** Whether the load generator itself limited the run. */
export interface GeneratorHealth {
  /**
   * The generator, not the server, may have limited the run: in a closed loop, a worker's event loop was
   * busy 90% of the time or more; in an open loop, the schedule was not kept.
   */
  readonly saturated: boolean;
  /** The busiest worker's event-loop utilisation while sending, 0 to 1. */
  readonly eventLoopUtilization: number;
  /**
   * Open loop: whether the generator kept its schedule (99% of requests left within `maxLagMs` of their
   * intended time, and all were sent). `null` in a closed loop.
   */
  readonly scheduleKept: boolean | null;
  /** Open loop: requests the schedule called for in the measured window. `null` in a closed loop. */
  readonly scheduled: number | null;
  /** Open loop: how late requests left against their intended time, in µs. `null` in a closed loop. */
  readonly sendLagUs: {
    /** Median send lag. */
    readonly p50: number;
    /** 99th percentile: `scheduleKept` requires it within `maxLagMs`. */
    readonly p99: number;
    /** Largest send lag. */
    readonly max: number;
  } | null;
}

/** One step of a ramp. */
export interface RampStep {
  /** The rate asked for, requests per second. */
  readonly rate: number;
  /** Valid replies per second. */
  readonly rps: number;
  /** Share of requests lost, percent. */
  readonly lossPct: number;
  /** Invalid replies. */
  readonly invalid: number;
  /** p99 latency of the step, µs. */
  readonly p99Us: number;
  /** Whether the generator kept the step's schedule. */
  readonly scheduleKept: boolean;
  /** Loss within the limit, no invalid reply, schedule kept. */
  readonly passed: boolean;
}

/** What a ramp found. */
export interface RampSummary {
  /** Every step run, in order; the last one failed unless `limitedBy` is `max-rate`. */
  readonly steps: readonly RampStep[];
  /** The highest rate of a passing step, or `null` when even the first step failed. */
  readonly sustainedRate: number | null;
  /**
   * What ended the ramp: `server` (loss or invalid replies above the limit), `generator` (it could not keep
   * the schedule: the server's limit was not reached), or `max-rate` (the highest rate passed).
   */
  readonly limitedBy: 'server' | 'generator' | 'max-rate';
  /** The loss limit a step had to stay under, percent. */
  readonly maxLossPct: number;
}

/**
 * The result of a run, as `--json` prints it. Every measured request ends as exactly one of `valid`,
 * `invalid`, `lost` or `late`, so `sent = valid + invalid + lost + late`, except that `invalid` also counts
 * datagrams that name no request at all (their request then times out and counts as lost too).
 */
export interface LoadgenResult {
  /** Marks the object: always `tock-loadgen`. */
  readonly tool: 'tock-loadgen';
  /** Version of this shape: 1. */
  readonly version: 1;
  /** The server, `HOST:PORT` (several, comma-separated, in a merge of runs against different servers). */
  readonly target: string;
  /** The protocol spoken. */
  readonly protocol: ProtocolName;
  /** `closed`: every client keeps one request in flight. `open`: requests leave on a fixed schedule. */
  readonly mode: 'closed' | 'open';
  /** Clients (sockets). */
  readonly connections: number;
  /** Worker threads (0: the clients ran on the calling thread). */
  readonly workers: number;
  /** Open loop: the rate asked for, requests per second; `null` in a closed loop. */
  readonly rate: number | null;
  /** When the run started, ISO 8601. */
  readonly startedAt: string;
  /** Length of the measurement, seconds (the longest, in a merge). */
  readonly durationS: number;
  /** Valid replies per second (the sum, in a merge of concurrent runs). */
  readonly rps: number;
  /** Latency of valid replies, µs: from the send time (closed loop) or the intended send time (open loop). */
  readonly latencyUs: LatencySummary;
  /** Measured requests sent. */
  readonly sent: number;
  /** Replies that parsed, matched an outstanding request and carried a time within the window. */
  readonly valid: number;
  /** Replies that were malformed, matched no request, or lied about the time; see `invalidReasons`. */
  readonly invalid: number;
  /** Requests that got no reply before the timeout. */
  readonly lost: number;
  /** Requests whose reply came after the timeout. */
  readonly late: number;
  /** Extra replies to requests already answered. */
  readonly duplicate: number;
  /** `lost` as a percentage of `sent`. */
  readonly lossPct: number;
  /** Socket errors, such as ECONNREFUSED when nothing listens on the port. */
  readonly socketErrors: number;
  /** Invalid replies by reason (reasons that did not occur are left out). */
  readonly invalidReasons: Partial<Record<InvalidReason, number>>;
  /** Valid replies in each second. */
  readonly throughput: ThroughputSummary;
  /** Whether the generator limited the run. */
  readonly generator: GeneratorHealth;
  /** What a reader should know about the run: saturation, an unkept schedule, socket errors, invalid replies. */
  readonly warnings: readonly string[];
  /** Latency of valid replies in µs: an HdrHistogram in compressed base64 (what `merge` adds up). */
  readonly histogram: string;
  /** How many runs this result holds: 1, or more after a merge. */
  readonly runs: number;
  /** With a ramp: every step, and the highest rate sustained. The rest of the result is that step's. */
  readonly ramp?: RampSummary;
  /**
   * The I/O the sockets used: `batched` (the native addon) or `dgram`. Absent in results of earlier
   * versions, and in a merge of runs that used different I/O.
   */
  readonly io?: IoName;
  /** Why `batched` was asked for and `dgram` used; `null` when it was not (absent where `io` is). */
  readonly ioFallback?: string | null;
}

const count = z.number().int().min(0);
const num = z.number().finite();

const LatencySchema = z.object({
  p50: num,
  p90: num,
  p99: num,
  p999: num,
  max: num,
  min: num,
  mean: num,
  stdev: num,
});

const resultShape = z.object({
  tool: z.literal('tock-loadgen'),
  version: z.literal(1),
  target: z.string(),
  protocol: z.enum(PROTOCOLS as [ProtocolName, ...ProtocolName[]]),
  mode: z.enum(['closed', 'open']),
  connections: count,
  workers: count,
  rate: num.nullable(),
  startedAt: z.string(),
  durationS: num.min(0),
  rps: num.min(0),
  latencyUs: LatencySchema,
  sent: count,
  valid: count,
  invalid: count,
  lost: count,
  late: count,
  duplicate: count,
  lossPct: num,
  socketErrors: count,
  invalidReasons: z.partialRecord(z.enum(INVALID_REASONS as [InvalidReason, ...InvalidReason[]]), count),
  throughput: z.object({ perSecond: z.array(count), mean: num, stdev: num, min: num, max: num }),
  generator: z.object({
    saturated: z.boolean(),
    eventLoopUtilization: num,
    scheduleKept: z.boolean().nullable(),
    scheduled: count.nullable(),
    sendLagUs: z.object({ p50: num, p99: num, max: num }).nullable(),
  }),
  warnings: z.array(z.string()),
  histogram: z.string(),
  runs: count.min(1),
  io: z.enum(IO_NAMES as [IoName, ...IoName[]]).optional(),
  ioFallback: z.string().nullable().optional(),
  ramp: z
    .object({
      steps: z.array(
        z.object({
          rate: num,
          rps: num,
          lossPct: num,
          invalid: count,
          p99Us: num,
          scheduleKept: z.boolean(),
          passed: z.boolean(),
        }),
      ),
      sustainedRate: num.nullable(),
      limitedBy: z.enum(['server', 'generator', 'max-rate']),
      maxLossPct: num,
    })
    .optional(),
});

/** `T` with every `readonly` removed, deeply: the modifiers a zod schema's output does not carry. */
type Writable<T> = T extends readonly (infer U)[]
  ? Writable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Writable<T[K]> }
    : T;

/** `true` when `A` and `B` are the same type, `readonly` aside: the same keys, optional alike, same values. */
type SameShape<A, B> =
  (<G>() => G extends Writable<A> ? 1 : 2) extends <G>() => G extends Writable<B> ? 1 : 2 ? true : false;

/** Compiles only when `T` is `true`. */
type Assert<T extends true> = T;

/**
 * {@link LoadgenResult} and the schema that reads it describe one shape: this line stops compiling when a
 * field is added, removed, made optional or retyped in one and not the other.
 */
type _SchemaMatchesResult = Assert<SameShape<z.output<typeof resultShape>, LoadgenResult>>;

/** The schema of a {@link LoadgenResult}: what it parses is one, without a cast. */
const ResultSchema: z.ZodType<LoadgenResult> = resultShape;

/**
 * Reads a result printed by `tock-loadgen --json` (or written with `--output`).
 * @param source - where the text came from, for the error message.
 * @throws LoadgenError `RUN_FAILED` when the text is not such a result.
 */
export function parseResult(text: string, source: string): LoadgenResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LoadgenError('RUN_FAILED', `${source} is not JSON: ${(error as Error).message}`);
  }
  const parsed = ResultSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LoadgenError(
      'RUN_FAILED',
      `${source} is not a tock-loadgen result: ${issue.path.join('.') || 'result'}: ${issue.message}`,
    );
  }
  return parsed.data;
}
