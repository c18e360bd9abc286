import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryNtpPacket } from '../../test/arbitraries.ts';
import { decodeNtpPacket, encodeNtpPacket, parseReferenceId, referenceIdToString } from './packet.ts';

describe('NTP packet codec', () => {
  it('decode(encode(packet)) equals packet (property)', () => {
    fc.assert(
      fc.property(arbitraryNtpPacket, (packet) => {
        const decoded = decodeNtpPacket(encodeNtpPacket(packet));
        expect(decoded).toEqual({ ok: true, packet });
      }),
    );
  });

  it('encode(decode(bytes)) gives back the same bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 48, maxLength: 200 }), (bytes) => {
        const decoded = decodeNtpPacket(bytes);
        expect(decoded.ok).toBe(true);
        if (decoded.ok) expect(encodeNtpPacket(decoded.packet)).toEqual(bytes);
      }),
    );
  });

  it('is deterministic (property)', () => {
    fc.assert(
      fc.property(arbitraryNtpPacket, (p) => {
        expect(encodeNtpPacket(p)).toEqual(encodeNtpPacket(p));
      }),
    );
  });

  it('reports short input as truncated instead of throwing', () => {
    for (let n = 0; n < 48; n++)
      expect(decodeNtpPacket(new Uint8Array(n))).toEqual({ ok: false, reason: 'ntp-truncated' });
  });

  it('decodes from a view into a larger buffer', () => {
    const big = new Uint8Array(100);
    big[10] = 0x23;
    const d = decodeNtpPacket(big.subarray(10, 58));
    expect(d.ok && d.packet.version).toBe(4);
    expect(d.ok && d.packet.mode).toBe(3);
  });
});

describe('reference ids', () => {
  it('parse ASCII codes and IPv4 addresses', () => {
    expect(parseReferenceId('LOCL')).toBe(0x4c4f434c);
    expect(parseReferenceId('GPS')).toBe(0x47505300);
    expect(parseReferenceId('127.127.1.1')).toBe(0x7f7f0101);
    expect(parseReferenceId('')).toBeUndefined();
    expect(parseReferenceId('TOOLONG')).toBeUndefined();
    expect(parseReferenceId('300.1.1.1')).toBeUndefined();
  });

  it('print by stratum', () => {
    expect(referenceIdToString(0x47505300, 1)).toBe('GPS');
    expect(referenceIdToString(0x52415445, 0)).toBe('RATE');
    expect(referenceIdToString(0x7f7f0101, 8)).toBe('127.127.1.1');
  });
});
