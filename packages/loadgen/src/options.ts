import { availableParallelism } from 'node:os';
import { isValidTimeZone, localTimeZone } from '@tock/protocol';
import { z } from 'zod';
import { LoadgenError } from './errors.ts';
import { IO_NAMES, type IoName } from './io/types.ts';
import { PROTOCOLS, type ProtocolName } from './protocols/index.ts';

/** Settings of a ramp ({@link RunOptions.ramp}): a stepped open-loop rate, like ntpperf. */
export interface RampOptions {
  /** Rate of the first step, requests per second (default 1000). */
  readonly start?: number;
  /** Each step's rate is the previous one's times this factor, above 1 (default 1.25). */
  readonly factor?: number;
  /** Seconds each step lasts (default 2). */
  readonly stepDuration?: number;
  /** The highest rate tried, requests per second (default 1,000,000). */
  readonly max?: number;
  /** A step passes when at most this percentage of its requests is lost (default 1). */
  readonly maxLossPct?: number;
}

/** What {@link run} does. Times are in seconds (fractions allowed) unless the name says otherwise. */
export interface RunOptions {
  /** The server: `HOST:PORT`, or `[ADDRESS]:PORT` for IPv6. */
  readonly target: string;
  /** Protocol to speak (default `ntp`). `echo` calibrates against a plain UDP echo server. */
  readonly protocol?: ProtocolName;
  /** Clients, each with its own UDP socket and source port (default 16). */
  readonly connections?: number;
  /** Seconds to measure, after the warm-up (default 10; not with `amount`). */
  readonly duration?: number;
  /** Measured requests to send, then stop (instead of `duration`). */
  readonly amount?: number;
  /** Seconds of warm-up before the measurement; its requests are not counted (default 0). */
  readonly warmup?: number;
  /**
   * Worker threads (default: half the CPUs, at least 1 and at most `connections`, so that the server on the
   * same machine keeps the other half). 0 runs the clients on the calling thread.
   */
  readonly workers?: number;
  /** Seconds to wait for a reply before counting the request as lost (default 1). */
  readonly timeout?: number;
  /**
   * Open loop: requests per second in total, on a fixed schedule; latency counts from each request's intended
   * send time. Without it the run is a closed loop: every client keeps one request in flight.
   */
  readonly rate?: number;
  /** Open loop: the schedule is kept when 99% of requests leave within this many milliseconds of their time (default 5). */
  readonly maxLagMs?: number;
  /** Seconds a server's time may lie outside [send time, receive time] and still be valid (default 1). */
  readonly tolerance?: number;
  /** IANA zone to read text (`ctime`) replies in: the server's zone (default: this machine's). */
  readonly timeZone?: string;
  /** The datagram a text request carries (default `Time request`, as the lab's clients send). */
  readonly textRequest?: string;
  /** Find the highest rate the server sustains: `true` for the defaults of {@link RampOptions}. */
  readonly ramp?: boolean | RampOptions;
  /**
   * How the sockets move datagrams (default `batched`): `batched` uses the native `@tock/udp` addon
   * (Linux, recvmmsg/sendmmsg, one buffer per worker), falling back to `dgram` (`node:dgram`) where it does
   * not load; the result says which was used (`io`) and why not batched (`ioFallback`).
   */
  readonly io?: IoName;
}

/** {@link RampOptions} with every default applied. */
export interface ResolvedRamp {
  readonly start: number;
  readonly factor: number;
  readonly stepDuration: number;
  readonly max: number;
  readonly maxLossPct: number;
}

/** {@link RunOptions} with every default applied and times in milliseconds. */
export interface ResolvedOptions {
  readonly target: string;
  readonly protocol: ProtocolName;
  readonly connections: number;
  readonly durationMs: number;
  readonly amount: number | undefined;
  readonly warmupMs: number;
  readonly workers: number;
  readonly timeoutMs: number;
  readonly rate: number | undefined;
  readonly maxLagMs: number;
  readonly toleranceMs: number;
  readonly timeZone: string;
  readonly textRequest: string;
  readonly ramp: ResolvedRamp | undefined;
  readonly io: IoName;
}

/** Default of {@link RunOptions.duration}, seconds. */
export const DEFAULT_DURATION_S = 10;

/** The default of {@link RunOptions.workers}: half the CPUs, at least 1, at most `connections`. */
export function defaultWorkers(connections: number): number {
  return Math.max(1, Math.min(connections, Math.floor(availableParallelism() / 2)));
}

const seconds = (max: number) => z.number().finite().min(0).max(max);

const RampSchema = z.strictObject({
  start: z.number().finite().positive().default(1000),
  factor: z.number().finite().min(1.01).max(100).default(1.25),
  stepDuration: seconds(3600).positive().default(2),
  max: z.number().finite().positive().default(1_000_000),
  maxLossPct: z.number().finite().min(0).max(100).default(1),
});

const OptionsSchema = z.strictObject({
  target: z.string().min(1),
  protocol: z.enum(PROTOCOLS as [ProtocolName, ...ProtocolName[]]).default('ntp'),
  connections: z.number().int().min(1).max(65_536).default(16),
  duration: seconds(86_400).positive().optional(),
  amount: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  warmup: seconds(86_400).default(0),
  workers: z.number().int().min(0).max(1024).optional(),
  timeout: seconds(3600).positive().default(1),
  rate: z.number().finite().positive().max(1e9).optional(),
  maxLagMs: z.number().finite().positive().max(60_000).default(5),
  tolerance: seconds(86_400 * 366).default(1),
  timeZone: z
    .string()
    .refine(isValidTimeZone, 'must be an IANA time zone such as UTC or Europe/Paris')
    .optional(),
  textRequest: z.string().max(1024).default('Time request'),
  ramp: z.union([z.boolean(), RampSchema]).default(false),
  io: z.enum(IO_NAMES as [IoName, ...IoName[]]).default('batched'),
});

/**
 * Validates options and applies defaults.
 * @throws LoadgenError `USAGE` naming the bad option (its `path`, such as `connections` or `ramp.start`).
 */
export function resolveOptions(options: RunOptions): ResolvedOptions {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new OptionError(issue.path.map(String).join('.') || 'options', issue.message);
  }
  const o = parsed.data;
  if (o.duration !== undefined && o.amount !== undefined) {
    throw new OptionError('amount', 'give a duration or an amount, not both');
  }
  const ramp = o.ramp === false ? undefined : o.ramp === true ? RampSchema.parse({}) : o.ramp;
  if (ramp !== undefined) {
    if (o.amount !== undefined)
      throw new OptionError('amount', 'a ramp runs steps of a duration, not an amount');
    if (o.rate !== undefined) throw new OptionError('rate', 'a ramp sets the rate itself (see ramp.start)');
    if (ramp.max < ramp.start) throw new OptionError('ramp.max', 'must not be below ramp.start');
  }
  const connections = o.connections;
  return {
    target: o.target,
    protocol: o.protocol,
    connections,
    durationMs: (o.duration ?? DEFAULT_DURATION_S) * 1000,
    amount: o.amount,
    warmupMs: o.warmup * 1000,
    workers: Math.min(o.workers ?? defaultWorkers(connections), connections),
    timeoutMs: o.timeout * 1000,
    rate: o.rate,
    maxLagMs: o.maxLagMs,
    toleranceMs: o.tolerance * 1000,
    timeZone: o.timeZone ?? localTimeZone(),
    textRequest: o.textRequest,
    ramp,
    io: o.io,
  };
}

/**
 * The options of one step of a ramp at `rate`: an open loop of `ramp.stepDuration` seconds, after the
 * warm-up given (or, without one, a quarter of a second at most).
 */
export function rampStepOptions(o: ResolvedOptions, ramp: ResolvedRamp, rate: number): ResolvedOptions {
  return {
    ...o,
    rate,
    amount: undefined,
    durationMs: ramp.stepDuration * 1000,
    // Every step starts fresh threads and sockets: unless told otherwise, let the first quarter of a
    // second settle (compilation, a late first timer) before measuring.
    warmupMs: o.warmupMs > 0 ? o.warmupMs : Math.min(250, (ramp.stepDuration * 1000) / 4),
    ramp: undefined,
  };
}

/** A bad option: a {@link LoadgenError} `USAGE` that names the option's path. */
export class OptionError extends LoadgenError {
  /** The option, as a dotted path: `connections`, `ramp.start`. */
  readonly path: string;
  /** What is wrong with it, without the path. */
  readonly problem: string;

  /** @param path - the option's dotted path; `problem` says what is wrong with its value. */
  constructor(path: string, problem: string) {
    super('USAGE', `option ${path}: ${problem}`);
    this.name = 'OptionError';
    this.path = path;
    this.problem = problem;
  }
}
