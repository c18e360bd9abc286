import { describe, expect, it } from 'vitest';
import { createSkew, skewedClock } from './skew.ts';

const epoch = 1_700_000_000_000_000_000n;
const S = 1_000_000_000n;

describe('createSkew', () => {
  it('costs nothing when there is no skew', () => {
    expect(createSkew({ offsetNs: 0n, ratePpm: 0, epoch })).toBeUndefined();
    const clock = () => 5n;
    expect(skewedClock(clock, undefined)).toBe(clock);
  });

  it('adds the offset', () => {
    const skew = createSkew({ offsetNs: 3600n * S, ratePpm: 0, epoch })!;
    expect(skew(epoch + 10n * S)).toBe(epoch + 3610n * S);
  });

  it('runs fast or slow by the rate, counted from the epoch', () => {
    const fast = createSkew({ offsetNs: 0n, ratePpm: 100, epoch })!;
    expect(fast(epoch)).toBe(epoch);
    // 1000 s at +100 ppm: 100 ms ahead.
    expect(fast(epoch + 1000n * S)).toBe(epoch + 1000n * S + 100_000_000n);
    const slow = createSkew({ offsetNs: -S, ratePpm: -0.5, epoch })!;
    // 1000 s at -0.5 ppm: 0.5 ms behind, plus the offset.
    expect(slow(epoch + 1000n * S)).toBe(epoch + 999n * S - 500_000n);
  });

  it('keeps a skewed clock moving forward', () => {
    const skew = createSkew({ offsetNs: -2n * 86_400n * S, ratePpm: -500_000, epoch })!;
    let t = epoch;
    let previous = skew(t);
    for (let i = 0; i < 1000; i++) {
      t += 1_000_000n;
      const next = skew(t);
      expect(next).toBeGreaterThan(previous);
      previous = next;
    }
  });
});
