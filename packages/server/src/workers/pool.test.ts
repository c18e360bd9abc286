import { describe, expect, it } from 'vitest';
import type { LogLevel } from '../options.ts';
import { ServerOptionsSchema } from '../options.ts';
import { startWorkers, WorkerBindError } from './pool.ts';

/** A worker module made of `body`, which talks to the pool as thread.ts does. */
const module = (body: string): URL =>
  new URL(
    `data:text/javascript,${encodeURIComponent(`import { parentPort, workerData } from 'node:worker_threads';\n${body}`)}`,
  );

function options(workerUrl: URL) {
  const logged: Array<{ level: LogLevel; event: string }> = [];
  return {
    logged,
    options: {
      count: 2,
      settings: ServerOptionsSchema.parse({}),
      port: 5005,
      counters: new SharedArrayBuffer(8),
      limiter: undefined,
      epoch: 0n,
      logger: {
        level: 'debug' as const,
        log: (level: LogLevel, event: string) => logged.push({ level, event }),
      },
      workerUrl,
    },
  };
}

const LISTEN = `parentPort.postMessage({ type: 'listening', address: { address: '127.0.0.1', port: 5005, family: 'IPv4' } });`;
const STOP = `parentPort.on('message', () => { parentPort.postMessage({ type: 'stopped' }); parentPort.close(); });`;

describe('startWorkers', () => {
  it('resolves once every worker listens, forwards their log events, and stops them all', async () => {
    const { options: o, logged } = options(
      module(
        `${LISTEN}\nparentPort.postMessage({ type: 'log', level: 'warn', event: 'w' + workerData.worker, msg: '', fields: {} });\n${STOP}`,
      ),
    );
    const pool = await startWorkers(o);
    expect(pool.address.port).toBe(5005);
    await pool.stop();
    expect(logged.map((l) => l.event).sort()).toEqual(['w0', 'w1', 'worker-listening', 'worker-listening']);
  });

  it('rejects with the OS error code when a worker cannot bind, and stops the others', async () => {
    const { options: o } = options(
      module(
        `if (workerData.worker === 1) { parentPort.postMessage({ type: 'bind-failed', code: 'EACCES', message: 'bind EACCES' }); parentPort.close(); } else { ${LISTEN} ${STOP} }`,
      ),
    );
    const error = await startWorkers(o).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerBindError);
    expect(error).toMatchObject({ code: 'EACCES' });
  });

  it('reports a worker that dies after starting, and stops the others', async () => {
    const { options: o, logged } = options(
      module(
        `${LISTEN}\n${STOP}\nif (workerData.worker === 0) setTimeout(() => { throw new Error('boom'); }, 10);`,
      ),
    );
    const pool = await startWorkers(o);
    const error = await pool.failed;
    expect(error.message).toBe('boom');
    expect(logged).toContainEqual({ level: 'error', event: 'worker-failed' });
    await pool.stop();
  });
});
