import { describe, expect, it } from 'vitest';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  HISTOGRAM_MAX_US,
  mergeHistograms,
  recordUs,
  summarize,
} from './histogram.ts';

describe('latency histogram', () => {
  it('keeps microsecond resolution for UDP-scale latencies', () => {
    const h = createHistogram();
    for (const us of [37, 38, 39, 40, 41]) recordUs(h, us);
    const s = summarize(h);
    expect(s.min).toBe(37);
    expect(s.p50).toBe(39);
    expect(s.max).toBe(41);
  });

  it('round-trips through the encoded form and merges encoded histograms', () => {
    const a = createHistogram();
    const b = createHistogram();
    for (let i = 1; i <= 1000; i++) recordUs(a, i);
    for (let i = 1001; i <= 2000; i++) recordUs(b, i);
    expect(summarize(decodeHistogram(encodeHistogram(a)))).toEqual(summarize(a));
    const merged = mergeHistograms([encodeHistogram(a), encodeHistogram(b)]);
    expect(merged.totalCount).toBe(2000);
    expect(summarize(merged).p50).toBeGreaterThanOrEqual(999);
    expect(summarize(merged).p50).toBeLessThanOrEqual(1001);
    expect(summarize(merged).max).toBeGreaterThanOrEqual(1999);
  });

  it('clamps values below 1 µs and above an hour instead of throwing', () => {
    const h = createHistogram();
    recordUs(h, 0.2);
    recordUs(h, HISTOGRAM_MAX_US * 10);
    expect(h.totalCount).toBe(2);
    expect(h.minNonZeroValue).toBe(1);
  });

  it('summarises an empty histogram as zeros', () => {
    expect(summarize(createHistogram()).p99).toBe(0);
  });
});
