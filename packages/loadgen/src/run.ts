import { Worker } from 'node:worker_threads';
import { nowMs } from './clock.ts';
import { LoadgenError } from './errors.ts';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  summarize,
} from './histogram.ts';
import { chooseIo, type IoChoice } from './io/index.ts';
import { type ResolvedOptions, type RunOptions, resolveOptions } from './options.ts';
import { INVALID_REASONS, type InvalidReason } from './protocols/index.ts';
import { runRamp } from './ramp.ts';
import type { LoadgenResult, ThroughputSummary } from './result.ts';
import { formatTarget, parseTarget, type ResolvedTarget, resolveTarget } from './target.ts';
import {
  type Counts,
  Engine,
  type EngineConfig,
  type EngineProgress,
  type EngineReport,
  type Phase,
  PROGRESS_INTERVAL_MS,
} from './worker/engine.ts';
import type { FromWorker, ToWorker } from './worker/messages.ts';

export type { Counts, Phase } from './worker/engine.ts';

/** A snapshot of a running load test, a few times a second. */
export interface Progress {
  /** `warmup`, `measure`, `drain` (waiting for the last replies) or `done`. */
  readonly phase: Phase;
  /** Seconds since the run started (warm-up included). */
  readonly elapsedS: number;
  /** How far the run is, 0 to 1 (by time, or by requests sent with an amount). */
  readonly fraction: number;
  /** Measured counts so far. */
  readonly counts: Counts;
  /** Valid replies per second since the previous snapshot. */
  readonly rps: number;
  /** With a ramp: the step (0, 1, …) and its rate. */
  readonly step?: {
    /** 0 for the first step. */
    readonly index: number;
    /** The step's rate, requests per second. */
    readonly rate: number;
  };
}

/** Callbacks and cancellation for {@link run}. */
export interface RunEvents {
  /** Called a few times a second while requests are in flight. */
  readonly onProgress?: (progress: Progress) => void;
  /**
   * Stops sending when aborted; the run then waits for outstanding replies (at most the timeout) and
   * resolves with what it measured.
   */
  readonly signal?: AbortSignal;
}

/**
 * Runs a load test and resolves with its result: a closed loop by default, an open loop with `rate`, a
 * stepped ramp with `ramp`.
 * @throws LoadgenError `USAGE` for bad options, `RUN_FAILED` when the target does not resolve or a socket
 * or worker fails.
 */
export async function run(options: RunOptions, events: RunEvents = {}): Promise<LoadgenResult> {
  const o = resolveOptions(options);
  const target = await resolveTarget(parseTarget(o.target));
  if (o.ramp !== undefined) return runRamp(o, o.ramp, target, events);
  return runOnce(o, target, events);
}

/** One engine as the main thread sees it: in a worker thread, or on this thread. */
interface EngineHandle {
  start(t0Ms: number): void;
  /** Stops sending; the engine drains and reports. */
  stop(): void;
  /** Ends the engine at once, reporting nothing (after another engine failed). */
  abandon(): void;
  readonly done: Promise<EngineReport>;
  latest: EngineProgress | undefined;
}

const workerUrl: URL = import.meta.url.endsWith('.ts')
  ? new URL('./worker/main.ts', import.meta.url)
  : new URL('./worker.mjs', import.meta.url);

function spawnWorker(config: EngineConfig): Promise<EngineHandle> {
  return new Promise((resolveReady, rejectReady) => {
    const worker = new Worker(workerUrl, { workerData: config });
    let resolveDone: (report: EngineReport) => void = () => undefined;
    let rejectDone: (error: Error) => void = () => undefined;
    const done = new Promise<EngineReport>((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    let ready = false;
    let finished = false;
    const fail = (error: Error): void => {
      if (finished) return;
      finished = true;
      const wrapped =
        error instanceof LoadgenError
          ? error
          : new LoadgenError('RUN_FAILED', error.message, { cause: error });
      if (ready) rejectDone(wrapped);
      else rejectReady(wrapped);
      void worker.terminate();
    };
    const handle: EngineHandle = {
      start: (t0Ms) => worker.postMessage({ type: 'go', t0Ms } satisfies ToWorker),
      stop: () => worker.postMessage({ type: 'stop' } satisfies ToWorker),
      abandon: () => {
        finished = true;
        void worker.terminate();
      },
      done,
      latest: undefined,
    };
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          ready = true;
          resolveReady(handle);
          return;
        case 'progress':
          handle.latest = message.progress;
          return;
        case 'done':
          finished = true;
          handle.latest = { phase: 'done', counts: message.report.counts };
          resolveDone(message.report);
          void worker.terminate();
          return;
        case 'error':
          fail(new LoadgenError('RUN_FAILED', message.message));
          return;
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`a worker thread exited early (status ${code})`)));
  });
}

async function inProcess(config: EngineConfig): Promise<EngineHandle> {
  const engine = new Engine(config, (progress) => {
    handle.latest = progress;
  });
  try {
    await engine.openSockets();
  } catch (error) {
    engine.close();
    throw new LoadgenError('RUN_FAILED', `cannot open a socket: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let resolveDone: (report: EngineReport) => void = () => undefined;
  const handle: EngineHandle = {
    start: (t0Ms) => {
      engine.start(t0Ms).then(resolveDone);
    },
    stop: () => engine.stop(),
    abandon: () => engine.close(),
    done: new Promise((resolve) => {
      resolveDone = resolve;
    }),
    latest: undefined,
  };
  return handle;
}

/** Splits `total` into `parts` whole shares that differ by at most one. */
function share(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

/** Runs one load test (one ramp step, or the whole run without a ramp). */
export async function runOnce(
  o: ResolvedOptions,
  target: ResolvedTarget,
  events: RunEvents,
  step?: { readonly index: number; readonly rate: number },
): Promise<LoadgenResult> {
  const engineCount = Math.max(1, o.workers);
  // Decided here, once, so that every engine uses the same I/O (an engine that cannot load the addon where
  // this thread could still falls back, and says so in its report).
  const io = chooseIo(o.io, target.address);
  const configs: EngineConfig[] = [];
  for (let i = 0; i < engineCount; i++) {
    const connections = share(o.connections, engineCount, i);
    configs.push({
      address: target.address,
      family: target.family,
      port: target.port,
      protocol: o.protocol,
      connections,
      rate: o.rate === undefined ? 0 : (o.rate * connections) / o.connections,
      phase: i / engineCount,
      amount: o.amount === undefined ? undefined : share(o.amount, engineCount, i),
      durationMs: o.durationMs,
      warmupMs: o.warmupMs,
      timeoutMs: o.timeoutMs,
      toleranceMs: o.toleranceMs,
      timeZone: o.timeZone,
      textRequest: o.textRequest,
      io: io.io,
    });
  }
  // An amount smaller than the number of engines leaves some with nothing to do.
  const active = configs.filter((c) => c.amount === undefined || c.amount > 0);
  const started = await Promise.allSettled(
    active.map((c) => (o.workers === 0 ? inProcess(c) : spawnWorker(c))),
  );
  const handles = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    for (const h of handles) h.abandon();
    throw failed.reason;
  }

  const startedAt = new Date();
  const t0 = nowMs() + 5;
  for (const h of handles) h.start(t0);
  const onAbort = (): void => {
    for (const h of handles) h.stop();
  };
  if (events.signal?.aborted) onAbort();
  events.signal?.addEventListener('abort', onAbort);

  let lastValid = 0;
  let lastAt = t0;
  const ticker = events.onProgress
    ? setInterval(() => {
        const now = nowMs();
        const counts = sumCounts(handles.map((h) => h.latest?.counts));
        const phases = handles.map((h) => h.latest?.phase ?? (o.warmupMs > 0 ? 'warmup' : 'measure'));
        const phase: Phase = phases.includes('warmup')
          ? 'warmup'
          : phases.includes('measure')
            ? 'measure'
            : phases.includes('drain')
              ? 'drain'
              : 'done';
        const elapsedMs = now - t0;
        const fraction =
          o.amount !== undefined
            ? counts.sent / o.amount
            : Math.min(1, elapsedMs / (o.warmupMs + o.durationMs || 1));
        const rps = now > lastAt ? ((counts.valid - lastValid) * 1000) / (now - lastAt) : 0;
        lastValid = counts.valid;
        lastAt = now;
        events.onProgress?.({
          phase,
          elapsedS: Math.max(0, elapsedMs / 1000),
          fraction: Math.max(0, Math.min(1, fraction)),
          counts,
          rps,
          ...(step ? { step } : {}),
        });
      }, PROGRESS_INTERVAL_MS)
    : undefined;
  try {
    const reports = await Promise.all(handles.map((h) => h.done));
    return assemble(o, target, reports, startedAt, configs.length, io);
  } catch (error) {
    for (const h of handles) h.abandon();
    throw error;
  } finally {
    if (ticker) clearInterval(ticker);
    events.signal?.removeEventListener('abort', onAbort);
  }
}

function sumCounts(list: ReadonlyArray<Counts | undefined>): Counts {
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

function assemble(
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
