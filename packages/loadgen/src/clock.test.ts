import { describe, expect, it } from 'vitest';
import { createMsClock, nowMs } from './clock.ts';

/** A simulated thread: a monotonic clock that advances 0.1 µs per read and a wall clock that can be stepped. */
function simulated(wallAtStartMs: number) {
  const sim = { mono: 1000, stepMs: 0 };
  const trueMs = () => wallAtStartMs + sim.stepMs + (sim.mono - 1000);
  return {
    sim,
    trueMs,
    sources: {
      monotonicMs: () => (sim.mono += 0.0001),
      wallMs: () => Math.floor(trueMs()),
    },
  };
}

describe('nowMs', () => {
  it('agrees with Date.now() on this machine and never runs backwards', () => {
    let last = nowMs();
    for (let i = 0; i < 10_000; i++) {
      const t = nowMs();
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
    }
    const wall = Date.now();
    const read = nowMs();
    expect(read - wall).toBeGreaterThan(-1);
    expect(read - wall).toBeLessThan(2);
  });
});

describe('createMsClock', () => {
  it('is anchored to the wall clock to within a microsecond', () => {
    const m = simulated(1_700_000_000_123.456);
    const clock = createMsClock(m.sources);
    expect(Math.abs(clock() - m.trueMs())).toBeLessThan(0.001);
  });

  it('follows a step of the wall clock within a second, as tockd and tock do', () => {
    const m = simulated(1_700_000_000_000);
    const clock = createMsClock(m.sources);
    clock();
    m.sim.stepMs -= 5000; // the system clock is stepped back 5 s
    m.sim.mono += 500; // half a second later: not checked yet, the old anchor still serves
    expect(clock() - m.trueMs()).toBeGreaterThan(4000);
    m.sim.mono += 600; // past the check
    expect(Math.abs(clock() - m.trueMs())).toBeLessThan(0.001);
  });
});
