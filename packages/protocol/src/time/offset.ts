import type { Instant } from './instant.ts';

/**
 * The four timestamps of one request/response exchange, in the order NTP names them.
 */
export interface ExchangeTimestamps {
  /** T1: when the client sent the request (client clock). */
  readonly t1: Instant;
  /** T2: when the server received it (server clock). */
  readonly t2: Instant;
  /** T3: when the server sent the reply (server clock). */
  readonly t3: Instant;
  /** T4: when the client received the reply (client clock). */
  readonly t4: Instant;
}

/** Clock offset and round-trip delay of one exchange, in milliseconds (fractions kept). */
export interface OffsetAndDelay {
  /** How far the server's clock is ahead of the client's: positive when the server is ahead. */
  readonly offsetMs: number;
  /** Round-trip network delay, excluding the server's processing time. Never negative. */
  readonly delayMs: number;
}

/**
 * Computes the clock offset θ = ((T2 − T1) + (T3 − T4)) / 2 and the round-trip delay
 * δ = (T4 − T1) − (T3 − T2) of RFC 5905 §8 from the four timestamps.
 *
 * The delay is clamped at zero: a negative value only arises from clock steps or timestamp error
 * and would make no sense to report.
 */
export function offsetAndDelay(ts: ExchangeTimestamps): OffsetAndDelay {
  const offsetNs = (ts.t2 - ts.t1 + (ts.t3 - ts.t4)) / 2n;
  const delayNs = ts.t4 - ts.t1 - (ts.t3 - ts.t2);
  return {
    offsetMs: Number(offsetNs) / 1e6,
    delayMs: delayNs > 0n ? Number(delayNs) / 1e6 : 0,
  };
}
