/**
 * The one clock of the load generator: milliseconds since the Unix epoch with microsecond precision,
 * anchored to the wall clock when the thread started and advanced by the monotonic clock. Latencies are
 * differences of two readings; reply validation compares a server's time with readings taken at send and
 * receive. Readings from different worker threads agree to within microseconds.
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
