import { LoadgenError } from './errors.ts';
import { encodeHistogram, mergeHistograms, summarize } from './histogram.ts';
import type { InvalidReason } from './protocols/index.ts';
import type { LoadgenResult } from './result.ts';
import { throughputSummary } from './run/assemble.ts';

/**
 * Combines results of runs made at the same time from several machines (or processes) against the same
 * server: counts and throughput add up, the histograms are merged so the percentiles are those of every
 * reply, the duration is the longest, and the generator counts as saturated if any was.
 * @throws LoadgenError `RUN_FAILED` when there is nothing to merge, or the runs used different protocols or modes.
 */
export function merge(results: readonly LoadgenResult[]): LoadgenResult {
  const first = results[0];
  if (first === undefined) throw new LoadgenError('RUN_FAILED', 'nothing to merge');
  for (const r of results) {
    if (r.protocol !== first.protocol) {
      throw new LoadgenError('RUN_FAILED', `cannot merge a ${r.protocol} run with a ${first.protocol} run`);
    }
    if (r.mode !== first.mode) {
      throw new LoadgenError(
        'RUN_FAILED',
        `cannot merge an ${r.mode}-loop run with a ${first.mode}-loop run`,
      );
    }
  }
  const sum = (f: (r: LoadgenResult) => number): number => results.reduce((a, r) => a + f(r), 0);
  const histogram = mergeHistograms(results.map((r) => r.histogram));
  const reasons: Partial<Record<InvalidReason, number>> = {};
  for (const r of results) {
    for (const [reason, n] of Object.entries(r.invalidReasons) as Array<[InvalidReason, number]>) {
      reasons[reason] = (reasons[reason] ?? 0) + n;
    }
  }
  const perSecond: number[] = [];
  for (const r of results) {
    r.throughput.perSecond.forEach((n, i) => {
      perSecond[i] = (perSecond[i] ?? 0) + n;
    });
  }
  const sent = sum((r) => r.sent);
  const lost = sum((r) => r.lost);
  const open = first.mode === 'open';
  const lags = results.flatMap((r) => (r.generator.sendLagUs ? [r.generator.sendLagUs] : []));
  const targets = [...new Set(results.map((r) => r.target))];
  const ios = new Set(results.map((r) => r.io));
  const io = ios.size === 1 ? results[0]!.io : undefined;
  const fallback = results.find((r) => typeof r.ioFallback === 'string')?.ioFallback ?? null;
  const warnings = [
    ...new Set(
      results.flatMap((r, i) => r.warnings.map((w) => (results.length > 1 ? `run ${i + 1}: ${w}` : w))),
    ),
  ];
  return {
    tool: 'tock-loadgen',
    version: 1,
    target: targets.join(','),
    protocol: first.protocol,
    mode: first.mode,
    connections: sum((r) => r.connections),
    workers: sum((r) => r.workers),
    rate: open ? sum((r) => r.rate ?? 0) : null,
    startedAt: results.map((r) => r.startedAt).sort()[0]!,
    durationS: Math.max(...results.map((r) => r.durationS)),
    rps: Math.round(sum((r) => r.rps) * 10) / 10,
    latencyUs: summarize(histogram),
    sent,
    valid: sum((r) => r.valid),
    invalid: sum((r) => r.invalid),
    lost,
    late: sum((r) => r.late),
    duplicate: sum((r) => r.duplicate),
    lossPct: sent > 0 ? Math.round((lost / sent) * 100_000) / 1000 : 0,
    socketErrors: sum((r) => r.socketErrors),
    invalidReasons: reasons,
    throughput: throughputSummary(Array.from(perSecond, (n) => n ?? 0)),
    generator: {
      saturated: results.some((r) => r.generator.saturated),
      eventLoopUtilization: Math.max(...results.map((r) => r.generator.eventLoopUtilization)),
      scheduleKept: open ? results.every((r) => r.generator.scheduleKept !== false) : null,
      scheduled: open ? sum((r) => r.generator.scheduled ?? 0) : null,
      sendLagUs:
        lags.length > 0
          ? {
              p50: Math.max(...lags.map((l) => l.p50)),
              p99: Math.max(...lags.map((l) => l.p99)),
              max: Math.max(...lags.map((l) => l.max)),
            }
          : null,
    },
    warnings,
    histogram: encodeHistogram(histogram),
    runs: sum((r) => r.runs),
    ...(io === undefined ? {} : { io, ioFallback: fallback }),
  };
}
