import { CLOCK_ANCHORING, NS_PER_MS } from '@tock/protocol';
import { describe, expect, it } from 'vitest';
import {
  anchorAgrees,
  type ClockSources,
  createClockSource,
  readAnchored,
  systemClock,
  takeAnchor,
} from './clock.ts';

/**
 * A simulated machine: a monotonic clock that advances 100 ns per read, and a wall clock derived from it.
 * `stallBeforeTicks` preempts the reader for 300 µs just before each of the next N millisecond ticks.
 */
function simulated(wallStartNs: bigint, stallBeforeTicks = 0) {
  let mono = 5_000_000_000n;
  let step = 0n;
  let stalls = stallBeforeTicks;
  const monoAtStart = mono;
  const trueWall = () => wallStartNs + step + (mono - monoAtStart);
  const sources: ClockSources = {
    monotonicNs: () => {
      mono += 100n;
      if (stalls > 0 && trueWall() % NS_PER_MS > NS_PER_MS - 300n) {
        stalls--;
        mono += 300_000n;
      }
      return mono;
    },
    wallMs: () => Number(trueWall() / NS_PER_MS),
  };
  let wallReads = 0;
  const counted: ClockSources = {
    monotonicNs: sources.monotonicNs,
    wallMs: () => {
      wallReads++;
      return sources.wallMs();
    },
  };
  return {
    sources: counted,
    /** The true wall time now, in ns (without advancing the clock). */
    trueWall,
    stepWall: (ns: bigint) => {
      step += ns;
    },
    /** Lets time pass (both clocks advance). */
    wait: (ns: bigint) => {
      mono += ns;
    },
    /** How often the wall clock was read: an anchor search reads it thousands of times. */
    wallReads: () => wallReads,
  };
}

describe('takeAnchor', () => {
  it('anchors at the millisecond tick, to within one loop iteration', () => {
    const sim = simulated(1_700_000_000_123_456_789n);
    const anchor = takeAnchor(sim.sources);
    expect(anchor.wall).toBe(1_700_000_000_124_000_000n);
    // The true error of the anchored clock is a few hundred nanoseconds, not the up to 1 ms of Date.now().
    const error = readAnchored(anchor, sim.sources) - sim.trueWall();
    expect(error >= -300n && error <= 300n).toBe(true);
  });

  it('skips a tick at which the reader was preempted, and anchors at the next one', () => {
    const sim = simulated(1_700_000_000_123_456_789n, 1);
    const anchor = takeAnchor(sim.sources);
    expect(anchor.wall).toBe(1_700_000_000_125_000_000n);
    const error = readAnchored(anchor, sim.sources) - sim.trueWall();
    expect(error >= -300n && error <= 300n).toBe(true);
  });

  it('keeps the tightest bracket when every tick is disturbed', () => {
    const sim = simulated(1_700_000_000_123_456_789n, 1000);
    const anchor = takeAnchor(sim.sources);
    // Off by at most half the 300 µs stall, instead of the whole stall.
    const error = readAnchored(anchor, sim.sources) - sim.trueWall();
    expect(error >= -160_000n && error <= 160_000n).toBe(true);
  });

  it('gives up on a frozen wall clock after a few milliseconds', () => {
    let mono = 0n;
    const anchor = takeAnchor({ wallMs: () => 42, monotonicNs: () => (mono += 1000n) });
    expect(anchor.wall).toBe(42n * NS_PER_MS + NS_PER_MS / 2n);
    expect(mono).toBeGreaterThan(CLOCK_ANCHORING.maxSpinNs);
    expect(mono).toBeLessThan(CLOCK_ANCHORING.maxSpinNs + 100_000n);
  });
});

describe('createClockSource', () => {
  it('keeps its anchor while the wall clock agrees, and re-anchors after a step', () => {
    const sim = simulated(1_800_000_000_000_000_000n);
    const source = createClockSource(sim.sources);
    const first = source();
    const before = first();
    sim.stepWall(5_000n * NS_PER_MS);
    // A clock taken before the step keeps its monotonic base: a step cannot distort one exchange.
    expect(first() - before).toBeLessThan(NS_PER_MS);
    const second = source();
    const error = second() - sim.trueWall();
    expect(error >= -300n && error <= 300n).toBe(true);
  });

  it('replaces an anchor taken on a busy machine after a second, and a good one only after a step', () => {
    const busy = simulated(1_800_000_000_000_000_000n, 1_000_000);
    const source = createClockSource(busy.sources);
    source();
    let reads = busy.wallReads();
    source();
    expect(busy.wallReads() - reads).toBeLessThan(5); // kept: only the agreement check read the wall clock
    busy.wait(1_100_000_000n);
    reads = busy.wallReads();
    source();
    expect(busy.wallReads() - reads).toBeGreaterThan(1000); // searched again

    const calm = simulated(1_800_000_000_000_000_000n);
    const calmSource = createClockSource(calm.sources);
    calmSource();
    calm.wait(3_600_000_000_000n);
    reads = calm.wallReads();
    calmSource();
    expect(calm.wallReads() - reads).toBeLessThan(5);
  });

  it('an anchor agrees within its uncertainty plus 0.1 ms, and not beyond', () => {
    const sim = simulated(1_800_000_000_000_000_000n);
    const exact = takeAnchor(sim.sources);
    expect(anchorAgrees(exact, sim.sources)).toBe(true);
    const off = (ns: bigint, uncertainty: bigint) => ({ ...exact, wall: exact.wall + ns, uncertainty });
    expect(anchorAgrees(off(-90_000n, 0n), sim.sources)).toBe(true);
    expect(anchorAgrees(off(-150_000n, 0n), sim.sources)).toBe(false);
    expect(anchorAgrees(off(-150_000n, 100_000n), sim.sources)).toBe(true);
    expect(anchorAgrees(off(5_000_000n, 100_000n), sim.sources)).toBe(false);
  });

  it('agrees with Date.now() on this machine, and never runs backwards', () => {
    const now = systemClock();
    let last = now();
    for (let i = 0; i < 1000; i++) {
      const t = now();
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
    }
    const wall = BigInt(Date.now()) * NS_PER_MS;
    const read = now();
    expect(read - wall).toBeGreaterThan(-NS_PER_MS);
    expect(read - wall).toBeLessThan(2n * NS_PER_MS);
    expect(anchorAgrees(takeAnchor())).toBe(true);
  });
});
