/**
 * A ramp: steps of one run each, at rising open-loop rates, until the server (or the generator) cannot keep
 * up; the result is that of the highest step that passed.
 * @module
 */
import type { IoChoice } from '../io/index.ts';
import { type ResolvedOptions, type ResolvedRamp, rampStepOptions } from '../options.ts';
import type { LoadgenResult, RampStep, RampSummary } from '../result.ts';
import type { ResolvedTarget } from '../target.ts';
import type { RunEvents } from './events.ts';
import { runOnce } from './one-run.ts';

/** Rounds a rate to three significant digits, so that step rates read well. */
function roundRate(rate: number): number {
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(rate)) - 2);
  return Math.round(rate / magnitude) * magnitude;
}

/** Whether a step's result shows a server that sustains its rate. */
export function stepPassed(result: LoadgenResult, maxLossPct: number): boolean {
  return result.lossPct <= maxLossPct && result.invalid === 0 && result.generator.scheduleKept !== false;
}

/**
 * Finds the highest open-loop rate the server sustains (ntpperf's method): runs steps of
 * `ramp.stepDuration` seconds (after a warm-up: `warmup`, or a quarter of a second) at `start`,
 * `start × factor`, … requests per second until a step loses more than `maxLossPct` percent of its
 * requests, gets an invalid reply, or the generator cannot keep the schedule, or `max` is reached. Resolves
 * with the result of the highest passing step (or the first step, when none passed) and the summary of
 * every step in `ramp`.
 * @param io - the I/O chosen for the whole ramp: every step uses it.
 */
export async function runRamp(
  o: ResolvedOptions,
  ramp: ResolvedRamp,
  target: ResolvedTarget,
  io: IoChoice,
  events: RunEvents,
): Promise<LoadgenResult> {
  const steps: RampStep[] = [];
  let best: LoadgenResult | undefined;
  let first: LoadgenResult | undefined;
  let limitedBy: RampSummary['limitedBy'] = 'max-rate';
  let rate = ramp.start;
  for (let index = 0; ; index++) {
    const result = await runOnce(rampStepOptions(o, ramp, rate), target, io, events, { index, rate });
    first ??= result;
    const passed = stepPassed(result, ramp.maxLossPct);
    steps.push({
      rate,
      rps: result.rps,
      lossPct: result.lossPct,
      invalid: result.invalid,
      p99Us: result.latencyUs.p99,
      scheduleKept: result.generator.scheduleKept !== false,
      passed,
    });
    if (!passed) {
      limitedBy = result.generator.scheduleKept === false ? 'generator' : 'server';
      break;
    }
    best = result;
    if (rate >= ramp.max || events.signal?.aborted) break;
    rate = Math.min(ramp.max, roundRate(rate * ramp.factor));
  }
  const summary: RampSummary = {
    steps,
    sustainedRate: best?.rate ?? null,
    limitedBy,
    maxLossPct: ramp.maxLossPct,
  };
  const chosen = best ?? first!;
  const warnings = [...chosen.warnings];
  if (limitedBy === 'generator') {
    warnings.push(
      `the ramp stopped because the generator could not keep its schedule at ${steps.at(-1)!.rate.toLocaleString('en-US')} requests/s: ` +
        'the server’s limit lies higher; add workers or run the generator on another machine',
    );
  }
  return { ...chosen, warnings, ramp: summary };
}
