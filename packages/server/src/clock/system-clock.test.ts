import { describe, expect, it } from 'vitest';
import { createSystemClock } from './system-clock.ts';

const NS_PER_MS = 1_000_000n;

describe('createSystemClock on the real clocks', () => {
  it('never goes backwards', () => {
    const clock = createSystemClock();
    let previous = clock.now();
    let backwards = 0;
    for (let i = 0; i < 200_000; i++) {
      const t = clock.now();
      if (t < previous) backwards++;
      previous = t;
    }
    expect(backwards).toBe(0);
  });

  it('agrees with Date.now() to within its millisecond (and 0.1 ms beyond its anchor’s uncertainty), anchor after anchor', () => {
    for (let anchor = 0; anchor < 20; anchor++) {
      const clock = createSystemClock();
      // An anchor taken while the thread was preempted says so in its uncertainty (seen: 2 ms under load).
      const slack = NS_PER_MS / 10n + clock.uncertaintyNs();
      for (let i = 0; i < 100; i++) {
        // Date.now() truncates: the true time is in [before, after + 1 ms).
        const before = BigInt(Date.now()) * NS_PER_MS;
        const t = clock.now();
        const after = BigInt(Date.now() + 1) * NS_PER_MS;
        expect(t >= before - slack && t < after + slack, `${t} not in [${before}, ${after})`).toBe(true);
      }
    }
  });

  it('has sub-millisecond resolution', () => {
    const clock = createSystemClock();
    const fractions = new Set<bigint>();
    const start = clock.now();
    let t = start;
    while (t - start < 3n * NS_PER_MS) {
      fractions.add(t % NS_PER_MS);
      t = clock.now();
    }
    // Over 3 ms of reads, Date.now() would give at most 4 distinct values, all with fraction 0.
    expect(fractions.size).toBeGreaterThan(100);
  });
});

/**
 * A simulated machine: a monotonic timer that advances 100 ns per read, and a wall clock (whole ms) that is
 * the monotonic time plus `wallOffsetNs`, which a test can step. With `stallAtFirstTickNs`, the thread is
 * preempted for that long right when the wall clock first ticks over, between two reads.
 */
function simulatedClocks(wallOffsetNs: bigint, stallAtFirstTickNs = 0n) {
  const sim = { mono: 5_000_000_000n, wallOffsetNs };
  let stall = stallAtFirstTickNs;
  return {
    sim,
    monotonicNs: (): bigint => {
      const ms = (sim.mono + sim.wallOffsetNs) / NS_PER_MS;
      sim.mono += 100n;
      if (stall > 0n && (sim.mono + sim.wallOffsetNs) / NS_PER_MS !== ms) {
        sim.mono += stall;
        stall = 0n;
      }
      return sim.mono;
    },
    wallClockMs: (): number => Number((sim.mono + sim.wallOffsetNs) / NS_PER_MS),
    trueNow: (): bigint => sim.mono + sim.wallOffsetNs,
  };
}

describe('createSystemClock anchoring', () => {
  it('anchors to the wall clock to within a microsecond by waiting for it to tick', () => {
    const sim = simulatedClocks(1_700_000_000_123_456_789n);
    const clock = createSystemClock(sim);
    const t = clock.now();
    const error = t - sim.trueNow();
    expect(error < 1000n && error > -1000n).toBe(true);
    expect(clock.anchors()).toBe(1);
  });

  it('waits for the next tick when preempted at the tick, instead of anchoring up to a millisecond off', () => {
    const sim = simulatedClocks(1_700_000_000_000_000_000n, 700_000n);
    const clock = createSystemClock(sim);
    const error = clock.now() - sim.trueNow();
    expect(error < 1000n && error > -1000n, `off by ${error} ns`).toBe(true);
  });

  it('re-anchors at the next check when the wall clock is stepped', () => {
    const sim = simulatedClocks(1_700_000_000_000_000_000n);
    const clock = createSystemClock({ ...sim, checkIntervalMs: 1000 });
    sim.sim.wallOffsetNs -= 5_000_000_000n; // stepped back 5 s
    sim.sim.mono += 500_000_000n; // half a second later: not checked yet
    expect(clock.now() - sim.trueNow()).toBeGreaterThan(4_000_000_000n);
    sim.sim.mono += 600_000_000n; // past the check interval
    clock.now();
    expect(clock.anchors()).toBe(2);
    const error = clock.now() - sim.trueNow();
    expect(error < 1000n && error > -1000n).toBe(true);
  });

  it('tolerates sub-millisecond disagreement without re-anchoring, and re-anchors beyond it', () => {
    const sim = simulatedClocks(1_700_000_000_000_000_000n);
    const clock = createSystemClock({ ...sim, checkIntervalMs: 1000, toleranceMs: 1 });
    sim.sim.wallOffsetNs += 500_000n;
    sim.sim.mono += 2_000_000_000n;
    clock.now();
    expect(clock.anchors()).toBe(1);
    sim.sim.wallOffsetNs += 3_000_000n;
    sim.sim.mono += 2_000_000_000n;
    clock.now();
    expect(clock.anchors()).toBe(2);
  });

  it('still anchors when the wall clock never ticks', () => {
    let mono = 0n;
    const clock = createSystemClock({ monotonicNs: () => (mono += 1_000n), wallClockMs: () => 1_000 });
    const t = clock.now();
    expect(t > 1_000n * NS_PER_MS && t < 1_001n * NS_PER_MS).toBe(true);
  });
});
