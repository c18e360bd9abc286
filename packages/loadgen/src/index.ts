/**
 * `@tock/loadgen`: the load generator behind `tock-loadgen`. It floods a UDP time server (tockd, chronyd, the
 * lab servers: anything speaking plain text, tock's JSON envelope or NTP) with concurrent clients, validates
 * every reply with `@tock/protocol`, and reports latency percentiles from an HDR histogram, throughput, and
 * the counts of valid, invalid, lost, late and duplicate replies.
 *
 * ```ts
 * import { compare, run } from '@tock/loadgen';
 * const result = await run({ target: '127.0.0.1:5005', protocol: 'ntp', connections: 16, duration: 5 });
 * console.log(result.rps, result.latencyUs.p99, result.lost);
 * const verdict = compare(result, baseline, { maxRegressionPct: 10 });
 * ```
 *
 * @packageDocumentation
 */

/** The base of every tock error class: a stable `code` and the exit status its CLI ends with. */
export { CodedError } from '@tock/cli-kit';
export {
  type ComparableFigures,
  type CompareOptions,
  type CompareResult,
  compare,
  type FigureComparison,
} from './compare.ts';
export {
  LOADGEN_ERROR_CODES,
  LoadgenError,
  type LoadgenErrorCode,
  type LoadgenErrorInfo,
} from './errors.ts';
export type { LatencySummary } from './histogram.ts';
export { IO_NAMES, type IoName } from './io/types.ts';
export { merge } from './merge.ts';
export {
  DEFAULT_DURATION_S,
  defaultWorkers,
  OptionError,
  type RampOptions,
  type RunOptions,
} from './options.ts';
export { INVALID_REASONS, type InvalidReason, PROTOCOLS, type ProtocolName } from './protocols/types.ts';
export { formatHuman } from './report/human.ts';
export { formatJson } from './report/json.ts';
export {
  type GeneratorHealth,
  type LoadgenResult,
  parseResult,
  type RampStep,
  type RampSummary,
  type ThroughputSummary,
} from './result.ts';
export { run } from './run/dispatch.ts';
export type { Counts, Phase, Progress, RunEvents } from './run/events.ts';
