import fc from 'fast-check';
import type { NtpPacket } from '../src/ntp/packet.ts';

/** Arbitrary well-formed NTP packets (every field within its wire width). */
export const arbitraryNtpPacket: fc.Arbitrary<NtpPacket> = fc.record({
  leap: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
  version: fc.integer({ min: 0, max: 7 }),
  mode: fc.integer({ min: 0, max: 7 }),
  stratum: fc.integer({ min: 0, max: 255 }),
  poll: fc.integer({ min: -128, max: 127 }),
  precision: fc.integer({ min: -128, max: 127 }),
  rootDelay: fc.integer({ min: 0, max: 0xffff_ffff }),
  rootDispersion: fc.integer({ min: 0, max: 0xffff_ffff }),
  referenceId: fc.integer({ min: 0, max: 0xffff_ffff }),
  referenceTimestamp: fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }),
  originTimestamp: fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }),
  receiveTimestamp: fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }),
  transmitTimestamp: fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }),
  trailer: fc.uint8Array({ maxLength: 64 }),
});

/** Arbitrary instants between 1970 and 2200, in nanoseconds. */
export const arbitraryInstant: fc.Arbitrary<bigint> = fc.bigInt({ min: 0n, max: 7_258_118_400_000_000_000n });

/**
 * Datagrams of every kind: random bytes, text, JSON-ish text, and valid NTP / JSON requests with random
 * mutations, so that property tests reach deep into each decoder and not only its first check.
 */
export const arbitraryDatagram: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 1500 }),
  fc.uint8Array({ minLength: 48, maxLength: 48 }),
  fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
  fc
    .record({
      v: fc.anything(),
      type: fc.constantFrom('time.request', 'time.response', 'error', 'x'),
      id: fc.anything(),
      t1: fc.anything(),
      format: fc.anything(),
    })
    .map((o) => new TextEncoder().encode(JSON.stringify(o) ?? '{')),
  fc.json().map((j) => new TextEncoder().encode(j)),
  fc
    .tuple(arbitraryNtpPacket, fc.array(fc.tuple(fc.nat(47), fc.nat(255)), { maxLength: 4 }))
    .map(([p, flips]) => {
      const bytes = new Uint8Array(48 + p.trailer.length);
      const view = new DataView(bytes.buffer);
      view.setUint8(0, (p.leap << 6) | (p.version << 3) | p.mode);
      view.setUint8(1, p.stratum);
      view.setBigUint64(40, p.transmitTimestamp);
      bytes.set(p.trailer, 48);
      for (const [i, v] of flips) bytes[i] = v;
      return bytes;
    }),
);
