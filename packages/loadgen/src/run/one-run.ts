/**
 * One run: the engines started (in worker threads, or on this thread), progress reported while they send,
 * their reports collected and assembled into a result. A ramp is several of these, one per step.
 * @module
 */
import { nowMs } from '../clock.ts';
import type { IoChoice } from '../io/index.ts';
import type { ResolvedOptions } from '../options.ts';
import type { LoadgenResult } from '../result.ts';
import type { ResolvedTarget } from '../target.ts';
import { type EngineConfig, type Phase, PROGRESS_INTERVAL_MS } from '../worker/engine.ts';
import { assemble, sumCounts } from './assemble.ts';
import { type EngineHandle, startEngine } from './engines.ts';
import type { Progress, RunEvents } from './events.ts';

/** Splits `total` into `parts` whole shares that differ by at most one. */
function share(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

/** The configuration of each engine: the clients, rate and amount shared out, the rest as resolved. */
function engineConfigs(o: ResolvedOptions, target: ResolvedTarget, io: IoChoice): EngineConfig[] {
  const engineCount = Math.max(1, o.workers);
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
  return configs;
}

/**
 * Runs one load test (one ramp step, or the whole run without a ramp) with options already resolved and
 * the I/O already chosen, and resolves with its result.
 * @param io - the I/O every engine uses (an engine that cannot load the addon where this thread could still
 * falls back, and says so in its report).
 * @param step - with a ramp: which step this is, passed on in the progress snapshots.
 * @throws LoadgenError `RUN_FAILED` when a socket or a worker fails.
 */
export async function runOnce(
  o: ResolvedOptions,
  target: ResolvedTarget,
  io: IoChoice,
  events: RunEvents,
  step?: Progress['step'],
): Promise<LoadgenResult> {
  const configs = engineConfigs(o, target, io);
  // An amount smaller than the number of engines leaves some with nothing to do.
  const active = configs.filter((c) => c.amount === undefined || c.amount > 0);
  const started = await Promise.allSettled(active.map((c) => startEngine(c, o.workers === 0)));
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

  const ticker = events.onProgress ? reportProgress(o, handles, t0, events.onProgress, step) : undefined;
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

/** Calls `onProgress` every {@link PROGRESS_INTERVAL_MS} with the engines' latest snapshots added up. */
function reportProgress(
  o: ResolvedOptions,
  handles: readonly EngineHandle[],
  t0: number,
  onProgress: (progress: Progress) => void,
  step: Progress['step'],
): ReturnType<typeof setInterval> {
  let lastValid = 0;
  let lastAt = t0;
  return setInterval(() => {
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
    onProgress({
      phase,
      elapsedS: Math.max(0, elapsedMs / 1000),
      fraction: Math.max(0, Math.min(1, fraction)),
      counts,
      rps,
      ...(step ? { step } : {}),
    });
  }, PROGRESS_INTERVAL_MS);
}
