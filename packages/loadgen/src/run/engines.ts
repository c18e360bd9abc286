/**
 * Starting engines: each in a worker thread, or one on the calling thread (`workers: 0`), behind one
 * handle the run drives the same way.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { LoadgenError } from '../errors.ts';
import { Engine, type EngineConfig, type EngineProgress, type EngineReport } from '../worker/engine.ts';
import type { FromWorker, ToWorker } from '../worker/messages.ts';

/** One engine as the main thread sees it: in a worker thread, or on this thread. */
export interface EngineHandle {
  /** Starts sending at `t0Ms` (on the clock of `clock.ts`). */
  start(t0Ms: number): void;
  /** Stops sending; the engine drains and reports. */
  stop(): void;
  /** Ends the engine at once, reporting nothing (after another engine failed). */
  abandon(): void;
  /** Resolves with the engine's report once it has drained. */
  readonly done: Promise<EngineReport>;
  /** The engine's latest progress snapshot, if any yet. */
  latest: EngineProgress | undefined;
}

const workerUrl: URL = import.meta.url.endsWith('.ts')
  ? new URL('../worker/main.ts', import.meta.url)
  : new URL('./worker.mjs', import.meta.url);

/**
 * Starts an engine with `config`, in a new worker thread or (`inThread`) on this one, and resolves once its
 * sockets are open.
 * @throws LoadgenError `RUN_FAILED` when a socket cannot be opened or the worker fails to start.
 */
export function startEngine(config: EngineConfig, inThread: boolean): Promise<EngineHandle> {
  return inThread ? inProcess(config) : spawnWorker(config);
}

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
