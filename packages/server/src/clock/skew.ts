import type { Clock, Instant } from '@tock/protocol';

/** How a deliberately wrong clock differs from the true one; see {@link createSkew}. */
export interface SkewOptions {
  /** Added to every instant, in nanoseconds (positive: the served clock is ahead). */
  readonly offsetNs: bigint;
  /** How much faster the served clock runs, in parts per million (negative: slower). */
  readonly ratePpm: number;
  /**
   * The instant at which the rate error starts to add up (the served clock equals the true one plus the
   * offset at that instant). Every worker of one server must use the same one.
   */
  readonly epoch: Instant;
}

/**
 * Maps a true instant to the instant a skewed server shows: `t + offset + (t − epoch) × rate / 10⁶`.
 * `undefined` when the skew is zero, so that the common case costs nothing.
 */
export type Skew = ((trueInstant: Instant) => Instant) | undefined;

/**
 * Builds the function that turns true instants into the ones a deliberately wrong clock serves, for
 * `--clock-offset` and `--clock-rate`. The rate is applied in parts per billion (0.001 ppm steps), exactly in
 * integer nanoseconds.
 */
export function createSkew(options: SkewOptions): Skew {
  const { offsetNs, epoch } = options;
  const ppb = BigInt(Math.round(options.ratePpm * 1000));
  if (ppb === 0n) return offsetNs === 0n ? undefined : (t) => t + offsetNs;
  return (t) => t + offsetNs + ((t - epoch) * ppb) / 1_000_000_000n;
}

/** `clock` seen through `skew`: the clock a skewed server serves. */
export function skewedClock(clock: Clock, skew: Skew): Clock {
  return skew === undefined ? clock : () => skew(clock());
}
