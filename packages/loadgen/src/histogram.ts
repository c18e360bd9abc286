import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from 'hdr-histogram-js';

/** The largest latency a histogram holds, in microseconds (one hour); larger values are clamped to it. */
export const HISTOGRAM_MAX_US = 3_600_000_000;

/** Latency percentiles in microseconds, as the result reports them. */
export interface LatencySummary {
  /** The median. */
  readonly p50: number;
  /** The 90th percentile. */
  readonly p90: number;
  /** The 99th percentile. */
  readonly p99: number;
  /** The 99.9th percentile. */
  readonly p999: number;
  /** The largest latency recorded. */
  readonly max: number;
  /** The smallest latency recorded. */
  readonly min: number;
  /** The mean, to 0.1 µs. */
  readonly mean: number;
  /** The standard deviation, to 0.1 µs. */
  readonly stdev: number;
}

/** A latency histogram: microsecond resolution, 3 significant digits, 1 µs to one hour. */
export type LatencyHistogram = Histogram;

/** Creates an empty latency histogram (pure JavaScript: no WebAssembly to load in every worker). */
export function createHistogram(): LatencyHistogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HISTOGRAM_MAX_US,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
    bitBucketSize: 32,
    useWebAssembly: false,
  });
}

/** Records one latency in microseconds, rounded to a whole microsecond and clamped to [1 µs, one hour]. */
export function recordUs(histogram: LatencyHistogram, us: number): void {
  const v = us < 1 ? 1 : us > HISTOGRAM_MAX_US ? HISTOGRAM_MAX_US : Math.round(us);
  histogram.recordValue(v);
}

/** Encodes a histogram in HdrHistogram's compressed base64 form (readable by every HdrHistogram port). */
export function encodeHistogram(histogram: LatencyHistogram): string {
  return encodeIntoCompressedBase64(histogram);
}

/**
 * Decodes a histogram written by {@link encodeHistogram} (or by any HdrHistogram implementation) into a
 * fresh latency histogram.
 * @throws Error when the text is not an encoded histogram.
 */
export function decodeHistogram(encoded: string): LatencyHistogram {
  const decoded = decodeFromCompressedBase64(encoded, 32, false);
  const histogram = createHistogram();
  histogram.add(decoded);
  return histogram;
}

/** Adds encoded histograms together (the per-worker histograms of a run, or several runs). */
export function mergeHistograms(encoded: readonly string[]): LatencyHistogram {
  const total = createHistogram();
  for (const e of encoded) total.add(decodeFromCompressedBase64(e, 32, false));
  return total;
}

/** Percentiles, extremes, mean and standard deviation of a histogram; all zero when it is empty. */
export function summarize(histogram: LatencyHistogram): LatencySummary {
  if (histogram.totalCount === 0)
    return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, min: 0, mean: 0, stdev: 0 };
  const round1 = (x: number): number => Math.round(x * 10) / 10;
  return {
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
    max: histogram.maxValue,
    min: histogram.minNonZeroValue,
    mean: round1(histogram.mean),
    stdev: round1(histogram.stdDeviation),
  };
}
