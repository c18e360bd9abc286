import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeServer, startFakeServer } from '../../scripts/fake-server.ts';
import { nowMs } from '../clock.ts';
import { Engine, type EngineConfig } from './engine.ts';

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer();
});
afterAll(() => server.close());

function config(): EngineConfig {
  return {
    address: '127.0.0.1',
    family: 4,
    port: Number(server.target.split(':')[1]),
    protocol: 'ntp',
    connections: 2,
    rate: 0,
    phase: 0,
    amount: 10,
    durationMs: 1000,
    // A 50 ms timeout sweeps every 5 ms: far more often than the start time below is away.
    timeoutMs: 50,
    warmupMs: 0,
    toleranceMs: 1000,
    timeZone: 'UTC',
    textRequest: 'Time request',
    io: 'dgram',
  };
}

describe('Engine', () => {
  it('waits for a start time later than its sweep, and then sends (it once ended before its first send)', async () => {
    const engine = new Engine(config());
    await engine.openSockets();
    const report = await engine.start(nowMs() + 200);
    expect(report.counts).toMatchObject({ sent: 10, valid: 10 });
  });

  it('ends with nothing sent when stopped before its start time', async () => {
    const engine = new Engine(config());
    await engine.openSockets();
    const done = engine.start(nowMs() + 60_000);
    engine.stop();
    const report = await done;
    expect(report.counts.sent).toBe(0);
  });
});
