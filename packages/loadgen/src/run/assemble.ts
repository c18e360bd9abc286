/**
 * Assembling a result: the reports of a run's engines added up into one {@link LoadgenResult}, with the
 * warnings a reader must see before trusting its figures.
 * @module
 */
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  summarize,
} from '../histogram.ts';
import type { IoChoice } from '../io/index.ts';
import type { ResolvedOptions } from '../options.ts';
import { INVALID_REASONS, type InvalidReason } from '../protocols/index.ts';
import type { LoadgenResult, ThroughputSummary } from '../result.ts';
import { formatTarget, type ResolvedTarget } from '../target.ts';
import type { Counts, EngineReport } from '../worker/engine.ts';

/** The counts of several engines added up; engines with no counts yet are skipped. */
export function sumCounts(list: ReadonlyArray<Counts | undefined>): Counts {
  const total: Counts = { sent: 0, valid: 0, invalid: 0, lost: 0, late: 0, duplicate: 0, socketErrors: 0 };
  for (const c of list) {
    if (!c) continue;
    total.sent += c.sent;
    total.valid += c.valid;
    total.invalid += c.invalid;
    total.lost += c.lost;
    total.late += c.late;
    total.duplicate += c.duplicate;
    total.socketErrors += c.socketErrors;
  }
  return total;
}

/** Mean, standard deviation, minimum and maximum of per-second counts. */
export function throughputSummary(perSecond: readonly number[]): ThroughputSummary {
  if (perSecond.length === 0) return { perSecond: [], mean: 0, stdev: 0, min: 0, max: 0 };
  const mean = perSecond.reduce((a, b) => a + b, 0) / perSecond.length;
  const variance = perSecond.reduce((a, b) => a + (b - mean) ** 2, 0) / perSecond.length;
  return {
    perSecond: [...perSecond],
    mean: Math.round(mean * 10) / 10,
    stdev: Math.round(Math.sqrt(variance) * 10) / 10,
    min: Math.min(...perSecond),
    max: Math.max(...perSecond),
  };
}

/** Rounds to one decimal. */
function r1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Saturation threshold of a closed loop: a worker's event loop busy this share of the time or more. */
export const SATURATED_UTILIZATION = 0.9;

/**
 * The result of one run from its engines' reports: counts and histograms added up, throughput per second,
 * whether the generator kept up, and the warnings.
 * @param workers - how many engines ran (the result says 0 when they ran on the calling thread).
 * @param io - the I/O chosen for the run; an engine that fell back to `dgram` makes the result say `dgram`.
 */
export function assemble(
  o: ResolvedOptions,
  target: ResolvedTarget,
  reports: readonly EngineReport[],
  startedAt: Date,
  workers: number,
  io: IoChoice,
): LoadgenResult {
  const counts = sumCounts(reports.map((r) => r.counts));
  const reasons: Partial<Record<InvalidReason, number>> = {};
  for (const reason of INVALID_REASONS) {
    const n = reports.reduce((a, r) => a + r.invalidReasons[reason], 0);
    if (n > 0) reasons[reason] = n;
  }
  const histogram = mergeHistograms(reports.map((r) => r.histogram));
  const measureStart = Math.min(...reports.map((r) => r.measureStartMs));
  const sendEnd = Math.max(...reports.map((r) => r.sendEndMs));
  const lastReply = Math.max(...reports.map((r) => r.lastReplyMs));
  const windowMs = Math.max(
    1,
    (o.amount === undefined ? sendEnd : Math.max(sendEnd, lastReply)) - measureStart,
  );
  const perSecond: number[] = [];
  for (const r of reports) {
    r.perSecond.forEach((n, i) => {
      perSecond[i] = (perSecond[i] ?? 0) + n;
    });
  }
  for (let i = 0; i < perSecond.length; i++) perSecond[i] ??= 0;
  const open = o.rate !== undefined;
  const elu = Math.max(...reports.map((r) => r.eventLoopUtilization));
  let scheduleKept: boolean | null = null;
  let scheduled: number | null = null;
  let sendLagUs: { p50: number; p99: number; max: number } | null = null;
  if (open) {
    const lag = createHistogram();
    for (const r of reports) if (r.lagHistogram) lag.add(decodeHistogram(r.lagHistogram));
    const s = summarize(lag);
    sendLagUs = { p50: s.p50, p99: s.p99, max: s.max };
    scheduled = reports.reduce((a, r) => a + r.scheduled, 0);
    scheduleKept = s.p99 <= o.maxLagMs * 1000 && counts.sent >= scheduled * 0.99;
  }
  const saturated = open ? scheduleKept === false : elu >= SATURATED_UTILIZATION;
  const lossPct = counts.sent > 0 ? (counts.lost / counts.sent) * 100 : 0;
  const result: Omit<LoadgenResult, 'warnings'> = {
    tool: 'tock-loadgen',
    version: 1,
    target: formatTarget(target),
    protocol: o.protocol,
    mode: open ? 'open' : 'closed',
    connections: o.connections,
    workers: o.workers === 0 ? 0 : workers,
    rate: o.rate ?? null,
    startedAt: startedAt.toISOString(),
    durationS: Math.round(windowMs) / 1000,
    rps: r1((counts.valid * 1000) / windowMs),
    latencyUs: summarize(histogram),
    sent: counts.sent,
    valid: counts.valid,
    invalid: counts.invalid,
    lost: counts.lost,
    late: counts.late,
    duplicate: counts.duplicate,
    lossPct: Math.round(lossPct * 1000) / 1000,
    socketErrors: counts.socketErrors,
    invalidReasons: reasons,
    throughput: throughputSummary(perSecond),
    generator: {
      saturated,
      eventLoopUtilization: elu,
      scheduleKept,
      scheduled,
      sendLagUs,
    },
    histogram: reports.length === 1 ? reports[0]!.histogram : encodeHistogram(histogram),
    runs: 1,
    // dgram if any engine ran on it.
    io: reports.some((r) => r.io === 'dgram') ? 'dgram' : io.io,
    ioFallback: io.fallback ?? reports.find((r) => r.ioFallback !== undefined)?.ioFallback ?? null,
  };
  const firstError = reports.find((r) => r.firstSocketError !== undefined)?.firstSocketError;
  return { ...result, warnings: warningsFor(result, o, firstError) };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The warnings of a result: what a reader must know before trusting its figures. */
function warningsFor(
  r: Omit<LoadgenResult, 'warnings'>,
  o: ResolvedOptions,
  firstSocketError: string | undefined,
): string[] {
  const warnings: string[] = [];
  const g = r.generator;
  if (g.scheduleKept === false) {
    warnings.push(
      `the generator could not keep its schedule: p99 send lag ${fmt(g.sendLagUs?.p99 ?? 0)} µs ` +
        `(limit ${fmt(o.maxLagMs * 1000)} µs), ${fmt(r.sent)} of ${fmt(g.scheduled ?? 0)} scheduled requests sent; ` +
        'latencies include the generator’s own delay: lower the rate, add workers or use a quieter machine',
    );
  } else if (r.mode === 'closed' && g.saturated) {
    warnings.push(
      `the generator was saturated (event loop busy ${Math.round(g.eventLoopUtilization * 100)}%): ` +
        'the throughput may be the generator’s limit, not the server’s; add workers or use a faster machine',
    );
  }
  if (r.socketErrors > 0) {
    warnings.push(
      `${fmt(r.socketErrors)} socket errors (first: ${firstSocketError ?? 'unknown'}): is a server listening on ${r.target}?`,
    );
  }
  if (r.sent > 0 && r.valid === 0) warnings.push(`no valid reply to ${fmt(r.sent)} requests`);
  if (r.io === 'batched' && r.sent > 0 && r.valid + r.invalid + r.late + r.duplicate === 0) {
    warnings.push(
      `no reply at all: is a server listening on ${r.target}? (batched I/O does not see ICMP errors such as port unreachable; --io dgram reports them as socket errors)`,
    );
  }
  if (r.invalid > 0) {
    const reasons = Object.entries(r.invalidReasons)
      .map(([reason, n]) => `${reason} ${fmt(n)}`)
      .join(', ');
    warnings.push(`${fmt(r.invalid)} invalid replies (${reasons})`);
  }
  if (r.protocol === 'text' && r.mode === 'open' && r.lost > 0) {
    warnings.push(
      'text replies name no request: with requests lost in an open loop, replies are matched by arrival order and some latencies are off',
    );
  }
  return warnings;
}
