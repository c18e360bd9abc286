import { type Clock, createAnchoredClock, NS_PER_MS } from '@tock/protocol';

/** Where a {@link SystemClock} reads time. Tests replace them; the defaults are the process's clocks. */
export interface SystemClockOptions {
  /** The wall clock, whole milliseconds since the Unix epoch (default `Date.now`). */
  readonly wallClockMs?: () => number;
  /** A monotonic clock in nanoseconds with an arbitrary origin (default `process.hrtime.bigint`). */
  readonly monotonicNs?: () => bigint;
  /** How often, at most, to compare the two clocks (default 1000 ms). */
  readonly checkIntervalMs?: number;
  /**
   * How far the clocks may disagree beyond the wall clock's 1 ms resolution and the anchor's uncertainty
   * before re-anchoring (default 0.1 ms, the protocol's `CLOCK_ANCHORING.toleranceNs`).
   */
  readonly toleranceMs?: number;
}

/** A clock with sub-millisecond resolution that follows the system's wall clock. */
export interface SystemClock {
  /** The current instant (ns since the Unix epoch). A plain function: pass it wherever a `Clock` is needed. */
  readonly now: Clock;
  /** How many times the clock anchored itself to the wall clock: 1 after creation, one more per step seen. */
  anchors(): number;
  /**
   * How far the current anchor's pairing of wall and monotonic time may be off, in nanoseconds: a fraction
   * of a microsecond when it was taken on an idle thread, up to milliseconds on a busy machine.
   */
  uncertaintyNs(): bigint;
}

const nsOfMs = (ms: number | undefined): bigint | undefined =>
  ms === undefined ? undefined : BigInt(Math.round(ms * Number(NS_PER_MS)));

/**
 * Creates a clock that reads the monotonic high-resolution timer (`process.hrtime.bigint()`, nanoseconds)
 * and adds an offset that anchors it to the wall clock: the protocol package's `createAnchoredClock`, the
 * one anchoring of tockd, tock and tock-loadgen (same constants, `CLOCK_ANCHORING`).
 *
 * `Date.now()` alone has 1 ms resolution. To anchor precisely, the clock spins (about 1 ms, once) until
 * `Date.now()` ticks over to the next millisecond: at that moment the wall clock is exactly on a whole
 * millisecond, and the monotonic readings around it fix the offset to within a fraction of a microsecond.
 * If the thread was preempted around the tick, it waits for the next one (spinning 20 ms at most).
 *
 * The wall clock can be stepped (by an operator, chronyd or ntpd) while the monotonic timer is not. So
 * at most once per `checkIntervalMs`, a read also compares the result with `Date.now()`; when they disagree
 * by more than the wall clock's millisecond plus the anchor's uncertainty and `toleranceMs`, the clock
 * re-anchors. A read costs one `hrtime` call and a bigint addition; a check adds a `Date.now()` and two
 * `hrtime` calls.
 */
export function createSystemClock(options: SystemClockOptions = {}): SystemClock {
  const clock = createAnchoredClock(
    {
      readWallMs: options.wallClockMs ?? Date.now,
      readMonoNs: options.monotonicNs ?? process.hrtime.bigint,
    },
    { checkIntervalNs: nsOfMs(options.checkIntervalMs), toleranceNs: nsOfMs(options.toleranceMs) },
  );
  // `now` of an anchored clock uses no `this`: hand it on as is, one call per read.
  return { now: clock.now, anchors: clock.anchors, uncertaintyNs: () => clock.anchor().uncertainty };
}
