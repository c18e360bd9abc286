import {
  type Anchor,
  anchorAgrees as agrees,
  anchorIsPoorAndOld,
  type Instant,
  readAnchored as readAt,
  type TimeSources,
  takeAnchor as take,
} from '@tock/protocol';

/**
 * The client's clock: wall-clock time as an {@link Instant} (nanoseconds since the epoch) with the
 * resolution of `process.hrtime.bigint()` instead of the whole milliseconds of `Date.now()`.
 *
 * The anchoring (pairing a `Date.now()` tick with a monotonic reading, checking it against the wall clock)
 * is the protocol package's `takeAnchor` / `anchorAgrees`, shared with tockd and tock-loadgen, with the same
 * constants (`CLOCK_ANCHORING`). What is the client's own: a query takes one {@link WallClock} for all its
 * timestamps, so T1 and T4 come from the same monotonic base and a clock step during the exchange cannot
 * distort the delay; before each query the anchor is checked against `Date.now()` and taken again when the
 * wall clock was stepped, or when it was a poor anchor (taken on a busy machine) older than a second.
 */
export type WallClock = () => Instant;

/** Where the clock reads time from; replaced in tests. */
export interface ClockSources {
  /** Wall clock, whole milliseconds since the epoch (`Date.now`). */
  readonly wallMs: () => number;
  /** Monotonic clock in nanoseconds (`process.hrtime.bigint`). */
  readonly monotonicNs: () => bigint;
}

export type { Anchor };

const SYSTEM_SOURCES: ClockSources = { wallMs: () => Date.now(), monotonicNs: () => process.hrtime.bigint() };

const timeSources = (s: ClockSources): TimeSources => ({ readWallMs: s.wallMs, readMonoNs: s.monotonicNs });

/** Takes an anchor at a moment the wall clock ticks to its next millisecond (the protocol's `takeAnchor`). */
export function takeAnchor(sources: ClockSources = SYSTEM_SOURCES): Anchor {
  return take(timeSources(sources));
}

/** Reads an anchored clock: the anchor's wall time plus the monotonic time elapsed since. */
export function readAnchored(anchor: Anchor, sources: ClockSources = SYSTEM_SOURCES): Instant {
  return readAt(anchor, sources.monotonicNs());
}

/**
 * Whether an anchor still agrees with the wall clock (within its uncertainty plus 0.1 ms), that is, the wall
 * clock was not stepped since it was taken (the protocol's `anchorAgrees`).
 */
export function anchorAgrees(anchor: Anchor, sources: ClockSources = SYSTEM_SOURCES): boolean {
  return agrees(anchor, timeSources(sources));
}

/**
 * Makes a source of {@link WallClock}s that share one anchor for as long as it agrees with the wall clock
 * (a poor anchor, taken on a busy machine, is replaced after a second). Call the result once per query.
 */
export function createClockSource(sources: ClockSources = SYSTEM_SOURCES): () => WallClock {
  const time = timeSources(sources);
  let anchor: Anchor | undefined;
  const stale = (a: Anchor): boolean => !agrees(a, time) || anchorIsPoorAndOld(a, sources.monotonicNs());
  return () => {
    if (anchor === undefined || stale(anchor)) anchor = take(time);
    const fixed = anchor;
    return () => readAt(fixed, sources.monotonicNs());
  };
}

/** The process-wide clock source used by {@link query}. */
export const systemClock: () => WallClock = createClockSource();
