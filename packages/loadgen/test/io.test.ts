/**
 * Which I/O a run uses: the batched addon where it loads (and really it: no node:dgram socket is opened),
 * node:dgram where it does not, saying so. `TOCK_IO_ADDON` naming an empty directory makes the addon fail
 * to load; `loadBatchedUdp()` caches its answer per thread, so those runs go in a child process or a worker.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { run as runProcess } from '@tock/test-utils';
import { loadBatchedUdp } from '@tock/udp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeServer, startFakeServer } from '../scripts/fake-server.ts';
import { run } from '../src/index.ts';
import type { EngineConfig, EngineReport } from '../src/worker/engine.ts';
import type { FromWorker, ToWorker } from '../src/worker/messages.ts';

const batchedLoads = loadBatchedUdp().ok;

let emptyDir = '';
let scriptDir = '';
beforeAll(async () => {
  emptyDir = await mkdtemp(join(tmpdir(), 'tock-no-addon-'));
  scriptDir = await mkdtemp(join(tmpdir(), 'tock-loadgen-cli-'));
});
afterAll(async () => {
  await rm(emptyDir, { recursive: true, force: true });
  await rm(scriptDir, { recursive: true, force: true });
});
const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function fake(): Promise<FakeServer> {
  const server = await startFakeServer();
  servers.push(server);
  return server;
}

/** Node's sockets (UDPWrap handles) open in this thread right now. */
const dgramSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;

describe.skipIf(!batchedLoads)('--io batched where the addon loads', () => {
  it('uses it: the result says so, and the clients open no node:dgram socket', async () => {
    const server = await fake();
    const before = dgramSockets(); // the fake server's own socket
    const during: number[] = [];
    const r = await run(
      { target: server.target, connections: 8, duration: 0.6, workers: 0, io: 'batched' },
      { onProgress: () => during.push(dgramSockets()) },
    );
    expect(r).toMatchObject({ io: 'batched', ioFallback: null, invalid: 0, lost: 0 });
    expect(r.valid).toBeGreaterThan(100);
    expect(during.length).toBeGreaterThan(0);
    expect(Math.max(...during)).toBeLessThanOrEqual(before);
  });

  it('--io dgram opens one node:dgram socket per client', async () => {
    const server = await fake();
    const during: number[] = [];
    const r = await run(
      { target: server.target, connections: 8, duration: 0.6, workers: 0, io: 'dgram' },
      { onProgress: () => during.push(dgramSockets()) },
    );
    expect(r).toMatchObject({ io: 'dgram', ioFallback: null });
    // The clients' sockets and the fake server's.
    expect(during.length).toBeGreaterThan(0);
    expect(Math.min(...during)).toBeGreaterThanOrEqual(9);
  });
});

describe('where the addon does not load', () => {
  const cli = new URL('../src/cli/main.ts', import.meta.url).href;

  it.each([
    ['on the main thread', '0'],
    ['in a worker thread', '1'],
  ])('falls back to node:dgram %s, says so once on stderr and in the result', async (_, workers) => {
    const server = await fake();
    // The CLI from source, in a process of its own (a script file: worker threads inherit node's flags).
    const script = join(scriptDir, 'cli.mjs');
    await writeFile(
      script,
      `import { main } from ${JSON.stringify(cli)};\nprocess.exitCode = await main(process.argv.slice(2));\n`,
    );
    const { code, stdout, stderr } = await runProcess(
      process.execPath,
      [script, '-c', '2', '-a', '40', '-w', workers, '--json', server.target],
      { env: { ...process.env, TOCK_IO_ADDON: emptyDir }, timeoutMs: 20_000 },
    );
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ io: 'dgram', sent: 40, valid: 40, invalid: 0, lost: 0 });
    expect(result.ioFallback).toMatch(/^the batched I\/O addon did not load/);
    const notes = stderr.split('\n').filter((l) => l.includes('--io batched'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      /^tock-loadgen: --io batched: the batched I\/O addon did not load.*; using node:dgram$/,
    );
    expect(stderr).toContain('2 connections');
    expect(stderr).toContain('dgram I/O');
  });

  it('an engine that cannot load it falls back on its own and reports why', async () => {
    const server = await fake();
    const port = Number(server.target.split(':')[1]);
    const config: EngineConfig = {
      address: '127.0.0.1',
      family: 4,
      port,
      protocol: 'ntp',
      connections: 2,
      rate: 0,
      phase: 0,
      amount: 20,
      durationMs: 1000,
      warmupMs: 0,
      timeoutMs: 1000,
      toleranceMs: 1000,
      timeZone: 'UTC',
      textRequest: 'Time request',
      io: 'batched',
    };
    const worker = new Worker(new URL('../src/worker/main.ts', import.meta.url), {
      workerData: config,
      env: { ...process.env, TOCK_IO_ADDON: emptyDir },
    });
    const report = await new Promise<EngineReport>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') worker.postMessage({ type: 'go', t0Ms: 0 } satisfies ToWorker);
        else if (message.type === 'done') resolve(message.report);
        else if (message.type === 'error') reject(new Error(message.message));
      });
      worker.on('error', reject);
    });
    await worker.terminate();
    expect(report.io).toBe('dgram');
    expect(report.ioFallback).toMatch(/^the batched I\/O addon did not load/);
    expect(report.counts).toMatchObject({ sent: 20, valid: 20 });
  });
});
