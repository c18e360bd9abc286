/** The figures the regression gate compares: what a result, or a normalised pair of results, carries. */
export interface ComparableFigures {
  /** Throughput: higher is better. */
  readonly rps: number;
  /** Latency: the 99th percentile, lower is better. */
  readonly latencyUs: { readonly p99: number };
}

/** Settings of {@link compare}. */
export interface CompareOptions {
  /** The largest tolerated regression, percent: throughput may fall and p99 may rise by this much. */
  readonly maxRegressionPct: number;
  /** A different limit for p99 latency, percent (default: `maxRegressionPct`). */
  readonly maxLatencyRegressionPct?: number;
  /** Names of the two figures in messages (default `throughput` and `p99 latency`). */
  readonly labels?: {
    /** Default `throughput`. */
    readonly throughput?: string;
    /** Default `p99 latency`. */
    readonly latency?: string;
  };
  /** Units of the two figures in messages (default `replies/s` and `µs`; empty for ratios). */
  readonly units?: {
    /** Default `replies/s`. */
    readonly throughput?: string;
    /** Default `µs`. */
    readonly latency?: string;
  };
}

/** One figure against its baseline. */
export interface FigureComparison {
  /** `throughput` or `p99`. */
  readonly figure: 'throughput' | 'p99';
  /** The figure's name in messages. */
  readonly label: string;
  /** The baseline's value. */
  readonly baseline: number;
  /** The current value. */
  readonly current: number;
  /** Change from the baseline, percent: negative when it fell. */
  readonly changePct: number;
  /** Whether the change is a regression larger than the limit. */
  readonly regressed: boolean;
  /** One line for a person: what changed, by how much, against which limit. */
  readonly message: string;
}

/** The verdict of {@link compare}. */
export interface CompareResult {
  /** No figure regressed by more than the limit. */
  readonly ok: boolean;
  /** Throughput, then p99. */
  readonly figures: readonly FigureComparison[];
  /** The lines of `figures`, the regressed ones first. */
  readonly message: string;
}

function show(x: number, unit: string): string {
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 3;
  const text = x.toLocaleString('en-US', { maximumFractionDigits: digits });
  return unit ? `${text} ${unit}` : text;
}

function pct(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
}

/**
 * The regression gate: compares `current` with `baseline`. Throughput regresses when it falls by more than
 * `maxRegressionPct` percent, p99 latency when it rises by more than that (or `maxLatencyRegressionPct`). A baseline figure of zero cannot
 * regress (there is nothing to fall from; a zero p99 means no reply was measured).
 */
export function compare(
  current: ComparableFigures,
  baseline: ComparableFigures,
  options: CompareOptions,
): CompareResult {
  const throughputLimit = options.maxRegressionPct;
  const latencyLimit = options.maxLatencyRegressionPct ?? throughputLimit;
  const throughputLabel = options.labels?.throughput ?? 'throughput';
  const latencyLabel = options.labels?.latency ?? 'p99 latency';
  const throughputUnit = options.units?.throughput ?? 'replies/s';
  const latencyUnit = options.units?.latency ?? 'µs';
  const figure = (
    name: FigureComparison['figure'],
    label: string,
    unit: string,
    base: number,
    now: number,
    worseIsUp: boolean,
    limit: number,
  ): FigureComparison => {
    const changePct = base > 0 ? ((now - base) / base) * 100 : 0;
    const worsening = worseIsUp ? changePct : -changePct;
    const regressed = base > 0 && worsening > limit;
    const verb = changePct >= 0 ? 'rose' : 'fell';
    const line = `${label} ${verb} ${Math.abs(changePct).toFixed(1)}%: ${show(base, unit)} → ${show(now, unit)} (${pct(changePct)}; limit ${limit}%)`;
    return {
      figure: name,
      label,
      baseline: base,
      current: now,
      changePct: Math.round(changePct * 100) / 100,
      regressed,
      message: regressed ? `REGRESSION: ${line}` : `ok: ${line}`,
    };
  };
  const figures = [
    figure('throughput', throughputLabel, throughputUnit, baseline.rps, current.rps, false, throughputLimit),
    figure(
      'p99',
      latencyLabel,
      latencyUnit,
      baseline.latencyUs.p99,
      current.latencyUs.p99,
      true,
      latencyLimit,
    ),
  ];
  const ordered = [...figures.filter((f) => f.regressed), ...figures.filter((f) => !f.regressed)];
  return {
    ok: figures.every((f) => !f.regressed),
    figures,
    message: ordered.map((f) => f.message).join('\n'),
  };
}
