/**
 * Measurements taken on a shared, busy machine: a scheduler can delay one exchange by milliseconds, which a
 * program that is correct cannot prevent, while a real fault (a clock read in the wrong place, a wrong
 * timestamp) shows in every attempt. {@link bestOf} measures up to `attempts` times and returns the
 * measurement closest to the truth, stopping at the first one within `limit`; the test then asserts on it.
 */
export async function bestOf<T>(
  attempts: number,
  measure: () => Promise<T>,
  error: (measurement: T) => number,
  limit: number,
): Promise<T> {
  let best: T | undefined;
  for (let i = 0; i < attempts; i++) {
    const measurement = await measure();
    if (best === undefined || error(measurement) < error(best)) best = measurement;
    if (error(measurement) < limit) break;
  }
  return best as T;
}

/** For {@link bestOf}: how far a measured offset (`offsetS`, null when none was read) is from `expectedS`. */
export const offsetError =
  (expectedS: number) =>
  (measurement: { readonly offsetS: number | null }): number =>
    measurement.offsetS === null ? Number.POSITIVE_INFINITY : Math.abs(measurement.offsetS - expectedS);
