/**
 * The entry of a run: options resolved and I/O chosen once, then the kind of run dispatched: a fixed run
 * (closed loop, or open loop with a rate) or a ramp of such runs.
 * @module
 */
import { chooseIo, type IoChoice } from '../io/index.ts';
import { type ResolvedOptions, type RunOptions, resolveOptions } from '../options.ts';
import type { LoadgenResult } from '../result.ts';
import { parseTarget, resolveTarget, type Target } from '../target.ts';
import type { RunEvents } from './events.ts';
import { runOnce } from './one-run.ts';
import { runRamp } from './ramp.ts';

/** Everything decided about a run before a socket opens. */
export interface RunPlan {
  /** The options, validated, with every default applied. */
  readonly options: ResolvedOptions;
  /** The server, parsed (not yet resolved to an address). */
  readonly target: Target;
  /** The I/O every engine of every step uses, and why not `batched` when it was asked for. */
  readonly io: IoChoice;
}

/**
 * Resolves `options` ({@link resolveOptions}) and chooses the I/O ({@link chooseIo}): the one place a run
 * does either.
 * @throws LoadgenError `USAGE` for bad options or a target that is not `HOST:PORT`.
 */
export function planRun(options: RunOptions): RunPlan {
  return planResolved(resolveOptions(options));
}

/** {@link planRun} for options already resolved (the CLI resolves them once, as it checks the flags). */
export function planResolved(resolved: ResolvedOptions): RunPlan {
  const target = parseTarget(resolved.target);
  // The addon takes numeric IP addresses only; a host name resolves to one without an IPv6 scope, so the host
  // as written decides as well as its address would.
  return { options: resolved, target, io: chooseIo(resolved.io, target.host) };
}

/**
 * Carries out a {@link RunPlan}: resolves the target's address, then runs once, or steps through a ramp.
 * @throws LoadgenError `RUN_FAILED` when the target does not resolve or a socket or worker fails.
 */
export async function runPlan(plan: RunPlan, events: RunEvents = {}): Promise<LoadgenResult> {
  const { options: o, io } = plan;
  const target = await resolveTarget(plan.target);
  if (o.ramp !== undefined) return runRamp(o, o.ramp, target, io, events);
  return runOnce(o, target, io, events);
}

/**
 * Runs a load test and resolves with its result: a closed loop by default, an open loop with `rate`, a
 * stepped ramp with `ramp`.
 * @throws LoadgenError `USAGE` for bad options, `RUN_FAILED` when the target does not resolve or a socket
 * or worker fails.
 */
export async function run(options: RunOptions, events: RunEvents = {}): Promise<LoadgenResult> {
  return runPlan(planRun(options), events);
}
