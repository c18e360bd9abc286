/**
 * What a caller of {@link run} sees while it runs: progress snapshots, and a signal to stop early.
 * @module
 */
import type { Counts, Phase } from '../worker/engine.ts';

export type { Counts, Phase } from '../worker/engine.ts';

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
