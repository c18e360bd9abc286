import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantFromNtp, ntpFromInstant, ntpShortFromSeconds, secondsFromNtpShort } from './timestamp.ts';

const ns = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;

describe('NTP timestamps', () => {
  it('map the Unix epoch to NTP second 2208988800', () => {
    expect(ntpFromInstant(0n)).toBe(2_208_988_800n << 32n);
  });

  it('use the full 32-bit fraction', () => {
    // 0.5 s is 0x80000000; 1 ns is 4.29 fraction units.
    expect(ntpFromInstant(500_000_000n) & 0xffff_ffffn).toBe(0x8000_0000n);
    expect(ntpFromInstant(1n) & 0xffff_ffffn).toBe(4n);
    expect(ntpFromInstant(999_999_999n) & 0xffff_ffffn).toBe(0xffff_fffbn);
  });

  it('wrap into era 1 on 2036-02-07T06:28:16Z', () => {
    expect(ntpFromInstant(ns('2036-02-07T06:28:15Z')) >> 32n).toBe(0xffff_ffffn);
    expect(ntpFromInstant(ns('2036-02-07T06:28:16Z'))).toBe(0n);
    expect(ntpFromInstant(ns('2036-02-07T06:28:17Z')) >> 32n).toBe(1n);
  });

  it('read era 1 timestamps back after 2036 with and without a pivot', () => {
    const after = ns('2040-01-01T00:00:00Z');
    expect(instantFromNtp(ntpFromInstant(after))).toBe(after);
    expect(instantFromNtp(ntpFromInstant(after), ns('2039-06-01T00:00:00Z'))).toBe(after);
    const before = ns('2036-02-07T06:00:00Z');
    expect(instantFromNtp(ntpFromInstant(before), ns('2036-02-07T07:00:00Z'))).toBe(before);
  });

  it('round-trip any instant to the nanosecond, in any era, given a nearby pivot (property)', () => {
    const min = ns('1900-01-01T00:00:00Z');
    const max = ns('2200-01-01T00:00:00Z');
    fc.assert(
      fc.property(
        fc.bigInt({ min, max }),
        fc.bigInt({
          min: -(60n * 365n * 86_400n * 1_000_000_000n),
          max: 60n * 365n * 86_400n * 1_000_000_000n,
        }),
        (instant, skew) => {
          expect(instantFromNtp(ntpFromInstant(instant), instant + skew)).toBe(instant);
        },
      ),
    );
  });

  it('round-trip without a pivot between 1968 and 2104 (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: ns('1968-01-20T03:14:08Z'), max: ns('2104-02-26T00:00:00Z') }),
        (instant) => {
          expect(instantFromNtp(ntpFromInstant(instant))).toBe(instant);
        },
      ),
    );
  });

  it('convert the short format used for root delay and dispersion', () => {
    expect(ntpShortFromSeconds(1)).toBe(0x0001_0000);
    expect(ntpShortFromSeconds(0.001)).toBe(66);
    expect(ntpShortFromSeconds(-1)).toBe(0);
    expect(ntpShortFromSeconds(1e9)).toBe(0xffff_ffff);
    expect(secondsFromNtpShort(0x0001_8000)).toBe(1.5);
  });
});
