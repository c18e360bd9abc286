import {
  type Classification,
  type HandleResult,
  IGNORE_REASONS,
  type IgnoreReason,
  PROTOCOLS,
  type Protocol,
} from '@tock/protocol';

/**
 * Why the server sent nothing back: one of the protocol's {@link IgnoreReason}s, or a reason of the server's
 * own:
 * - `source-port-zero`: the sender's port is 0, which no reply can reach (a forged or broken packet).
 * - `rate-limited`: the sender's address is over its rate limit (`--rate-limit`). An NTP client may get a
 *   RATE Kiss-o'-Death instead of a time, counted in {@link ServerStats.kissOfDeath}.
 * - `smaller-than-reply`: with `--strict-size`, the reply would be larger than the request.
 * - `shutting-down`: it arrived after the server began to stop.
 */
export type DropReason =
  | IgnoreReason
  | 'source-port-zero'
  | 'rate-limited'
  | 'smaller-than-reply'
  | 'shutting-down';

/** Every {@link DropReason}, in a fixed order, for building counters and dashboards. */
export const DROP_REASONS: readonly DropReason[] = [
  ...IGNORE_REASONS,
  'source-port-zero',
  'rate-limited',
  'smaller-than-reply',
  'shutting-down',
];

/** What each {@link DropReason} means, for operators: the README's table of drop reasons is generated from it. */
export const DROP_REASON_HELP: Readonly<Record<DropReason, string>> = {
  oversized: 'Larger than 1024 bytes; not read.',
  unrecognized: 'Binary that is neither NTP nor text.',
  'text-looks-like-reply': "A text datagram that is itself a time line (another server's reply).",
  'json-not-a-request': "A JSON `time.response` or `error` (another server's reply).",
  'ntp-truncated': 'NTP shorter than 48 bytes.',
  'ntp-bad-version': 'NTP version other than 1 to 4.',
  'ntp-control-message': 'NTP mode 6 (control, as ntpq sends): never answered.',
  'ntp-private-message': 'NTP mode 7 (private, monlist): never answered.',
  'ntp-not-client-request': 'NTP in a mode other than client (3): symmetric, server, broadcast.',
  'ntp-zero-transmit': 'An NTP client request without a transmit timestamp to echo.',
  'internal-error': 'Building the reply failed: a bug or a broken clock.',
  'source-port-zero': 'Sent from port 0, which no reply can reach.',
  'rate-limited': "The source is over `--rate-limit` (NTP clients may get a RATE Kiss-o'-Death).",
  'smaller-than-reply': 'With `--strict-size`: the reply would be larger than the request.',
  'shutting-down': 'Arrived after tockd began to stop.',
};

/** What a datagram can look like: the protocols, and `unknown`. */
export const CLASSIFICATIONS: readonly Classification[] = ['text', 'json', 'ntp', 'unknown'];
/** The protocols tockd answers: the protocol package's `PROTOCOLS`. */
export { PROTOCOLS };

/**
 * Upper bounds of the buckets of the processing-time histogram, in seconds (the last bucket, above them,
 * is unbounded): from 5 µs to 10 ms.
 */
export const PROCESSING_BUCKETS_SECONDS: readonly number[] = [
  0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01,
];
const BUCKETS_NS = PROCESSING_BUCKETS_SECONDS.map((s) => Math.round(s * 1e9));

/** How long replies took to make, T3 − T2, for one protocol. */
export interface ProcessingHistogram {
  /** How many replies fell in each bucket of {@link PROCESSING_BUCKETS_SECONDS} (not cumulative), then above the last. */
  readonly counts: readonly number[];
  /** The sum of all the times, in seconds. */
  readonly sumSeconds: number;
  /** How many replies were timed. */
  readonly count: number;
}

/**
 * A snapshot of a server's counters since it was created, over all its workers. Every datagram is counted
 * once in `received` and then once in either `replies` or `dropped`, so the totals add up.
 */
export interface ServerStats {
  /** Datagrams received, by what they looked like (`unknown`: binary that is not NTP, or oversized). */
  readonly received: Readonly<Record<Classification, number>>;
  /** Replies handed to the socket, by protocol. Those the OS then refused are also in `sendErrors`. */
  readonly replies: Readonly<Record<Protocol, number>>;
  /** How many of `replies.json` were JSON error envelopes (malformed or invalid requests). */
  readonly jsonErrorReplies: number;
  /** RATE Kiss-o'-Death replies sent to rate-limited NTP clients (their requests count as `rate-limited` drops). */
  readonly kissOfDeath: number;
  /** Datagrams that got no reply, by reason, whatever their protocol. */
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Datagrams that got no reply, by what they looked like and by reason. */
  readonly droppedByProtocol: Readonly<Record<Classification, Readonly<Record<DropReason, number>>>>;
  /** Replies the OS refused to send (EPERM, ENOBUFS, …). */
  readonly sendErrors: number;
  /** Other errors the socket reported (it kept running). */
  readonly socketErrors: number;
  /** Processing time T3 − T2 of the replies, by protocol. */
  readonly processing: Readonly<Record<Protocol, ProcessingHistogram>>;
}

// Layout of one recorder's counters: a flat array of doubles (exact integers up to 2^53).
const CLASS_INDEX: Readonly<Record<Classification, number>> = { text: 0, json: 1, ntp: 2, unknown: 3 };
const REASON_INDEX = Object.fromEntries(DROP_REASONS.map((r, i) => [r, i])) as Record<DropReason, number>;
const R = DROP_REASONS.length;
const B = BUCKETS_NS.length + 1;
const RECEIVED = 0;
const REPLIES = RECEIVED + 4;
const JSON_ERRORS = REPLIES + 3;
const KISS_OF_DEATH = JSON_ERRORS + 1;
const SEND_ERRORS = KISS_OF_DEATH + 1;
const SOCKET_ERRORS = SEND_ERRORS + 1;
const DROPPED = SOCKET_ERRORS + 1;
const HISTOGRAM = DROPPED + 4 * R;
const HISTOGRAM_SUM = HISTOGRAM + 3 * B;
/**
 * How many doubles one recorder's counters take: rounded up to whole 64-byte cache lines, so that worker
 * threads writing their own counters side by side in one shared buffer never share a cache line.
 */
export const STATS_SLOTS: number = Math.ceil((HISTOGRAM_SUM + 3) / 8) * 8;

/** The server's counters: fed with each datagram's outcome, read as {@link ServerStats} snapshots. */
export interface StatsRecorder {
  /** Counts the outcome of one datagram as the protocol's `handle` returned it (reply or drop). */
  record(result: HandleResult): void;
  /** Counts a reply of `protocol` that took `processingNs` (T3 − T2) to make (negative: not timed). */
  reply(protocol: Protocol, jsonError: boolean, processingNs: number): void;
  /** Counts a datagram that got no reply. */
  drop(protocol: Classification, reason: DropReason): void;
  /** Counts a RATE Kiss-o'-Death sent (the datagram itself is counted by {@link StatsRecorder.drop}). */
  kissOfDeath(): void;
  /** Counts a reply the OS refused to send. */
  sendError(): void;
  /** Counts another error the socket reported. */
  socketError(): void;
  /** A copy of the counters as they are now. */
  snapshot(): ServerStats;
  /** The counters themselves: {@link STATS_SLOTS} doubles. */
  readonly counters: Float64Array;
}

/** Bytes of shared memory the counters of `workers` workers take: one region of {@link STATS_SLOTS} doubles each. */
export function statsBufferBytes(workers: number): number {
  return workers * STATS_SLOTS * 8;
}

/** Worker `worker`'s region of the shared counters (a buffer of {@link statsBufferBytes}). */
export function statsRegion(counters: SharedArrayBuffer, worker: number): Float64Array {
  return new Float64Array(counters, worker * STATS_SLOTS * 8, STATS_SLOTS);
}

/**
 * Creates a set of counters, all zero, in `counters` ({@link STATS_SLOTS} doubles, e.g. one worker's region
 * of a shared buffer; by default a fresh array). The recorder only ever adds to its own region: one writer
 * per region, so worker threads count without locks, and the main thread sums the regions with
 * {@link sumStats}.
 */
export function createStatsRecorder(counters: Float64Array = new Float64Array(STATS_SLOTS)): StatsRecorder {
  if (counters.length !== STATS_SLOTS) throw new RangeError(`counters must hold ${STATS_SLOTS} doubles`);
  const c = counters;
  const recorder: StatsRecorder = {
    counters,
    record(result: HandleResult): void {
      if (result.action === 'reply') recorder.reply(result.protocol, result.error === true, -1);
      else recorder.drop(result.protocol, result.reason);
    },
    reply(protocol: Protocol, jsonError: boolean, processingNs: number): void {
      const p = CLASS_INDEX[protocol];
      c[RECEIVED + p]!++;
      c[REPLIES + p]!++;
      if (jsonError) c[JSON_ERRORS]!++;
      if (processingNs < 0) return;
      let b = 0;
      while (b < BUCKETS_NS.length && processingNs > BUCKETS_NS[b]!) b++;
      c[HISTOGRAM + p * B + b]!++;
      c[HISTOGRAM_SUM + p]! += processingNs;
    },
    drop(protocol: Classification, reason: DropReason): void {
      const p = CLASS_INDEX[protocol];
      c[RECEIVED + p]!++;
      c[DROPPED + p * R + REASON_INDEX[reason]]!++;
    },
    kissOfDeath(): void {
      c[KISS_OF_DEATH]!++;
    },
    sendError(): void {
      c[SEND_ERRORS]!++;
    },
    socketError(): void {
      c[SOCKET_ERRORS]!++;
    },
    snapshot(): ServerStats {
      return sumStats([counters]);
    },
  };
  return recorder;
}

/** Adds up the counters of several recorders (one per worker) into one snapshot. */
export function sumStats(regions: readonly Float64Array[]): ServerStats {
  const total = new Float64Array(STATS_SLOTS);
  for (const region of regions) for (let i = 0; i < STATS_SLOTS; i++) total[i]! += region[i]!;
  const at = (i: number): number => total[i]!;
  const byReason = (p: number): Record<DropReason, number> =>
    Object.fromEntries(DROP_REASONS.map((r, i) => [r, at(DROPPED + p * R + i)])) as Record<
      DropReason,
      number
    >;
  const droppedByProtocol = Object.fromEntries(
    CLASSIFICATIONS.map((k) => [k, byReason(CLASS_INDEX[k])]),
  ) as Record<Classification, Record<DropReason, number>>;
  const dropped = Object.fromEntries(
    DROP_REASONS.map((r) => [r, CLASSIFICATIONS.reduce((sum, k) => sum + droppedByProtocol[k][r], 0)]),
  ) as Record<DropReason, number>;
  const histogram = (p: number): ProcessingHistogram => {
    const counts = Array.from({ length: B }, (_, b) => at(HISTOGRAM + p * B + b));
    return {
      counts,
      sumSeconds: at(HISTOGRAM_SUM + p) / 1e9,
      count: counts.reduce((a, b) => a + b, 0),
    };
  };
  return {
    received: Object.fromEntries(CLASSIFICATIONS.map((k) => [k, at(RECEIVED + CLASS_INDEX[k])])) as Record<
      Classification,
      number
    >,
    replies: Object.fromEntries(PROTOCOLS.map((k) => [k, at(REPLIES + CLASS_INDEX[k])])) as Record<
      Protocol,
      number
    >,
    jsonErrorReplies: at(JSON_ERRORS),
    kissOfDeath: at(KISS_OF_DEATH),
    dropped,
    droppedByProtocol,
    sendErrors: at(SEND_ERRORS),
    socketErrors: at(SOCKET_ERRORS),
    processing: Object.fromEntries(PROTOCOLS.map((k) => [k, histogram(CLASS_INDEX[k])])) as Record<
      Protocol,
      ProcessingHistogram
    >,
  };
}
