/**
 * An instant on the UTC time line: whole nanoseconds since the Unix epoch (1970-01-01T00:00:00Z), as a
 * `bigint`. Nanoseconds keep NTP's 32-bit fractions (about 0.23 ns) within one unit and never lose the
 * sub-millisecond part that a `number` of milliseconds would round away at today's magnitudes.
 *
 * The protocol package never reads a clock: callers pass instants in.
 */
export type Instant = bigint;

/** Nanoseconds in one millisecond. */
export const NS_PER_MS = 1_000_000n;
/** Nanoseconds in one second. */
export const NS_PER_SECOND = 1_000_000_000n;

/**
 * Converts milliseconds since the Unix epoch (fractions allowed, as in a JSON envelope's `t2`) to an
 * {@link Instant}, rounded to the nearest microsecond: a double of milliseconds holds no more than that at
 * today's magnitudes (its unit in the last place is about 0.24 µs).
 * @throws RangeError when `ms` is not a finite number.
 */
export function instantFromMs(ms: number): Instant {
  if (!Number.isFinite(ms)) throw new RangeError(`not a finite number of milliseconds: ${ms}`);
  const whole = Math.floor(ms);
  return BigInt(whole) * NS_PER_MS + BigInt(Math.round((ms - whole) * 1e3)) * 1_000n;
}

/**
 * Converts an {@link Instant} to milliseconds since the Unix epoch, keeping the fraction to the microsecond
 * (a double cannot hold nanoseconds at today's magnitudes).
 */
export function instantToMs(instant: Instant): number {
  return Number(floorDiv(instant, 1_000n)) / 1_000;
}

/** Converts an {@link Instant} to a `Date` (which keeps whole milliseconds only). */
export function instantToDate(instant: Instant): Date {
  return new Date(Number(floorDiv(instant, NS_PER_MS)));
}

/** Integer division rounding towards negative infinity (bigint `/` truncates towards zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
