/**
 * Worker thread entry: runs one {@link Engine} with the configuration passed as `workerData` and talks to the
 * main thread with the messages of `messages.ts`.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Engine, type EngineConfig } from './engine.ts';
import type { FromWorker, ToWorker } from './messages.ts';

const port = parentPort;
if (port === null) throw new Error('worker/main is a worker thread entry; run it with new Worker()');

const post = (message: FromWorker): void => port.postMessage(message);
const engine = new Engine(workerData as EngineConfig, (progress) => post({ type: 'progress', progress }));

port.on('message', (message: ToWorker) => {
  if (message.type === 'go') {
    engine.start(message.t0Ms).then(
      (report) => {
        post({ type: 'done', report });
        port.close();
      },
      (error: Error) => post({ type: 'error', message: error.message }),
    );
  } else if (message.type === 'stop') {
    engine.stop();
  }
});

engine.openSockets().then(
  () => post({ type: 'ready' }),
  (error: Error) => {
    post({ type: 'error', message: `cannot open a socket: ${error.message}` });
    port.close();
  },
);
