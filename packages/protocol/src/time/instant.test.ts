import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { floorDiv, instantFromMs, instantToDate, instantToMs } from './instant.ts';
import { offsetAndDelay } from './offset.ts';

describe('instants', () => {
  it('keep sub-millisecond fractions to the microsecond', () => {
    expect(instantFromMs(1_520_945_698_123.456)).toBe(1_520_945_698_123_456_000n);
    expect(instantToMs(1_520_945_698_123_456_789n)).toBe(1_520_945_698_123.456);
    expect(instantToDate(1_520_945_698_123_999_999n).toISOString()).toBe('2018-03-13T12:54:58.123Z');
  });

  it('round-trip through milliseconds at microsecond precision (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 4_102_444_800_000_000n }), (micros) => {
        const instant = micros * 1000n;
        expect(instantFromMs(instantToMs(instant))).toBe(instant);
      }),
    );
  });

  it('rejects non-finite milliseconds', () => {
    expect(() => instantFromMs(Number.NaN)).toThrow(RangeError);
  });

  it('floorDiv rounds towards negative infinity', () => {
    expect(floorDiv(-1n, 1000n)).toBe(-1n);
    expect(floorDiv(-1000n, 1000n)).toBe(-1n);
    expect(floorDiv(1999n, 1000n)).toBe(1n);
  });
});

describe('offsetAndDelay', () => {
  it('computes RFC 5905 offset and delay', () => {
    // Server 100 ms ahead, 10 ms each way, 1 ms processing.
    const t1 = 1_000_000_000n;
    const r = offsetAndDelay({ t1, t2: t1 + 110_000_000n, t3: t1 + 111_000_000n, t4: t1 + 21_000_000n });
    expect(r.offsetMs).toBe(100);
    expect(r.delayMs).toBe(20);
  });

  it('never reports a negative delay', () => {
    expect(offsetAndDelay({ t1: 10n, t2: 0n, t3: 100n, t4: 11n }).delayMs).toBe(0);
  });
});
