import { randomInt } from 'node:crypto';
import { createRangeMatcher, IPV4, parseAddress, parseCidr, type RangeMatcher } from '@tock/protocol';

/** What {@link createRateLimiter} enforces (the `rateLimit` options of the server). */
export interface RateLimitSettings {
  /** Replies per second each source may get, on average. 0 turns rate limiting off. */
  readonly rate: number;
  /** How many replies a source may get in a burst, above the average rate. */
  readonly burst: number;
  /** The most sources tracked at once; fixes the table's memory (40 bytes a source). */
  readonly table: number;
  /** Sources never limited: CIDR ranges or single addresses. */
  readonly exempt: readonly string[];
}

/**
 * The chance that a request over its source's limit is answered anyway, as long as the source's debt allows
 * (chrony's `leak`, 1 in 4 by default there too). See {@link createRateLimiter}.
 */
export const LEAK_PROBABILITY = 0.25;

/** The least time between two RATE Kiss-o'-Death replies to one source, in milliseconds. */
export const KISS_OF_DEATH_INTERVAL_MS = 1000;

/** How many neighbouring slots a source may land in; the least recently seen of them is replaced when full. */
const PROBES = 8;
const HEADER_INTS = 4; // [seed, sources tracked, unused, unused]
const INTS_PER_SLOT = 4; // [lock, family (0 = empty), key word 1, key word 2]
const FLOATS_PER_SLOT = 3; // [tokens, last seen (ms), last Kiss-o'-Death (ms)]
/** Bytes of shared memory per tracked source. */
export const RATE_LIMIT_BYTES_PER_SOURCE: number = INTS_PER_SLOT * 4 + FLOATS_PER_SLOT * 8;
/** Lock attempts before giving up and refusing (never blocks the datagram loop for long). */
const LOCK_SPINS = 1000;

/** Per-source rate limiting over a fixed-size table in shared memory; see {@link createRateLimiter}. */
export interface RateLimiter {
  /**
   * Decides whether a datagram from `source` that arrived at `nowMs` is answered, and charges its source.
   * `source` is the address as words, `[family, w0, w1, w2, w3]` (the protocol's `parseAddress`, which the
   * transports fill in without making text); family 0 (not an IP address) is always answered. Exempt sources
   * are always answered and never tracked.
   */
  admit(source: Uint32Array, nowMs: number): boolean;
  /** {@link RateLimiter.admit} for an address as text (`192.0.2.1`, `::ffff:192.0.2.1`, `2001:db8::1`): parses it first. */
  admitAddress(address: string, nowMs: number): boolean;
  /**
   * After {@link RateLimiter.admit} refused a datagram: whether its source may be sent a RATE
   * Kiss-o'-Death now. At most one per source per {@link KISS_OF_DEATH_INTERVAL_MS}; a yes is recorded.
   */
  kissOfDeath(nowMs: number): boolean;
  /** How many sources the table tracks now (at most {@link RateLimiter.capacity}). */
  sources(): number;
  /** How many tracked sources are over their limit at `nowMs` (a scan of the table: for metrics, not per datagram). */
  limitedSources(nowMs: number): number;
  /** The most sources tracked at once. */
  readonly capacity: number;
  /** The shared memory holding the table: pass it to {@link createRateLimiter} in other threads to share it. */
  readonly buffer: SharedArrayBuffer;
}

/** Bytes of shared memory a table of `sources` sources takes. */
export function rateLimitBufferBytes(sources: number): number {
  return HEADER_INTS * 4 + sources * RATE_LIMIT_BYTES_PER_SOURCE;
}

/**
 * Creates a per-source rate limiter, in the manner of chrony's `ratelimit`.
 *
 * - **Source.** An IPv4 address, or an IPv6 /64 (one IPv6 host usually holds a whole /64, and could
 *   otherwise rotate addresses to escape its limit). IPv4 clients of a dual-stack socket count as IPv4.
 * - **Token bucket.** Each source earns `rate` tokens a second, up to `burst`; a reply costs one.
 * - **Leak.** A request that finds less than one token is still answered with probability
 *   {@link LEAK_PROBABILITY}, as long as the source's debt stays under `burst` tokens. So a source never
 *   gets more than about `rate` replies a second over time (plus at most twice `burst` once), yet an
 *   attacker who forges a victim's address cannot silence the victim by timing its packets to take every
 *   token as it comes: the tokens go to random requests, the victim's among them.
 * - **Bounded memory.** The table has `table` slots in one block of shared memory allocated up front,
 *   whatever the number of sources. A new source takes a free slot among {@link PROBES} neighbours chosen
 *   by a keyed hash (a random key per table, so senders cannot aim at one slot), or else the least recently
 *   seen of them: an active flooder stays tracked while thousands of one-off sources come and go.
 * - **Threads.** Worker threads share one table (pass `buffer`); each slot has a spin lock taken for a
 *   few instructions. If a slot's lock cannot be had at once, the source is busy in another worker: its
 *   datagram is refused like any over the limit.
 *
 * @param settings - see {@link RateLimitSettings}; `exempt` must hold valid ranges.
 * @param shared - `buffer`: attach to the table of another limiter; `random`: the leak's coin (tests).
 * @throws RangeError when an exempt range is not a valid CIDR range.
 */
export function createRateLimiter(
  settings: RateLimitSettings,
  shared: { readonly buffer?: SharedArrayBuffer; readonly random?: () => number } = {},
): RateLimiter {
  const { rate, burst } = settings;
  const capacity = settings.table;
  const random = shared.random ?? Math.random;
  const buffer = shared.buffer ?? new SharedArrayBuffer(rateLimitBufferBytes(capacity));
  if (buffer.byteLength !== rateLimitBufferBytes(capacity))
    throw new RangeError('the shared rate-limit table does not have the size of these settings');
  const ints = new Int32Array(buffer, 0, HEADER_INTS + capacity * INTS_PER_SLOT);
  const floats = new Float64Array(buffer, ints.byteLength, capacity * FLOATS_PER_SLOT);
  if (shared.buffer === undefined) ints[0] = randomInt(0x7fff_ffff);
  const seed = ints[0]!;
  const exempt: RangeMatcher = createRangeMatcher(
    settings.exempt.map((text) => {
      const range = parseCidr(text);
      if (range === undefined) throw new RangeError(`not an address range: ${text}`);
      return range;
    }),
  );
  const ratePerMs = rate / 1000;
  const parsed = new Uint32Array(5);
  const probes = Math.min(PROBES, capacity);
  let lastLimited = -1;
  // The last exempt source's words (family 0: none yet).
  let exemptFamily = 0;
  let exempt1 = 0;
  let exempt2 = 0;
  let exempt3 = 0;
  let exempt4 = 0;

  const lock = (slot: number): boolean => {
    const at = HEADER_INTS + slot * INTS_PER_SLOT;
    for (let n = 0; n < LOCK_SPINS; n++) if (Atomics.compareExchange(ints, at, 0, 1) === 0) return true;
    return false;
  };
  const unlock = (slot: number): void => {
    Atomics.store(ints, HEADER_INTS + slot * INTS_PER_SLOT, 0);
  };

  const limiter: RateLimiter = {
    capacity,
    buffer,

    admitAddress(address: string, nowMs: number): boolean {
      return parseAddress(address, parsed) === 0 || limiter.admit(parsed, nowMs);
    },

    admit(source: Uint32Array, nowMs: number): boolean {
      const family = source[0]!;
      if (family === 0) return true;
      // Whether a source is exempt depends on its address only: remember the last exempt one, so that a
      // busy exempt client (a local probe, a load balancer's health check) skips the range checks.
      if (
        family === exemptFamily &&
        source[1] === exempt1 &&
        source[2] === exempt2 &&
        source[3] === exempt3 &&
        source[4] === exempt4
      ) {
        return true;
      }
      if (exempt(source)) {
        exemptFamily = family;
        exempt1 = source[1]!;
        exempt2 = source[2]!;
        exempt3 = source[3]!;
        exempt4 = source[4]!;
        return true;
      }
      // The key: an IPv4 address, or the first 64 bits of an IPv6 one.
      const k1 = source[1]! | 0;
      const k2 = family === IPV4 ? 0 : source[2]! | 0;
      let h = Math.imul(seed ^ family, 0x9e37_79b1);
      h = Math.imul(h ^ k1, 0x85eb_ca6b);
      h ^= h >>> 13;
      h = Math.imul(h ^ k2, 0xc2b2_ae35);
      h ^= h >>> 16;
      const start = (h >>> 0) % capacity;

      let found = -1;
      let empty = -1;
      let oldest = -1;
      let oldestSeen = Number.POSITIVE_INFINITY;
      for (let p = 0; p < probes; p++) {
        const slot = (start + p) % capacity;
        const at = HEADER_INTS + slot * INTS_PER_SLOT;
        const f = Atomics.load(ints, at + 1);
        if (f === family && Atomics.load(ints, at + 2) === k1 && Atomics.load(ints, at + 3) === k2) {
          found = slot;
          break;
        }
        if (f === 0) {
          if (empty < 0) empty = slot;
        } else {
          const seen = floats[slot * FLOATS_PER_SLOT + 1]!;
          if (seen < oldestSeen) {
            oldestSeen = seen;
            oldest = slot;
          }
        }
      }
      const slot = found >= 0 ? found : empty >= 0 ? empty : oldest;
      // A slot stays locked for a few instructions; one that cannot be had at once is being hammered by
      // this very source from another worker (or its holder was preempted): treat it as over its limit.
      if (!lock(slot)) return false;
      const at = HEADER_INTS + slot * INTS_PER_SLOT;
      const v = slot * FLOATS_PER_SLOT;
      try {
        const f = ints[at + 1]!;
        const mine = f === family && ints[at + 2] === k1 && ints[at + 3] === k2;
        if (!mine) {
          // Another thread took this slot since we looked (evicting us, or claiming the free slot): answer
          // rather than guess. Replacing the least recently seen source needs no such check.
          if (found >= 0 || (slot === empty && f !== 0)) return true;
          if (f === 0) Atomics.add(ints, 1, 1);
          // Publish the family last: another thread that sees it sees the whole key (and never takes a
          // half-written key for a different source, which would make it claim a second slot for ours).
          Atomics.store(ints, at + 1, 0);
          Atomics.store(ints, at + 2, k1);
          Atomics.store(ints, at + 3, k2);
          floats[v] = burst;
          floats[v + 1] = nowMs;
          floats[v + 2] = Number.NEGATIVE_INFINITY;
          Atomics.store(ints, at + 1, family);
        }
        const elapsed = nowMs - floats[v + 1]!;
        let tokens = floats[v]!;
        if (elapsed > 0) {
          tokens = Math.min(burst, tokens + elapsed * ratePerMs);
          floats[v + 1] = nowMs;
        }
        if (tokens >= 1 || (tokens - 1 >= -burst && random() < LEAK_PROBABILITY)) {
          floats[v] = tokens - 1;
          return true;
        }
        floats[v] = tokens;
        lastLimited = slot;
        return false;
      } finally {
        unlock(slot);
      }
    },

    kissOfDeath(nowMs: number): boolean {
      const slot = lastLimited;
      if (slot < 0 || !lock(slot)) return false;
      try {
        const v = slot * FLOATS_PER_SLOT + 2;
        if (nowMs - floats[v]! < KISS_OF_DEATH_INTERVAL_MS) return false;
        floats[v] = nowMs;
        return true;
      } finally {
        unlock(slot);
      }
    },

    sources(): number {
      return Atomics.load(ints, 1);
    },

    limitedSources(nowMs: number): number {
      let limited = 0;
      for (let slot = 0; slot < capacity; slot++) {
        if (Atomics.load(ints, HEADER_INTS + slot * INTS_PER_SLOT + 1) === 0) continue;
        const v = slot * FLOATS_PER_SLOT;
        const tokens = floats[v]! + Math.max(0, nowMs - floats[v + 1]!) * ratePerMs;
        if (tokens < 1) limited++;
      }
      return limited;
    },
  };
  return limiter;
}
