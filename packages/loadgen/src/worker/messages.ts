import type { EngineProgress, EngineReport } from './engine.ts';

/** A message from the main thread to a worker. */
export type ToWorker =
  | { readonly type: 'go'; readonly t0Ms: number }
  /** Stop sending now, drain and report. */
  | { readonly type: 'stop' };

/** A message from a worker to the main thread. */
export type FromWorker =
  /** The sockets are open and connected. */
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly progress: EngineProgress }
  | { readonly type: 'done'; readonly report: EngineReport }
  | { readonly type: 'error'; readonly message: string };
