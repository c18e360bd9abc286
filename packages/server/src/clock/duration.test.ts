import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_DURATION_NS, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500_000_000n],
    ['90s', 90_000_000_000n],
    ['1h', 3_600_000_000_000n],
    ['-2d', -172_800_000_000_000n],
    ['+1m', 60_000_000_000n],
    ['1h30m', 5_400_000_000_000n],
    ['1.5s', 1_500_000_000n],
    ['250us', 250_000n],
    ['250µs', 250_000n],
    ['7ns', 7n],
    ['0', 0n],
    ['0s', 0n],
    ['36500d', MAX_DURATION_NS],
  ])('reads %s', (text, ns) => {
    expect(parseDuration(text)).toBe(ns);
  });

  it.each(['', '1', 'h', '1 h', '1y', '--1s', '1s-', '.5s', '1.s', '36501d', 'one hour', '1e3s'])(
    'rejects %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  it('reads back what formatDuration writes (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -MAX_DURATION_NS, max: MAX_DURATION_NS }), (ns) => {
        expect(parseDuration(formatDuration(ns))).toBe(ns);
      }),
    );
  });
});
