import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildNtpRequest, readNtpReply } from './client.ts';
import { decodeNtpPacket, encodeNtpPacket, NtpMode } from './packet.ts';
import {
  answerNtpRequest,
  buildKissOfDeath,
  buildNtpReplyHeader,
  type NtpServerSettings,
  ntpServerSettings,
  readNtpRequest,
  setNtpTransmitTimestamp,
} from './server.ts';
import { instantFromNtp, ntpFromInstant, writeNtpTimestamp } from './timestamp.ts';

const T2 = 1_763_700_000_123_456_789n;
const T3 = T2 + 15_000n;
const NONCE = 0x0123_4567_89ab_cdefn;

function request(
  overrides: Partial<Record<'version' | 'mode' | 'poll', number>> & {
    transmit?: bigint;
    trailer?: Uint8Array;
  } = {},
) {
  const base = decodeNtpPacket(
    buildNtpRequest(overrides.transmit ?? NONCE, {
      version: overrides.version ?? 4,
      poll: overrides.poll ?? 6,
    }),
  );
  if (!base.ok) throw new Error('unreachable');
  return encodeNtpPacket({
    ...base.packet,
    mode: overrides.mode ?? 3,
    trailer: overrides.trailer ?? new Uint8Array(),
  });
}

describe('readNtpRequest', () => {
  it('accepts client requests of versions 1 to 4', () => {
    for (const version of [1, 2, 3, 4]) expect(readNtpRequest(request({ version })).ok).toBe(true);
  });

  it('gives a typed reason for everything it will not answer', () => {
    expect(readNtpRequest(new Uint8Array(47))).toEqual({ ok: false, reason: 'ntp-truncated' });
    expect(readNtpRequest(request({ version: 0 }))).toEqual({ ok: false, reason: 'ntp-bad-version' });
    expect(readNtpRequest(request({ version: 5 }))).toEqual({ ok: false, reason: 'ntp-bad-version' });
    expect(readNtpRequest(request({ mode: 6 }))).toEqual({ ok: false, reason: 'ntp-control-message' });
    expect(readNtpRequest(request({ mode: 7 }))).toEqual({ ok: false, reason: 'ntp-private-message' });
    for (const mode of [0, 1, 2, 4, 5])
      expect(readNtpRequest(request({ mode }))).toEqual({ ok: false, reason: 'ntp-not-client-request' });
    expect(readNtpRequest(request({ transmit: 0n }))).toEqual({ ok: false, reason: 'ntp-zero-transmit' });
  });
});

describe('server replies', () => {
  const settings = ntpServerSettings({
    stratum: 3,
    referenceId: '192.0.2.1',
    precision: -23,
    leap: 1,
    rootDelay: 0.5,
    rootDispersion: 0.25,
  });

  function reply(req: Uint8Array) {
    const read = readNtpRequest(req);
    if (!read.ok) throw new Error(read.reason);
    const bytes = buildNtpReplyHeader(read.request, T2, settings);
    setNtpTransmitTimestamp(bytes, T3);
    return bytes;
  }

  it('echo version and poll, copy the transmit timestamp to origin, and carry T2 and T3', () => {
    const bytes = reply(request({ version: 3, poll: 10 }));
    const p = decodeNtpPacket(bytes);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.packet).toMatchObject({
      leap: 1,
      version: 3,
      mode: NtpMode.Server,
      stratum: 3,
      poll: 10,
      precision: -23,
      rootDelay: 0x8000,
      rootDispersion: 0x4000,
      referenceId: 0xc000_0201,
      originTimestamp: NONCE,
      receiveTimestamp: ntpFromInstant(T2),
      transmitTimestamp: ntpFromInstant(T3),
    });
    expect(instantFromNtp(p.packet.receiveTimestamp) - T2).toBe(0n);
    expect(p.packet.referenceTimestamp).toBe(ntpFromInstant(T2) & ~0xffff_ffffn);
  });

  it('are never larger than the request, even one with extension fields', () => {
    const req = request({ trailer: new Uint8Array(72) });
    expect(reply(req).length).toBe(48);
    expect(reply(request()).length).toBeLessThanOrEqual(48);
  });

  it('are accepted by the client side with the right times', () => {
    const r = readNtpReply(reply(request()), NONCE, T2);
    expect(r.ok && r.reply.receiveTime).toBe(T2);
    expect(r.ok && r.reply.transmitTime).toBe(T3);
  });

  it('never announce stratum 0 outside a Kiss-o-Death', () => {
    expect(() => ntpServerSettings({ stratum: 0 })).toThrow();
    expect(() => ntpServerSettings({ stratum: 16 })).toThrow();
    expect(() => ntpServerSettings({ referenceId: 'TOOLONG' })).toThrow();
  });
});

describe('Kiss-o-Death', () => {
  it('has stratum 0, the kiss code, and reveals no time', () => {
    const read = readNtpRequest(request());
    if (!read.ok) throw new Error(read.reason);
    const kod = decodeNtpPacket(buildKissOfDeath(read.request, 'RATE'));
    expect(kod.ok && kod.packet).toMatchObject({
      stratum: 0,
      leap: 3,
      mode: 4,
      referenceId: 0x5241_5445,
      originTimestamp: NONCE,
      transmitTimestamp: NONCE,
    });
    expect(readNtpReply(buildKissOfDeath(read.request, 'RATE'), NONCE, T2)).toEqual({
      ok: false,
      problem: { kind: 'kiss-of-death', code: 'RATE' },
    });
  });
});

describe('readNtpReply', () => {
  const good = (() => {
    const read = readNtpRequest(request());
    if (!read.ok) throw new Error(read.reason);
    const bytes = buildNtpReplyHeader(read.request, T2, ntpServerSettings());
    setNtpTransmitTimestamp(bytes, T3);
    return bytes;
  })();
  const patch = (offset: number, value: number) => {
    const b = good.slice();
    b[offset] = value;
    return b;
  };

  it('ignores replies that are not for this request', () => {
    expect(readNtpReply(good, NONCE + 1n, T2)).toMatchObject({ ok: false, problem: { kind: 'mismatch' } });
    expect(readNtpReply(good.subarray(0, 40), NONCE, T2)).toMatchObject({
      ok: false,
      problem: { kind: 'mismatch' },
    });
    expect(readNtpReply(patch(0, 0x23), NONCE, T2)).toMatchObject({
      ok: false,
      problem: { kind: 'mismatch' },
    });
  });

  it('rejects unsynchronised servers', () => {
    expect(readNtpReply(patch(0, 0xe4), NONCE, T2)).toMatchObject({
      ok: false,
      problem: { kind: 'invalid' },
    });
    expect(readNtpReply(patch(1, 16), NONCE, T2)).toMatchObject({ ok: false, problem: { kind: 'invalid' } });
  });
});

describe('answerNtpRequest (the hot path)', () => {
  /** The reference: decode the request, build the header, stamp the transmit time. */
  function reference(bytes: Uint8Array, t2: bigint, t3: bigint, settings: NtpServerSettings) {
    const read = readNtpRequest(bytes);
    if (!read.ok) return { ok: false, reason: read.reason };
    const reply = buildNtpReplyHeader(read.request, t2, settings);
    setNtpTransmitTimestamp(reply, t3);
    return { ok: true, bytes: reply, transmitTime: t3 };
  }

  const settingsArbitrary = fc.record({
    stratum: fc.integer({ min: 1, max: 15 }),
    referenceId: fc.constantFrom('LOCL', 'GPS', '192.0.2.1', 'X'),
    precision: fc.integer({ min: -32, max: 0 }),
    leap: fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>,
    rootDelay: fc.double({ min: 0, max: 65_535, noNaN: true }),
    rootDispersion: fc.double({ min: 0, max: 65_535, noNaN: true }),
  });
  // Times around the fast path's edges: before 1970, the 2036 era wrap, far future, and anywhere between.
  const instantArbitrary = fc.oneof(
    fc.bigInt({ min: 0n, max: 1n << 62n }),
    fc.bigInt({ min: -(1n << 62n), max: 1n << 63n }),
    fc.bigInt({ min: 2_085_978_495_000_000_000n, max: 2_085_978_497_000_000_000n }),
    fc.constantFrom(0n, -1n, 999_999_999n, 1_000_000_000n, (1n << 62n) - 1n, 1n << 62n),
  );
  // Mostly well-formed requests (any version and mode, zero or not), and random bytes of any length.
  const requestArbitrary = fc.oneof(
    fc
      .record({
        head: fc.uint8Array({ minLength: 40, maxLength: 40 }),
        transmit: fc.oneof(fc.constant(new Uint8Array(8)), fc.uint8Array({ minLength: 8, maxLength: 8 })),
        trailer: fc.uint8Array({ maxLength: 20 }),
        first: fc.integer({ min: 0, max: 255 }),
      })
      .map(({ head, transmit, trailer, first }) => {
        const bytes = new Uint8Array([...head, ...transmit, ...trailer]);
        bytes[0] = first;
        return bytes;
      }),
    fc.uint8Array({ maxLength: 100 }),
  );

  it('answers byte for byte as decoding the request and building the reply does', () => {
    fc.assert(
      fc.property(
        requestArbitrary,
        instantArbitrary,
        instantArbitrary,
        settingsArbitrary,
        (bytes, t2, t3, options) => {
          const settings = ntpServerSettings(options);
          expect(answerNtpRequest(bytes, t2, settings, () => t3)).toEqual(reference(bytes, t2, t3, settings));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('writes NTP timestamps as ntpFromInstant does, for any instant', () => {
    fc.assert(
      fc.property(instantArbitrary, (instant) => {
        const bytes = new Uint8Array(10);
        writeNtpTimestamp(bytes, 1, instant);
        const view = new DataView(bytes.buffer);
        expect(view.getBigUint64(1)).toBe(ntpFromInstant(instant));
        expect(bytes[0]).toBe(0);
        expect(bytes[9]).toBe(0);
      }),
      { numRuns: 5000 },
    );
  });

  it('reads the clock once, after the checks, and not at all for a request it ignores', () => {
    let reads = 0;
    const clock = () => {
      reads++;
      return T3;
    };
    const settings = ntpServerSettings();
    expect(answerNtpRequest(request(), T2, settings, clock)).toMatchObject({ ok: true, transmitTime: T3 });
    expect(answerNtpRequest(request({ mode: 4 }), T2, settings, clock)).toEqual({
      ok: false,
      reason: 'ntp-not-client-request',
    });
    expect(reads).toBe(1);
  });
});
