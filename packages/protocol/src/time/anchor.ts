import { type Instant, NS_PER_MS } from './instant.ts';

/**
 * Where an anchored clock reads time. The protocol package never reads a clock itself: the caller passes
 * these in (the system's `Date.now` and `process.hrtime.bigint`, or simulated ones in tests).
 */
export interface TimeSources {
  /** The wall clock, whole milliseconds since the Unix epoch, as `Date.now()` gives it. It may be stepped. */
  readonly readWallMs: () => number;
  /** A monotonic clock in nanoseconds with an arbitrary origin; never stepped. */
  readonly readMonoNs: () => bigint;
}

/**
 * The constants of every tock clock (tockd's, tock's and tock-loadgen's), in nanoseconds:
 * - `goodBracketNs` (10 µs): a tick pinned down within this much monotonic time is taken at once (the
 *   anchor is then off by at most half of it). A few hundred nanoseconds is normal; a wider bracket means
 *   the thread was preempted at the tick, and the search waits for the next one.
 * - `maxSpinNs` (20 ms): the longest an anchor search spins; then the tightest bracket seen is kept (or,
 *   for a wall clock that never ticks, the middle of its millisecond). Twenty ticks to try: on a busy
 *   machine 5 ms left anchors 2 ms off, which put a server's transmit time before a kernel receive stamp.
 * - `toleranceNs` (100 µs): how far an anchored clock may disagree with the wall clock, beyond the anchor's
 *   own uncertainty and the wall clock's 1 ms truncation, before it counts as stepped.
 * - `checkIntervalNs` (1 s): how often, at most, a running clock compares itself with the wall clock, and
 *   how long a poor anchor (bracket wider than `goodBracketNs`) is trusted.
 */
export const CLOCK_ANCHORING: {
  readonly goodBracketNs: bigint;
  readonly maxSpinNs: bigint;
  readonly toleranceNs: bigint;
  readonly checkIntervalNs: bigint;
} = {
  goodBracketNs: 10_000n,
  maxSpinNs: 20_000_000n,
  toleranceNs: 100_000n,
  checkIntervalNs: 1_000_000_000n,
};

/** A wall-clock instant paired with the monotonic reading taken at the same moment. */
export interface Anchor {
  readonly wall: Instant;
  readonly monotonic: bigint;
  /** How far off the pairing may be, in nanoseconds: half the bracket around the tick. */
  readonly uncertainty: bigint;
}

/**
 * Takes an anchor at a moment the wall clock ticks to its next millisecond: at that moment the wall clock
 * is exactly on a whole millisecond. The tick happened between two wall readings, which are bracketed by
 * monotonic readings; the anchor is the middle of that bracket, exact to one loop iteration rather than the
 * 1 ms `Date.now()` truncates to. A bracket wider than `goodBracketNs` means the thread was preempted at
 * the wrong moment: the search waits for the next tick, for at most `maxSpinNs`, then keeps the tightest
 * bracket seen. If no tick is seen at all (a frozen wall clock), the anchor is the middle of the last
 * millisecond read, with half a millisecond of uncertainty. See {@link CLOCK_ANCHORING}.
 */
export function takeAnchor(sources: TimeSources): Anchor {
  const { readWallMs, readMonoNs } = sources;
  let before = readMonoNs();
  let ms = readWallMs();
  const deadline = before + CLOCK_ANCHORING.maxSpinNs;
  let best: Anchor | undefined;
  let bestBracket = 0n;
  for (;;) {
    const previousBefore = before;
    const previousMs = ms;
    before = readMonoNs();
    ms = readWallMs();
    if (ms !== previousMs) {
      // The tick came after the previous wall reading began and before this one ended.
      const after = readMonoNs();
      const bracket = after - previousBefore;
      if (best === undefined || bracket < bestBracket) {
        best = {
          wall: BigInt(ms) * NS_PER_MS,
          monotonic: previousBefore + bracket / 2n,
          uncertainty: bracket / 2n,
        };
        bestBracket = bracket;
      }
      if (bracket <= CLOCK_ANCHORING.goodBracketNs) return best;
    }
    if (before > deadline) {
      return (
        best ?? {
          wall: BigInt(ms) * NS_PER_MS + NS_PER_MS / 2n,
          monotonic: before,
          uncertainty: NS_PER_MS / 2n,
        }
      );
    }
  }
}

/** The time an anchor gives at monotonic time `monoNs`: its wall time plus the monotonic time since. */
export function readAnchored(anchor: Anchor, monoNs: bigint): Instant {
  return anchor.wall + (monoNs - anchor.monotonic);
}

/**
 * Whether an anchor still agrees with the wall clock, that is, the wall clock was not stepped since it was
 * taken. `Date.now()` truncates, so the true time lies in [wall, wall + 1 ms); the anchored clock, read just
 * before and just after the wall clock, must overlap that interval, give or take the anchor's uncertainty
 * plus `toleranceNs` (default `CLOCK_ANCHORING.toleranceNs`, 100 µs).
 */
export function anchorAgrees(
  anchor: Anchor,
  sources: TimeSources,
  toleranceNs: bigint = CLOCK_ANCHORING.toleranceNs,
): boolean {
  const before = readAnchored(anchor, sources.readMonoNs());
  const wall = BigInt(sources.readWallMs()) * NS_PER_MS;
  const after = readAnchored(anchor, sources.readMonoNs());
  const slack = anchor.uncertainty + toleranceNs;
  return after >= wall - slack && before < wall + NS_PER_MS + slack;
}

/**
 * Whether an anchor was taken on a poor bracket (wider than `goodBracketNs`, a busy machine) and is older
 * than `checkIntervalNs`: worth replacing where a new search costs nothing to anyone (before a query).
 */
export function anchorIsPoorAndOld(anchor: Anchor, monoNs: bigint): boolean {
  return (
    anchor.uncertainty > CLOCK_ANCHORING.goodBracketNs / 2n &&
    monoNs - anchor.monotonic > CLOCK_ANCHORING.checkIntervalNs
  );
}

/** A clock that follows the wall clock with the monotonic clock's resolution; see {@link createAnchoredClock}. */
export interface AnchoredClock {
  /** The current instant: one monotonic read plus the anchor's offset (and, at most once per check interval, a check). */
  now(): Instant;
  /** The anchor in use (it changes when the wall clock is stepped). */
  anchor(): Anchor;
  /** How many anchors were taken: 1 after creation, one more per step seen. */
  anchors(): number;
}

/** Options of {@link createAnchoredClock}; the defaults are {@link CLOCK_ANCHORING}'s. */
export interface AnchoredClockOptions {
  /** How often, at most, to compare with the wall clock, in nanoseconds (default 1 s). */
  readonly checkIntervalNs?: bigint;
  /** How far the clocks may disagree beyond the anchor's uncertainty and 1 ms before re-anchoring (default 100 µs). */
  readonly toleranceNs?: bigint;
}

/**
 * Creates a clock with the monotonic clock's resolution that follows the wall clock, steps included: it
 * anchors at once ({@link takeAnchor}); each read is the monotonic time plus the anchor's offset; at most
 * once per `checkIntervalNs` a read also checks the anchor against the wall clock ({@link anchorAgrees})
 * and takes a new one when the wall clock was stepped. A poor anchor (taken on a busy machine) is kept
 * while it agrees: a server must not spin for a new one in its datagram loop every second.
 */
export function createAnchoredClock(sources: TimeSources, options: AnchoredClockOptions = {}): AnchoredClock {
  const { readMonoNs } = sources;
  const checkIntervalNs = options.checkIntervalNs ?? CLOCK_ANCHORING.checkIntervalNs;
  const toleranceNs = options.toleranceNs ?? CLOCK_ANCHORING.toleranceNs;
  let current = takeAnchor(sources);
  let offsetNs = current.wall - current.monotonic;
  let anchors = 1;
  let nextCheckNs = readMonoNs() + checkIntervalNs;

  const check = (): void => {
    if (!anchorAgrees(current, sources, toleranceNs)) {
      current = takeAnchor(sources);
      offsetNs = current.wall - current.monotonic;
      anchors++;
    }
    nextCheckNs = readMonoNs() + checkIntervalNs;
  };

  return {
    now(): Instant {
      let at = readMonoNs();
      if (at >= nextCheckNs) {
        check();
        at = readMonoNs();
      }
      return at + offsetNs;
    },
    anchor: () => current,
    anchors: () => anchors,
  };
}
