// A worker thread of tockd: one socket on the shared port (SO_REUSEPORT) and its datagram loop, counting
// into its own region of the shared counters and rate limiting through the shared table. Started by
// pool.ts with `workerData`; talks to the main thread with the messages of protocol.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { buildEngine } from '../engine.ts';
import { chooseTransport } from '../io/choose.ts';
import { type Logger, plainFields } from '../log.ts';
import type { FromWorker, ToWorker, WorkerData } from './protocol.ts';

const port = parentPort;
if (port === null) throw new Error('thread.ts runs as a worker thread of tockd');
const data = workerData as WorkerData;
const post = (message: FromWorker): void => port.postMessage(message);

const logger: Logger = {
  level: data.logLevel,
  log: (level, event, msg, fields) =>
    post({ type: 'log', level, event, msg, fields: plainFields(fields ?? {}) }),
};
// The same assembly as a server without workers (server.ts): system clock, skew, counters, limiter.
const engine = buildEngine({
  settings: data.settings,
  port: data.port,
  worker: data.worker,
  counters: data.counters,
  limiter: data.limiter,
  epoch: data.epoch,
  transport: chooseTransport(data.io).factory,
  reusePort: true,
  logger,
});

port.on('message', (message: ToWorker) => {
  if (message.type === 'stop') {
    void engine.stop().then(() => {
      post({ type: 'stopped' });
      port.close();
    });
  }
});

engine.bind().then(
  (address) => post({ type: 'listening', address }),
  (error: unknown) => {
    const e = error as { code?: unknown; message?: unknown };
    post({
      type: 'bind-failed',
      code: typeof e?.code === 'string' ? e.code : undefined,
      message: typeof e?.message === 'string' ? e.message : String(error),
    });
    port.close();
  },
);
