import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anchorAgrees,
  CLOCK_ANCHORING,
  createAnchoredClock,
  readAnchored,
  type TimeSources,
  takeAnchor,
} from './anchor.ts';
import { NS_PER_MS } from './instant.ts';

/**
 * A simulated machine: a monotonic clock that advances `stepNs` per read (plus `stalls`: extra time at given
 * reads, a preempted thread), and a wall clock that is the monotonic time plus `offsetNs`, truncated to the
 * millisecond as `Date.now()` is. `offsetNs` can be stepped.
 */
function machine(offsetNs: bigint, stepNs: bigint, stalls: ReadonlyMap<number, bigint> = new Map()) {
  const sim = { mono: 1_000_000_000n, offsetNs, reads: 0 };
  const sources: TimeSources = {
    readMonoNs: () => {
      sim.mono += stepNs + (stalls.get(sim.reads++) ?? 0n);
      return sim.mono;
    },
    readWallMs: () => Number((sim.mono + sim.offsetNs) / NS_PER_MS),
  };
  return { sim, sources, trueNow: () => sim.mono + sim.offsetNs };
}

const offsets = fc.bigInt({ min: 1_000_000_000_000_000_000n, max: 2_000_000_000_000_000_000n });
const steps = fc.bigInt({ min: 20n, max: 2_000n });

describe('takeAnchor (properties)', () => {
  it('is off by no more than the uncertainty it reports, whatever the offset and read cost', () => {
    fc.assert(
      fc.property(offsets, steps, (offsetNs, stepNs) => {
        const m = machine(offsetNs, stepNs);
        const anchor = takeAnchor(m.sources);
        const error = anchor.wall - anchor.monotonic - offsetNs;
        expect(error <= anchor.uncertainty + 1n && error >= -anchor.uncertainty - 1n).toBe(true);
        // Reads this cheap always give a good bracket.
        expect(anchor.uncertainty * 2n <= CLOCK_ANCHORING.goodBracketNs).toBe(true);
        expect(anchor.wall % NS_PER_MS).toBe(0n);
      }),
    );
  });

  it('keeps its error within its uncertainty when the thread is preempted at random reads', () => {
    const stallsArb = fc
      .array(fc.tuple(fc.nat({ max: 20_000 }), fc.bigInt({ min: 1_000n, max: 900_000n })), { maxLength: 200 })
      .map((pairs) => new Map(pairs));
    fc.assert(
      fc.property(offsets, steps, stallsArb, (offsetNs, stepNs, stalls) => {
        const m = machine(offsetNs, stepNs, stalls);
        const anchor = takeAnchor(m.sources);
        const error = anchor.wall - anchor.monotonic - offsetNs;
        expect(error <= anchor.uncertainty + 1n && error >= -anchor.uncertainty - 1n).toBe(true);
        expect(anchorAgrees(anchor, m.sources)).toBe(true);
      }),
    );
  });

  it('gives up on a frozen wall clock after maxSpinNs, with the middle of its millisecond', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 40 }), steps, (wallMs, stepNs) => {
        let mono = 0n;
        const anchor = takeAnchor({ readWallMs: () => wallMs, readMonoNs: () => (mono += stepNs) });
        expect(anchor.wall).toBe(BigInt(wallMs) * NS_PER_MS + NS_PER_MS / 2n);
        expect(anchor.uncertainty).toBe(NS_PER_MS / 2n);
        expect(mono > CLOCK_ANCHORING.maxSpinNs && mono <= CLOCK_ANCHORING.maxSpinNs + 3n * stepNs).toBe(
          true,
        );
      }),
    );
  });
});

describe('anchorAgrees and readAnchored (properties)', () => {
  it('a fresh anchor agrees; after a step beyond 1 ms plus its slack it does not', () => {
    fc.assert(
      fc.property(
        offsets,
        steps,
        fc.bigInt({ min: 2n * NS_PER_MS, max: 10n ** 12n }),
        fc.boolean(),
        (offsetNs, stepNs, jump, back) => {
          const m = machine(offsetNs, stepNs);
          const anchor = takeAnchor(m.sources);
          expect(anchorAgrees(anchor, m.sources)).toBe(true);
          m.sim.offsetNs += back ? -jump : jump;
          expect(anchorAgrees(anchor, m.sources)).toBe(false);
        },
      ),
    );
  });

  it('reads the monotonic time elapsed since the anchor on top of its wall time', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 18n }),
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        (wall, d) => {
          const anchor = { wall, monotonic: 5n, uncertainty: 0n };
          expect(readAnchored(anchor, 5n + d)).toBe(wall + d);
        },
      ),
    );
  });
});

describe('createAnchoredClock', () => {
  it('never runs backwards while the wall clock is not stepped (property)', () => {
    fc.assert(
      fc.property(
        offsets,
        steps,
        fc.array(fc.bigInt({ min: 0n, max: 3n * 10n ** 9n }), { maxLength: 50 }),
        (offsetNs, stepNs, waits) => {
          const m = machine(offsetNs, stepNs);
          const clock = createAnchoredClock(m.sources);
          let last = clock.now();
          for (const wait of waits) {
            m.sim.mono += wait;
            const t = clock.now();
            expect(t >= last).toBe(true);
            last = t;
          }
          expect(clock.anchors()).toBe(1);
        },
      ),
    );
  });

  it('follows a step of the wall clock at its next check, within the anchor uncertainty', () => {
    fc.assert(
      fc.property(
        offsets,
        steps,
        fc.bigInt({ min: 2n * NS_PER_MS, max: 10n ** 12n }),
        fc.boolean(),
        (offsetNs, stepNs, jump, back) => {
          const m = machine(offsetNs, stepNs);
          const clock = createAnchoredClock(m.sources);
          m.sim.offsetNs += back ? -jump : jump;
          m.sim.mono += CLOCK_ANCHORING.checkIntervalNs;
          const t = clock.now();
          expect(clock.anchors()).toBe(2);
          const error = t - m.trueNow();
          expect(
            error <= clock.anchor().uncertainty + 10n * stepNs &&
              error >= -clock.anchor().uncertainty - 10n * stepNs,
          ).toBe(true);
        },
      ),
    );
  });
});
