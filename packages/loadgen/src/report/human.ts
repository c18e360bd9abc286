import type { LoadgenResult } from '../result.ts';
import { drawTable } from './table.ts';

const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const d1 = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** Percentile of a list of numbers (nearest rank). */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Shortens a count: 163456 → `163k`. */
function short(x: number): string {
  if (x >= 1e6) return `${d1(x / 1e6)}M`;
  if (x >= 1e4) return `${Math.round(x / 1e3)}k`;
  return n(x);
}

/** The one-line description of a run printed before it starts. */
export function describeRun(options: {
  readonly target: string;
  readonly protocol: string;
  readonly connections: number;
  readonly workers: number;
  readonly durationS: number | undefined;
  readonly amount: number | undefined;
  readonly rate: number | undefined;
  readonly warmupS: number;
  readonly ramp: boolean;
  /** The I/O the sockets use, when known. */
  readonly io?: string;
}): string {
  const o = options;
  const what = o.ramp
    ? 'ramp'
    : o.amount !== undefined
      ? `${n(o.amount)}-request`
      : `${d1(o.durationS ?? 0)}s`;
  const loop = o.ramp ? 'open-loop' : o.rate !== undefined ? `open-loop ${n(o.rate)} req/s` : 'closed-loop';
  const warmup = o.warmupS > 0 ? `, ${d1(o.warmupS)}s warm-up` : '';
  const workers = o.workers === 0 ? 'main thread' : `${o.workers} worker${o.workers === 1 ? '' : 's'}`;
  const io = o.io === undefined ? '' : `, ${o.io} I/O`;
  return `Running ${what} ${loop} ${o.protocol} test @ ${o.target}\n${o.connections} connections, ${workers}${io}${warmup}\n`;
}

/**
 * The report a person reads, in the manner of autocannon: latency percentiles in microseconds, throughput per
 * second, the counts, a summary line and the warnings.
 */
export function formatHuman(r: LoadgenResult): string {
  const out: string[] = [];
  const l = r.latencyUs;
  out.push(
    drawTable([
      ['Latency (µs)', 'p50', 'p90', 'p99', 'p99.9', 'Max', 'Avg', 'Stdev'],
      ['valid replies', n(l.p50), n(l.p90), n(l.p99), n(l.p999), n(l.max), d1(l.mean), d1(l.stdev)],
    ]),
  );
  const t = r.throughput;
  out.push(
    drawTable([
      ['Throughput (per second)', '2.5%', '50%', '97.5%', 'Avg', 'Stdev', 'Min', 'Max'],
      [
        'valid replies',
        n(percentile(t.perSecond, 2.5)),
        n(percentile(t.perSecond, 50)),
        n(percentile(t.perSecond, 97.5)),
        n(t.mean),
        n(t.stdev),
        n(t.min),
        n(t.max),
      ],
    ]),
  );
  const ofSent = (x: number): string => (r.sent > 0 && x > 0 ? ` (${d1((x / r.sent) * 100)}%)` : '');
  out.push(
    drawTable([
      ['Requests', 'Sent', 'Valid', 'Invalid', 'Lost', 'Late', 'Duplicate'],
      [
        'count',
        n(r.sent),
        n(r.valid),
        n(r.invalid) + ofSent(r.invalid),
        n(r.lost) + ofSent(r.lost),
        n(r.late) + ofSent(r.late),
        n(r.duplicate),
      ],
    ]),
  );
  if (r.ramp) {
    out.push(
      drawTable([
        ['Ramp step (req/s)', 'Valid/s', 'Loss %', 'p99 µs', 'Schedule', 'Result'],
        ...r.ramp.steps.map((s) => [
          n(s.rate),
          n(s.rps),
          d1(s.lossPct),
          n(s.p99Us),
          s.scheduleKept ? 'kept' : 'missed',
          s.passed ? 'pass' : 'fail',
        ]),
      ]),
    );
  }
  const g = r.generator;
  const health =
    g.scheduleKept !== null
      ? g.scheduleKept
        ? `schedule kept (p99 send lag ${n(g.sendLagUs?.p99 ?? 0)} µs)`
        : 'SCHEDULE NOT KEPT'
      : g.saturated
        ? `generator SATURATED (event loop busy ${Math.round(g.eventLoopUtilization * 100)}%)`
        : `generator not saturated (event loop busy ${Math.round(g.eventLoopUtilization * 100)}%)`;
  const runs = r.runs > 1 ? ` (${r.runs} runs merged)` : '';
  out.push(
    `${short(r.sent)} requests in ${r.durationS.toFixed(2)}s${runs}: ${n(r.rps)} valid replies/s, ` +
      `p99 ${n(l.p99)} µs, ${d1(r.lossPct)}% lost; ${health}`,
  );
  if (r.ramp) {
    const sustained = r.ramp.sustainedRate;
    out.push(
      sustained === null
        ? `ramp: no step passed (loss limit ${r.ramp.maxLossPct}%)`
        : `ramp: sustained ${n(sustained)} requests/s with at most ${r.ramp.maxLossPct}% loss; limited by ${r.ramp.limitedBy}`,
    );
  }
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return `${out.join('\n')}\n`;
}
