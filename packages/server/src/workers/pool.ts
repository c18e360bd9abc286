import { Worker } from 'node:worker_threads';
import type { Endpoint } from '../io/transport.ts';
import type { Logger } from '../log.ts';
import type { IoMode, ServerSettings } from '../options.ts';
import type { FromWorker, ToWorker, WorkerData } from './protocol.ts';

/**
 * The worker module: `thread.ts` beside this file when running from source (Node strips the types), the
 * built `worker.mjs` in `dist/` otherwise (every chunk of the build sits in `dist/`).
 */
const WORKER_URL: URL = import.meta.url.endsWith('.ts')
  ? new URL('./thread.ts', import.meta.url)
  : new URL('./worker.mjs', import.meta.url);

/** How long stopping waits for a worker to close its socket before terminating it, in milliseconds. */
const STOP_TIMEOUT_MS = 3000;

/** An error a worker could not bind with: the OS error code, as `node:dgram` would have thrown it. */
export class WorkerBindError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.name = 'WorkerBindError';
    this.code = code;
  }
}

/** Worker threads each answering on one socket of a shared port. */
export interface WorkerPool {
  /** The address the first worker bound. */
  readonly address: Endpoint;
  /** Stops every worker (each stops answering, lets its replies leave and closes its socket). */
  stop(): Promise<void>;
  /** Resolves if a worker dies on its own (a bug): then the others have been stopped. */
  readonly failed: Promise<Error>;
}

/** What {@link startWorkers} needs. */
export interface WorkerPoolOptions {
  readonly count: number;
  readonly settings: ServerSettings;
  readonly port: number;
  readonly counters: SharedArrayBuffer;
  readonly limiter: SharedArrayBuffer | undefined;
  readonly epoch: bigint;
  readonly logger: Logger;
  /** The transport each worker uses (default `batched`, which falls back to `dgram` where it cannot load). */
  readonly io?: IoMode;
  /** The worker module (tests replace it). */
  readonly workerUrl?: URL;
}

interface Running {
  readonly worker: Worker;
  readonly exited: Promise<void>;
  stopping: boolean;
}

/**
 * Starts `count` worker threads that each bind `port` with SO_REUSEPORT, and resolves once all listen.
 * Rejects with a {@link WorkerBindError} (after stopping the others) when one cannot bind.
 */
export async function startWorkers(options: WorkerPoolOptions): Promise<WorkerPool> {
  const { logger } = options;
  let fail: (error: Error) => void = () => undefined;
  const failed = new Promise<Error>((resolve) => {
    fail = resolve;
  });
  const running: Running[] = [];
  let stopping: Promise<void> | undefined;

  const stop = (): Promise<void> => {
    stopping ??= Promise.all(
      running.map(async (r) => {
        r.stopping = true;
        r.worker.postMessage({ type: 'stop' } satisfies ToWorker);
        const timer = setTimeout(() => void r.worker.terminate(), STOP_TIMEOUT_MS);
        await r.exited;
        clearTimeout(timer);
      }),
    ).then(() => undefined);
    return stopping;
  };

  const listening = Array.from({ length: options.count }, (_, index) => {
    const data: WorkerData = {
      settings: options.settings,
      port: options.port,
      worker: index,
      counters: options.counters,
      limiter: options.limiter,
      epoch: options.epoch,
      logLevel: logger.level,
      io: options.io ?? 'batched',
    };
    const worker = new Worker(options.workerUrl ?? WORKER_URL, { workerData: data });
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const r: Running = { worker, exited, stopping: false };
    running.push(r);
    return new Promise<Endpoint>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'listening':
            logger.log('debug', 'worker-listening', `worker ${index} listening`, {
              worker: index,
              address: message.address.address,
              port: message.address.port,
            });
            resolve(message.address);
            break;
          case 'bind-failed':
            r.stopping = true;
            reject(new WorkerBindError(message.message, message.code));
            break;
          case 'log':
            logger.log(message.level, message.event, message.msg, message.fields);
            break;
          case 'stopped':
            break;
        }
      });
      worker.on('error', (error) => {
        logger.log('error', 'worker-failed', `worker ${index} failed: ${error.message}`, {
          worker: index,
          error,
        });
        reject(error);
        fail(error);
      });
      void exited.then(() => {
        if (r.stopping) return;
        const error = new Error(`worker ${index} exited unexpectedly`);
        reject(error);
        fail(error);
      });
    });
  });

  void failed.then(() => stop());
  try {
    const addresses = await Promise.all(listening);
    return { address: addresses[0]!, stop, failed };
  } catch (error) {
    await stop();
    throw error;
  }
}
