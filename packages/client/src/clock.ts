import { type Instant, NS_PER_MS } from '@tock/protocol';

/**
 * The client's clock: wall-clock time as an {@link Instant} (nanoseconds since the epoch) with the
 * resolution of `process.hrtime.bigint()` instead of the whole milliseconds of `Date.now()`.
 *
 * How: an anchor pairs one wall-clock reading with one monotonic reading; later times are the anchor's wall
 * time plus the monotonic time elapsed since. The anchor is taken at the instant `Date.now()` ticks to a new
 * millisecond, so it is exact to one loop iteration (well under a microsecond) rather than to the 1 ms that
 * `Date.now()` truncates to. A query takes one {@link WallClock} for all its timestamps, so T1 and T4 come
 * from the same monotonic base and a clock step during the exchange cannot distort the delay. Before each
 * query the anchor is checked against `Date.now()` and taken again when the wall clock was stepped.
 */
export type WallClock = () => Instant;

/** Where the clock reads time from; replaced in tests. */
export interface ClockSources {
  /** Wall clock, whole milliseconds since the epoch (`Date.now`). */
  readonly wallMs: () => number;
  /** Monotonic clock in nanoseconds (`process.hrtime.bigint`). */
  readonly monotonicNs: () => bigint;
}

/** A wall-clock instant paired with the monotonic reading taken at the same moment. */
export interface Anchor {
  readonly wall: Instant;
  readonly monotonic: bigint;
  /** How far off the pairing may be, in nanoseconds: half the bracket around the tick. */
  readonly uncertainty: bigint;
}

const SYSTEM_SOURCES: ClockSources = { wallMs: () => Date.now(), monotonicNs: () => process.hrtime.bigint() };

/** The longest the anchor search spins waiting for good `Date.now()` ticks, in nanoseconds. */
const MAX_SPIN_NS = 5_000_000n;

/** An anchor whose tick is bracketed this tightly is taken at once (a few loop iterations). */
const GOOD_BRACKET_NS = 5_000n;

/** How far an anchored clock may stray from the wall clock, beyond its own uncertainty, before it is re-anchored. */
const TOLERANCE_NS = 100_000n;

/** A poor anchor (taken while the machine was busy) is replaced at the first query after this many ns. */
const POOR_ANCHOR_LIFETIME_NS = 1_000_000_000n;

/**
 * Takes an anchor at a moment the wall clock ticks to its next millisecond. The tick happened between two
 * wall readings, which are bracketed by monotonic readings; the anchor is the middle of that bracket. A
 * bracket wider than a few microseconds means the thread was preempted at the wrong moment, so the search
 * waits for the next tick, for at most {@link MAX_SPIN_NS}, and then keeps the tightest bracket seen. If no
 * tick is seen at all (a frozen wall clock), the anchor is the middle of the last millisecond read.
 */
export function takeAnchor(sources: ClockSources = SYSTEM_SOURCES): Anchor {
  let before = sources.monotonicNs();
  let ms = sources.wallMs();
  const deadline = before + MAX_SPIN_NS;
  let best: { anchor: Anchor; bracket: bigint } | undefined;
  for (;;) {
    const previousBefore = before;
    const previousMs = ms;
    before = sources.monotonicNs();
    ms = sources.wallMs();
    if (ms !== previousMs) {
      // The tick came after the previous wall reading began and before this one ended.
      const after = sources.monotonicNs();
      const bracket = after - previousBefore;
      if (best === undefined || bracket < best.bracket) {
        best = {
          anchor: {
            wall: BigInt(ms) * NS_PER_MS,
            monotonic: previousBefore + bracket / 2n,
            uncertainty: bracket / 2n,
          },
          bracket,
        };
      }
      if (bracket <= GOOD_BRACKET_NS) return best.anchor;
    }
    if (before > deadline) {
      return (
        best?.anchor ?? {
          wall: BigInt(ms) * NS_PER_MS + NS_PER_MS / 2n,
          monotonic: before,
          uncertainty: NS_PER_MS / 2n,
        }
      );
    }
  }
}

/** Reads an anchored clock: the anchor's wall time plus the monotonic time elapsed since. */
export function readAnchored(anchor: Anchor, sources: ClockSources = SYSTEM_SOURCES): Instant {
  return anchor.wall + (sources.monotonicNs() - anchor.monotonic);
}

/**
 * Whether an anchor still agrees with the wall clock, that is, the wall clock was not stepped since it was
 * taken. `Date.now()` truncates, so the true time lies in [wall, wall + 1 ms); the anchored clock, read just
 * before and just after the wall clock, must overlap that interval (within a small tolerance).
 */
export function anchorAgrees(anchor: Anchor, sources: ClockSources = SYSTEM_SOURCES): boolean {
  const before = readAnchored(anchor, sources);
  const wall = BigInt(sources.wallMs()) * NS_PER_MS;
  const after = readAnchored(anchor, sources);
  const slack = anchor.uncertainty + TOLERANCE_NS;
  return after >= wall - slack && before < wall + NS_PER_MS + slack;
}

/**
 * Makes a source of {@link WallClock}s that share one anchor for as long as it agrees with the wall clock
 * (a poor anchor, taken on a busy machine, is replaced after a second). Call the result once per query.
 */
export function createClockSource(sources: ClockSources = SYSTEM_SOURCES): () => WallClock {
  let anchor: Anchor | undefined;
  const stale = (a: Anchor): boolean =>
    !anchorAgrees(a, sources) ||
    (a.uncertainty > GOOD_BRACKET_NS / 2n && sources.monotonicNs() - a.monotonic > POOR_ANCHOR_LIFETIME_NS);
  return () => {
    if (anchor === undefined || stale(anchor)) anchor = takeAnchor(sources);
    const fixed = anchor;
    return () => readAnchored(fixed, sources);
  };
}

/** The process-wide clock source used by {@link query}. */
export const systemClock: () => WallClock = createClockSource();
