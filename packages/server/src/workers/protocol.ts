import type { Endpoint } from '../io/transport.ts';
import type { LogFields } from '../log.ts';
import type { IoMode, LogLevel, ServerSettings } from '../options.ts';

/** What a worker thread is started with. */
export interface WorkerData {
  readonly settings: ServerSettings;
  /** The port to bind, shared with the other workers (never 0). */
  readonly port: number;
  /** This worker's number, from 0: its region of `counters`. */
  readonly worker: number;
  /** The counters of all workers, one region of `STATS_SLOTS` doubles each. */
  readonly counters: SharedArrayBuffer;
  /** The shared rate-limit table, or `undefined` when rate limiting is off. */
  readonly limiter: SharedArrayBuffer | undefined;
  /** Where the rate error of `--clock-rate` starts, the same for every worker. */
  readonly epoch: bigint;
  readonly logLevel: LogLevel;
  /** The transport, as the main thread resolved it (`dgram` where the batched addon did not load). */
  readonly io: IoMode;
}

/** Messages from the main thread to a worker. */
export type ToWorker = { readonly type: 'stop' };

/** Messages from a worker to the main thread. */
export type FromWorker =
  | { readonly type: 'listening'; readonly address: Endpoint }
  | { readonly type: 'bind-failed'; readonly code: string | undefined; readonly message: string }
  | {
      readonly type: 'log';
      readonly level: LogLevel;
      readonly event: string;
      readonly msg: string;
      readonly fields: LogFields;
    }
  | { readonly type: 'stopped' };
