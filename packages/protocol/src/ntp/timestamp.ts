import { floorDiv, type Instant, NS_PER_SECOND } from '../time/instant.ts';

/**
 * An NTP timestamp as it travels on the wire (RFC 5905 §6): 64 bits, the upper 32 whole seconds since the
 * start of the current NTP era, the lower 32 a binary fraction of a second. Held as an unsigned `bigint`.
 */
export type NtpTimestamp = bigint;

/** Seconds from the NTP prime epoch (1900-01-01T00:00:00Z) to the Unix epoch. */
export const NTP_UNIX_OFFSET_SECONDS = 2_208_988_800n;

const TWO_32 = 1n << 32n;
const MASK_32 = TWO_32 - 1n;

/**
 * Converts an instant to an NTP timestamp, truncating to the 32-bit fraction (about 0.23 ns). Instants in
 * any era map onto the 32-bit seconds field modulo 2^32: 2036-02-07T06:28:16Z becomes era 1, second 0.
 */
export function ntpFromInstant(instant: Instant): NtpTimestamp {
  const unixSeconds = floorDiv(instant, NS_PER_SECOND);
  const nanos = instant - unixSeconds * NS_PER_SECOND;
  const seconds = (unixSeconds + NTP_UNIX_OFFSET_SECONDS) & MASK_32;
  const fraction = (nanos << 32n) / NS_PER_SECOND;
  return (seconds << 32n) | fraction;
}

/**
 * Converts an NTP timestamp to an instant, rounding the fraction to the nearest nanosecond.
 *
 * The 32-bit seconds field repeats every 136 years, so the era must be chosen:
 * - with a `pivot` (any instant known to be within 68 years of the answer, such as the reader's own clock),
 *   the era is the one that puts the result nearest the pivot;
 * - without one, RFC 4330 §3's rule: seconds with the top bit set are in era 0 (1968–2036), others in
 *   era 1 (2036–2104).
 */
export function instantFromNtp(ts: NtpTimestamp, pivot?: Instant): Instant {
  const seconds = (ts >> 32n) & MASK_32;
  const fraction = ts & MASK_32;
  let ntpSeconds: bigint;
  if (pivot === undefined) {
    ntpSeconds = seconds & 0x8000_0000n ? seconds : seconds + TWO_32;
  } else {
    const pivotSeconds = floorDiv(pivot, NS_PER_SECOND) + NTP_UNIX_OFFSET_SECONDS;
    let diff = (seconds - (pivotSeconds & MASK_32)) & MASK_32;
    if (diff >= 1n << 31n) diff -= TWO_32;
    ntpSeconds = pivotSeconds + diff;
  }
  const nanos = (fraction * NS_PER_SECOND + (1n << 31n)) >> 32n;
  return (ntpSeconds - NTP_UNIX_OFFSET_SECONDS) * NS_PER_SECOND + nanos;
}

/**
 * Converts seconds to NTP's 32-bit "short format" (16-bit seconds, 16-bit fraction) used for root delay and
 * root dispersion, rounding to the nearest unit and saturating at the largest value.
 */
export function ntpShortFromSeconds(seconds: number): number {
  if (!(seconds > 0)) return 0;
  return Math.min(0xffff_ffff, Math.round(seconds * 65536));
}

/** Converts NTP's 32-bit short format to seconds. */
export function secondsFromNtpShort(value: number): number {
  return (value >>> 0) / 65536;
}

/** Instants from 0 up to this (about year 2116, well past the 2036 era wrap) take the fast path below. */
const FAST_INSTANT_LIMIT = 1n << 62n;

/**
 * Writes the NTP timestamp of `instant` big-endian at `offset` of `bytes`: the same 8 bytes as
 * `ntpFromInstant`, but for instants from 1970 to beyond 2100 with two BigInt operations instead of about
 * ten (the server's hot path writes two per reply). Other instants take the exact BigInt path.
 */
export function writeNtpTimestamp(bytes: Uint8Array, offset: number, instant: Instant): void {
  if (instant < 0n || instant >= FAST_INSTANT_LIMIT) {
    new DataView(bytes.buffer, bytes.byteOffset + offset, 8).setBigUint64(0, ntpFromInstant(instant));
    return;
  }
  const ms = Number(instant / 1_000_000n); // below 2^53: exact
  const subMs = Number(instant % 1_000_000n);
  const unixSeconds = Math.floor(ms / 1000);
  const nanos = (ms - unixSeconds * 1000) * 1_000_000 + subMs;
  const seconds = (unixSeconds + 2_208_988_800) % 4_294_967_296;
  // floor(nanos * 2^32 / 10^9) = floor(nanos * 2^23 / 5^9): the product stays below 2^53, and the quotient,
  // rounded once, is never within rounding distance of the next integer, so the floor is exact.
  const fraction = Math.floor((nanos * 8_388_608) / 1_953_125);
  bytes[offset] = seconds >>> 24;
  bytes[offset + 1] = (seconds >>> 16) & 0xff;
  bytes[offset + 2] = (seconds >>> 8) & 0xff;
  bytes[offset + 3] = seconds & 0xff;
  bytes[offset + 4] = fraction >>> 24;
  bytes[offset + 5] = (fraction >>> 16) & 0xff;
  bytes[offset + 6] = (fraction >>> 8) & 0xff;
  bytes[offset + 7] = fraction & 0xff;
}
