import { describe, expect, it } from 'vitest';
import { Ledger, RequestState } from './ledger.ts';

describe('Ledger', () => {
  it('tracks pending requests and finds the oldest one', () => {
    const l = new Ledger(16);
    const a = l.add(1, 1, true);
    const b = l.add(2, 2, false);
    expect([a, b]).toEqual([0, 1]);
    expect(l.pending).toBe(2);
    expect(l.oldestPending()).toBe(0);
    l.settle(a, RequestState.Answered);
    expect(l.oldestPending()).toBe(1);
    expect(l.pending).toBe(1);
    expect(l.measured(a)).toBe(true);
    expect(l.measured(b)).toBe(false);
    l.settle(b, RequestState.TimedOut);
    expect(l.oldestPending()).toBe(-1);
    l.settle(b, RequestState.Late);
    expect(l.state(b)).toBe(RequestState.Late);
    expect(l.pending).toBe(0);
  });

  it('forgets requests older than its size and reports a pending one about to be overwritten', () => {
    const l = new Ledger(16);
    for (let i = 0; i < 16; i++) l.add(i, i, true);
    expect(l.slotHolder()).toBe(0);
    l.settle(0, RequestState.TimedOut);
    expect(l.slotHolder()).toBe(-1);
    l.add(16, 16, true);
    expect(l.knows(0)).toBe(false);
    expect(l.knows(16)).toBe(true);
    expect(l.knows(17)).toBe(false);
  });
});
