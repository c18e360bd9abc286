import { anchorAgrees, CLOCK_ANCHORING, type TimeSources, takeAnchor } from '@tock/protocol';

/** Where a {@link createMsClock} clock reads time; the defaults are the thread's own clocks. */
export interface MsClockSources {
  /** The wall clock, whole milliseconds since the Unix epoch (`Date.now`). It may be stepped. */
  readonly wallMs: () => number;
  /** A monotonic clock in milliseconds with sub-microsecond resolution (`performance.now`). */
  readonly monotonicMs: () => number;
}

const SYSTEM: MsClockSources = { wallMs: () => Date.now(), monotonicMs: () => performance.now() };
const CHECK_INTERVAL_MS = Number(CLOCK_ANCHORING.checkIntervalNs) / 1e6;

/**
 * A clock in milliseconds since the Unix epoch with microsecond precision that follows the wall clock,
 * steps included, like tockd's and tock's: it anchors to a `Date.now()` tick with the protocol package's
 * `takeAnchor` (the same constants, `CLOCK_ANCHORING`), advances with the monotonic clock, and at most once
 * a second checks the anchor against the wall clock (`anchorAgrees`), anchoring again when it was stepped.
 * A read is one `performance.now()` and an addition; the first read anchors (spinning about 1 ms, 5 at most).
 *
 * @param sources - the clocks to read (tests pass simulated ones).
 */
export function createMsClock(sources: MsClockSources = SYSTEM): () => number {
  const { monotonicMs } = sources;
  const time: TimeSources = {
    readWallMs: sources.wallMs,
    readMonoNs: () => BigInt(Math.round(monotonicMs() * 1e6)),
  };
  let anchor: ReturnType<typeof takeAnchor> | undefined;
  let offsetMs = 0;
  let nextCheckMs = Number.NEGATIVE_INFINITY;

  const follow = (): void => {
    if (anchor === undefined || !anchorAgrees(anchor, time)) {
      anchor = takeAnchor(time);
      offsetMs = Number(anchor.wall - anchor.monotonic) / 1e6;
    }
    nextCheckMs = monotonicMs() + CHECK_INTERVAL_MS;
  };

  return () => {
    let at = monotonicMs();
    if (at >= nextCheckMs) {
      follow();
      at = monotonicMs();
    }
    return at + offsetMs;
  };
}

/**
 * The one clock of the load generator: milliseconds since the Unix epoch with microsecond precision,
 * anchored to the wall clock and advanced by the monotonic clock; it follows steps of the system clock
 * within a second (see {@link createMsClock}). Latencies are differences of two readings; reply validation
 * compares a server's time with readings taken at send and receive. Readings from different worker threads
 * agree to within microseconds (each thread anchors to the same wall clock). It anchors as its module loads
 * (about 1 ms), so that no run's schedule pays for it.
 */
export const nowMs: () => number = createMsClock();
nowMs();
