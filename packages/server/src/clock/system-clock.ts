import type { Clock, Instant } from '@tock/protocol';

const NS_PER_MS = 1_000_000n;
/**
 * The widest window (in monotonic time) in which a wall clock tick may be pinned down for the anchor to be
 * used: the anchor is off by at most half of it. Normally a window is a few hundred nanoseconds; a wider one
 * means the thread was preempted between reads, and the clock waits for the next tick instead.
 */
const MAX_TICK_WINDOW_NS = 20_000n;
/** Stop waiting for a narrow window after this long, and use the narrowest seen (or guess, if none). */
const SPIN_LIMIT_NS = 20n * NS_PER_MS;

/** Where a {@link SystemClock} reads time. Tests replace them; the defaults are the process's clocks. */
export interface SystemClockOptions {
  /** The wall clock, whole milliseconds since the Unix epoch (default `Date.now`). */
  readonly wallClockMs?: () => number;
  /** A monotonic clock in nanoseconds with an arbitrary origin (default `process.hrtime.bigint`). */
  readonly monotonicNs?: () => bigint;
  /** How often, at most, to compare the two clocks (default 1000 ms). */
  readonly checkIntervalMs?: number;
  /** How far the clocks may disagree beyond the wall clock's 1 ms resolution before re-anchoring (default 1 ms). */
  readonly toleranceMs?: number;
}

/** A clock with sub-millisecond resolution that follows the system's wall clock. */
export interface SystemClock {
  /** The current instant (ns since the Unix epoch). A plain function: pass it wherever a `Clock` is needed. */
  readonly now: Clock;
  /** How many times the clock anchored itself to the wall clock: 1 after creation, one more per step seen. */
  anchors(): number;
}

/**
 * Creates a clock that reads the monotonic high-resolution timer (`process.hrtime.bigint()`, nanoseconds)
 * and adds an offset that anchors it to the wall clock.
 *
 * `Date.now()` alone has 1 ms resolution. To anchor precisely, the clock spins (about 1 ms, once) until
 * `Date.now()` ticks over to the next millisecond: at that moment the wall clock is exactly on a whole
 * millisecond, and the monotonic readings around it fix the offset to within a fraction of a microsecond.
 * If the thread was preempted around the tick, it waits for the next one (spinning 20 ms at most).
 *
 * The wall clock can be stepped (by an operator, chronyd or ntpd) while the monotonic timer is not. So
 * at most once per `checkIntervalMs`, a read also compares the result with `Date.now()`; when they disagree
 * by more than the wall clock's millisecond plus `toleranceMs`, the clock re-anchors. A read costs one
 * `hrtime` call and a bigint addition; a check adds a `Date.now()` and two `hrtime` calls.
 */
export function createSystemClock(options: SystemClockOptions = {}): SystemClock {
  const wallClockMs = options.wallClockMs ?? Date.now;
  const monotonicNs = options.monotonicNs ?? process.hrtime.bigint;
  const checkIntervalNs = BigInt(Math.round((options.checkIntervalMs ?? 1000) * 1e6));
  const toleranceNs = BigInt(Math.round((options.toleranceMs ?? 1) * 1e6));
  let offsetNs = 0n;
  let nextCheckNs = 0n;
  let anchors = 0;

  const wallNs = (): bigint => BigInt(Math.floor(wallClockMs())) * NS_PER_MS;

  function anchor(): void {
    const start = monotonicNs();
    let previousBefore = start;
    let previousWall = wallNs();
    let best: { offset: bigint; window: bigint } | undefined;
    for (;;) {
      const before = monotonicNs();
      const wall = wallNs();
      const after = monotonicNs();
      if (wall !== previousWall) {
        // The wall clock ticked over to `wall` after the previous read began (after `previousBefore`) and
        // before this one ended (before `after`): take the middle of that window.
        const window = after - previousBefore;
        const offset = wall - (previousBefore + after) / 2n;
        if (best === undefined || window < best.window) best = { offset, window };
        if (window <= MAX_TICK_WINDOW_NS) break;
      }
      if (after - start > SPIN_LIMIT_NS) break;
      previousBefore = before;
      previousWall = wall;
    }
    // A wall clock that never ticked (frozen, or faked): the best guess is the middle of its millisecond.
    offsetNs = best?.offset ?? wallNs() + NS_PER_MS / 2n - monotonicNs();
    nextCheckNs = monotonicNs() + checkIntervalNs;
    anchors++;
  }

  function check(): void {
    const before = monotonicNs();
    const wall = wallNs();
    const after = monotonicNs();
    // Date.now() truncates, so when it was read the true time was in [wall, wall + 1 ms); that moment lies
    // between `before` and `after`.
    if (after + offsetNs - wall < -toleranceNs || before + offsetNs - wall >= NS_PER_MS + toleranceNs)
      anchor();
    else nextCheckNs = after + checkIntervalNs;
  }

  anchor();
  const now = (): Instant => {
    const at = monotonicNs();
    if (at >= nextCheckNs) check();
    return at + offsetNs;
  };
  return { now, anchors: () => anchors };
}
