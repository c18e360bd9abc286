// A worker thread of tockd: one socket on the shared port (SO_REUSEPORT) and its datagram loop, counting
// into its own region of the shared counters and rate limiting through the shared table. Started by
// pool.ts with `workerData`; talks to the main thread with the messages of protocol.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { parseDuration } from '../clock/duration.ts';
import { createSkew } from '../clock/skew.ts';
import { createSystemClock } from '../clock/system-clock.ts';
import { createEngine } from '../engine.ts';
import { chooseTransport } from '../io/choose.ts';
import { type Logger, plainFields } from '../log.ts';
import { createRateLimiter } from '../rate-limit.ts';
import { createStatsRecorder, STATS_SLOTS } from '../stats.ts';
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
const engine = createEngine({
  settings: data.settings,
  port: data.port,
  clock: createSystemClock().now,
  skew: createSkew({
    offsetNs: parseDuration(data.settings.clockOffset) ?? 0n,
    ratePpm: data.settings.clockRate,
    epoch: data.epoch,
  }),
  transport: chooseTransport(data.io).factory,
  reusePort: true,
  stats: createStatsRecorder(new Float64Array(data.counters, data.worker * STATS_SLOTS * 8, STATS_SLOTS)),
  limiter:
    data.limiter === undefined
      ? undefined
      : createRateLimiter(data.settings.rateLimit, { buffer: data.limiter }),
  logger,
  worker: data.worker,
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
