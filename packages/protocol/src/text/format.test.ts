import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantFromMs } from '../time/instant.ts';
import { formatTime, parseFormatKeyword, TEXT_FORMATS } from './format.ts';
import { parseTimeLine } from './parse.ts';

const at = (iso: string) => instantFromMs(Date.parse(iso));

describe('formatTime', () => {
  it('writes the lab server line exactly as C ctime() does', () => {
    expect(formatTime(at('2018-03-13T12:54:58Z'), 'ctime', 'UTC')).toBe('Tue Mar 13 12:54:58 2018');
  });

  it('pads a one-digit day with a space, like asctime()', () => {
    expect(formatTime(at('2020-04-03T21:09:36Z'), 'ctime', 'UTC')).toBe('Fri Apr  3 21:09:36 2020');
  });

  it('shows the wall clock of the configured zone', () => {
    const t = at('2018-03-13T12:54:58.123Z');
    expect(formatTime(t, 'ctime', 'Asia/Kolkata')).toBe('Tue Mar 13 18:24:58 2018');
    expect(formatTime(t, 'iso', 'Asia/Kolkata')).toBe('2018-03-13T18:24:58.123+05:30');
    expect(formatTime(t, 'iso', 'America/New_York')).toBe('2018-03-13T08:54:58.123-04:00');
    expect(formatTime(t, 'iso', 'UTC')).toBe('2018-03-13T12:54:58.123Z');
  });

  it('writes unix seconds and milliseconds whatever the zone', () => {
    const t = at('2018-03-13T12:54:58.987Z');
    expect(formatTime(t, 'unix', 'Asia/Tokyo')).toBe('1520945698');
    expect(formatTime(t, 'unix-ms', 'Asia/Tokyo')).toBe('1520945698987');
  });

  it('handles the 2036 NTP era boundary and dates before 1970', () => {
    expect(formatTime(at('2036-02-07T06:28:16Z'), 'ctime', 'UTC')).toBe('Thu Feb  7 06:28:16 2036');
    expect(formatTime(at('1969-12-31T23:59:59.500Z'), 'iso', 'UTC')).toBe('1969-12-31T23:59:59.500Z');
  });

  it('agrees with Date for any instant and zone (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        expect(formatTime(instantFromMs(ms), 'iso', 'UTC')).toBe(new Date(ms).toISOString());
      }),
    );
  });

  it('is read back by parseTimeLine in every format and zone (round trip)', () => {
    const zones = ['UTC', 'Europe/Paris', 'America/Los_Angeles', 'Asia/Kolkata', 'Australia/Lord_Howe'];
    fc.assert(
      fc.property(
        // From 2001 on, unix seconds have 10 digits and unix-ms 13, so the two cannot be confused.
        fc.integer({ min: 1_000_000_000, max: 4_102_444_800 }),
        fc.constantFrom(...TEXT_FORMATS),
        fc.constantFrom(...zones),
        (seconds, format, zone) => {
          const instant = BigInt(seconds) * 1_000_000_000n;
          const parsed = parseTimeLine(`${formatTime(instant, format, zone)}\r\n`, zone);
          expect(parsed?.format).toBe(format);
          // ctime is ambiguous in the hour a DST fall-back repeats: it may read one hour early.
          const diff = instant - parsed!.instant;
          expect(
            diff === 0n ||
              (format === 'ctime' && (diff === 3_600_000_000_000n || diff === 1_800_000_000_000n)),
          ).toBe(true);
        },
      ),
    );
  });
});

describe('formatTime per-second cache', () => {
  it('gives the same line whatever was formatted before it (property)', () => {
    const base = at('2021-03-28T00:59:58Z'); // a second before Europe/London and Paris change to summer time
    const zones = ['UTC', 'Europe/Paris', 'Asia/Kolkata', 'America/New_York'] as const;
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.bigInt({ min: 0n, max: 4_000_000_000n }),
            fc.constantFrom(...TEXT_FORMATS),
            fc.constantFrom(...zones),
          ),
          { maxLength: 40 },
        ),
        (calls) => {
          const inOrder = calls.map(([dt, f, z]) => formatTime(base + dt, f, z));
          const afterAnother = calls.map(([dt, f, z]) => {
            formatTime(base + dt + 86_400_000_000_000n, f, z === 'UTC' ? 'Asia/Tokyo' : 'UTC');
            return formatTime(base + dt, f, z);
          });
          expect(afterAnother).toEqual(inOrder);
        },
      ),
    );
  });

  it('keeps the milliseconds of iso lines within a cached second', () => {
    const t = at('2018-03-13T12:54:58.001Z');
    expect(formatTime(t, 'iso', 'UTC')).toBe('2018-03-13T12:54:58.001Z');
    expect(formatTime(t + 998_000_000n, 'iso', 'UTC')).toBe('2018-03-13T12:54:58.999Z');
    expect(formatTime(t + 999_000_000n, 'iso', 'UTC')).toBe('2018-03-13T12:54:59.000Z');
  });
});

describe('parseFormatKeyword', () => {
  it('accepts the keywords trimmed and in any case', () => {
    expect(parseFormatKeyword('iso')).toBe('iso');
    expect(parseFormatKeyword('  UNIX-MS\r\n')).toBe('unix-ms');
    expect(parseFormatKeyword('Unix\n')).toBe('unix');
    expect(parseFormatKeyword('ctime')).toBe('ctime');
    expect(parseFormatKeyword(`iso${' '.repeat(61)}`)).toBe('iso');
    expect(parseFormatKeyword(`iso${' '.repeat(62)}`)).toBeUndefined();
  });

  it('treats anything else as a plain request', () => {
    expect(parseFormatKeyword('Time request')).toBeUndefined();
    expect(parseFormatKeyword('')).toBeUndefined();
    expect(parseFormatKeyword('isox')).toBeUndefined();
    expect(parseFormatKeyword('i s o')).toBeUndefined();
  });
});
