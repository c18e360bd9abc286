import { describe, expect, it } from 'vitest';
import { compare } from './compare.ts';

const figures = (rps: number, p99: number) => ({ rps, latencyUs: { p99 } });

describe('compare (the regression gate)', () => {
  it('fails a server ten times slower than its baseline, naming both figures and the change', () => {
    const verdict = compare(figures(2_000, 2_000), figures(20_000, 200), { maxRegressionPct: 10 });
    expect(verdict.ok).toBe(false);
    const throughput = verdict.figures.find((f) => f.figure === 'throughput')!;
    expect(throughput.regressed).toBe(true);
    expect(throughput.changePct).toBe(-90);
    expect(throughput.message).toBe(
      'REGRESSION: throughput fell 90.0%: 20,000 replies/s → 2,000 replies/s (-90.0%; limit 10%)',
    );
    const p99 = verdict.figures.find((f) => f.figure === 'p99')!;
    expect(p99.regressed).toBe(true);
    expect(p99.changePct).toBe(900);
    expect(verdict.message).toContain('p99 latency rose 900.0%: 200 µs → 2,000 µs');
  });

  it('passes changes within the limit, and improvements of any size', () => {
    expect(compare(figures(9_100, 109), figures(10_000, 100), { maxRegressionPct: 10 }).ok).toBe(true);
    expect(compare(figures(50_000, 10), figures(10_000, 100), { maxRegressionPct: 0 }).ok).toBe(true);
  });

  it('fails when only one figure regresses, and lists that one first', () => {
    const verdict = compare(figures(10_000, 150), figures(10_000, 100), { maxRegressionPct: 20 });
    expect(verdict.ok).toBe(false);
    expect(verdict.figures.filter((f) => f.regressed).map((f) => f.figure)).toEqual(['p99']);
    expect(verdict.message.split('\n')[0]).toMatch(/^REGRESSION: p99 latency rose 50\.0%/);
  });

  it('treats a change exactly at the limit as a pass', () => {
    expect(compare(figures(90, 110), figures(100, 100), { maxRegressionPct: 10 }).ok).toBe(true);
  });

  it('never fails on a zero baseline figure (nothing measured to regress from)', () => {
    expect(compare(figures(0, 0), figures(0, 0), { maxRegressionPct: 10 }).ok).toBe(true);
  });

  it('uses the labels and units it is given (for normalised ratios)', () => {
    const verdict = compare(figures(0.5, 2), figures(1, 1), {
      maxRegressionPct: 25,
      labels: { throughput: 'throughput ratio server/echo', latency: 'p99 ratio server/echo' },
      units: { throughput: '', latency: '' },
    });
    expect(verdict.message).toContain('throughput ratio server/echo fell 50.0%: 1 → 0.5 (-50.0%; limit 25%)');
  });
});
