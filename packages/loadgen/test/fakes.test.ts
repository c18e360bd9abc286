/**
 * The load generator against fake servers built on the protocol package's handle() (exactly what tockd
 * answers), honest and misbehaving: dropping a known share, a clock an hour wrong, answering twice, late.
 * The tests that count run with both I/O layers (`io: 'batched'` and `'dgram'`).
 */
import { createSocket } from 'node:dgram';
import { loadBatchedUdp } from '@tock/udp';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeServer, type FakeServerOptions, startFakeServer } from '../scripts/fake-server.ts';
import { decodeHistogram } from '../src/histogram.ts';
import { type LoadgenResult, merge, type Progress, run } from '../src/index.ts';
import { IO_NAMES, type IoName } from '../src/io/types.ts';

/** Whether the batched addon loads here: where it does not, `batched` runs fall back to dgram. */
const batchedLoads = loadBatchedUdp().ok;
/** The I/O a run asked for `io` uses here. */
const used = (io: IoName): IoName => (io === 'batched' && batchedLoads ? 'batched' : 'dgram');
const PROTOCOLS = ['ntp', 'json', 'text'] as const;
const byIo = <T extends readonly unknown[]>(cases: readonly T[]): Array<[IoName, ...T]> =>
  IO_NAMES.flatMap((io) => cases.map((c): [IoName, ...T] => [io, ...c]));

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function fake(options: FakeServerOptions = {}): Promise<FakeServer> {
  const server = await startFakeServer(options);
  servers.push(server);
  return server;
}

/** Every measured request ends as exactly one of valid, invalid, lost, late. */
function expectAccounted(r: LoadgenResult): void {
  expect(r.valid + r.invalid + r.lost + r.late).toBe(r.sent);
}

describe.each(byIo(PROTOCOLS.map((p) => [p] as const)))('--io %s: an honest %s server', (io, protocol) => {
  it('gets every request answered validly, with latency percentiles in order', async () => {
    const server = await fake();
    const r = await run({ target: server.target, protocol, connections: 4, amount: 300, workers: 0, io });
    expect(r.io).toBe(used(io));
    expect(r.ioFallback).toBeNull();
    expect(r).toMatchObject({
      sent: 300,
      valid: 300,
      invalid: 0,
      lost: 0,
      late: 0,
      duplicate: 0,
      mode: 'closed',
    });
    expect(server.received).toBe(300);
    const l = r.latencyUs;
    expect(l.min).toBeGreaterThan(0);
    expect(l.p50).toBeLessThanOrEqual(l.p90);
    expect(l.p90).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.p999);
    expect(l.p999).toBeLessThanOrEqual(l.max);
    expect(decodeHistogram(r.histogram).totalCount).toBe(300);
    expect(r.rps).toBeGreaterThan(0);
    // A run this short on the test's own thread may find its event loop busy; nothing else is worth a warning.
    expect(r.warnings.filter((w) => !w.includes('saturated'))).toEqual([]);
  });
});

describe.each(IO_NAMES)('--io %s: closed loop in worker threads', (io) => {
  it('runs for the duration, spreads the clients over the workers and merges their histograms', async () => {
    const server = await fake();
    const r = await run({ target: server.target, connections: 3, duration: 1, workers: 2, io });
    expect(r.io).toBe(used(io));
    expect(r.workers).toBe(2);
    expect(r.connections).toBe(3);
    expect(r.durationS).toBeGreaterThanOrEqual(0.99);
    expect(r.durationS).toBeLessThan(1.5);
    expect(r.valid).toBeGreaterThan(100);
    expect(r.invalid + r.lost).toBe(0);
    expect(r.sent).toBe(server.received);
    expect(decodeHistogram(r.histogram).totalCount).toBe(r.valid);
    expect(r.throughput.perSecond.reduce((a, b) => a + b, 0)).toBe(r.valid);
    expect(Math.abs(r.rps - r.valid / r.durationS) / r.rps).toBeLessThan(0.01);
  });

  it('does not count the warm-up', async () => {
    const server = await fake();
    const r = await run({
      target: server.target,
      connections: 2,
      duration: 0.5,
      warmup: 0.5,
      workers: 1,
      io,
    });
    expect(r.sent).toBeGreaterThan(0);
    expect(server.received).toBeGreaterThan(r.sent);
    expect(r.valid).toBe(r.sent);
  });
});

describe.each(IO_NAMES)('--io %s: a server that drops every 4th request', (io) => {
  it('shows exactly a quarter lost in an open loop', async () => {
    const server = await fake({ dropEvery: 4 });
    const r = await run({
      target: server.target,
      connections: 4,
      amount: 400,
      rate: 2000,
      timeout: 0.5,
      workers: 1,
      io,
    });
    expect(r.io).toBe(used(io));
    expect(r.mode).toBe('open');
    expect(r).toMatchObject({ sent: 400, valid: 300, lost: 100, invalid: 0, late: 0, lossPct: 25 });
    expect(server.dropped).toBe(100);
  });

  it('shows the server’s drop count as lost in a closed loop', async () => {
    const server = await fake({ dropEvery: 4 });
    const r = await run({
      target: server.target,
      connections: 8,
      duration: 1,
      timeout: 0.2,
      workers: 0,
      io,
    });
    expect(r.io).toBe(used(io));
    expect(r.sent).toBe(server.received);
    expect(r.lost).toBe(server.dropped);
    expect(r.lossPct).toBeGreaterThan(24);
    expect(r.lossPct).toBeLessThan(26);
    expectAccounted(r);
  });
});

describe.each(byIo(PROTOCOLS.map((p) => [p] as const)))(
  '--io %s: a %s server whose clock is an hour fast',
  (io, protocol) => {
    it('gets every reply counted invalid (wrong-time), none valid', async () => {
      const server = await fake({ clockOffsetMs: 3_600_000 });
      const r = await run({ target: server.target, protocol, connections: 2, amount: 50, workers: 0, io });
      expect(r.io).toBe(used(io));
      expect(r).toMatchObject({
        sent: 50,
        valid: 0,
        invalid: 50,
        lost: 0,
        invalidReasons: { 'wrong-time': 50 },
      });
      expect(r.warnings).toContain('no valid reply to 50 requests');
    });
  },
);

describe.each(byIo([['ntp'], ['json']] as const))(
  '--io %s: a %s server that answers twice',
  (io, protocol) => {
    it('gets the second answers counted as duplicates, not as valid replies', async () => {
      const server = await fake({ duplicate: true });
      const r = await run({
        target: server.target,
        protocol,
        connections: 2,
        amount: 200,
        rate: 1000,
        workers: 0,
        io,
      });
      expect(r.valid).toBe(200);
      expect(r.invalid).toBe(0);
      // The last duplicates may arrive after the run has ended.
      expect(r.duplicate).toBeGreaterThanOrEqual(195);
      expect(r.duplicate).toBeLessThanOrEqual(200);
    });
  },
);

describe.each(IO_NAMES)('--io %s: a server that answers after the timeout', (io) => {
  it('gets its replies counted late, not valid', async () => {
    const server = await fake({ delayMs: 150 });
    const r = await run({
      target: server.target,
      connections: 2,
      // Long enough that a late reply arrives within the run even on a busy machine (it failed at 0.6 s).
      duration: 2,
      timeout: 0.05,
      workers: 0,
      io,
    });
    expect(r.valid).toBe(0);
    expect(r.late).toBeGreaterThan(0);
    expect(r.lost + r.late).toBe(r.sent);
  });

  it('text: reconnects after a timeout, so that a late reply is not taken for the next answer', async () => {
    const server = await fake({ delayMs: 150 });
    const r = await run({
      target: server.target,
      protocol: 'text',
      connections: 2,
      duration: 0.6,
      timeout: 0.05,
      workers: 0,
      io,
    });
    expect(r.io).toBe(used(io));
    // Each client sends on a fresh socket after every timeout: the late replies go to closed ports.
    expect(r.sent).toBeGreaterThan(4);
    expect(r).toMatchObject({ valid: 0, invalid: 0, late: 0, duplicate: 0 });
    expect(r.lost).toBe(r.sent);
  });
});

describe('no server at all', () => {
  /**
   * A port nothing listens on, below the ephemeral range (32768 and up on Linux) so that no socket of another
   * test, which all bind port 0, can take it meanwhile.
   */
  async function nowhere(): Promise<string> {
    for (;;) {
      const port = 20_000 + Math.floor(Math.random() * 10_000);
      const free = await new Promise<boolean>((resolve) => {
        const probe = createSocket('udp4');
        probe.once('error', () => resolve(false));
        probe.bind(port, '127.0.0.1', () => probe.close(() => resolve(true)));
      });
      if (free) return `127.0.0.1:${port}`;
    }
  }

  it('--io dgram: counts every request lost and says why (ECONNREFUSED)', async () => {
    const target = await nowhere();
    const r = await run({ target, connections: 2, amount: 10, timeout: 0.05, workers: 0, io: 'dgram' });
    expect(r).toMatchObject({ sent: 10, valid: 0, lost: 10, io: 'dgram' });
    expect(r.socketErrors).toBeGreaterThan(0);
    expect(r.warnings.join('\n')).toMatch(/socket errors \(first: ECONNREFUSED/);
  });

  it.skipIf(!batchedLoads)(
    '--io batched: counts every request lost and says that nothing answered (no ICMP errors)',
    async () => {
      const target = await nowhere();
      const r = await run({ target, connections: 2, amount: 10, timeout: 0.05, workers: 0, io: 'batched' });
      expect(r).toMatchObject({ sent: 10, valid: 0, lost: 10, io: 'batched', socketErrors: 0 });
      expect(r.warnings.join('\n')).toContain(`no reply at all: is a server listening on ${target}?`);
    },
  );
});

describe.each(IO_NAMES)('--io %s: IPv6', (io) => {
  it('loads a server on [::1] in both loops', async () => {
    const server = await fake({ host: '::1' });
    expect(server.target).toMatch(/^\[::1\]:\d+$/);
    const closed = await run({ target: server.target, connections: 3, amount: 150, workers: 1, io });
    expect(closed).toMatchObject({ sent: 150, valid: 150, invalid: 0, lost: 0, io: used(io) });
    const open = await run({
      target: server.target,
      connections: 3,
      amount: 150,
      rate: 1000,
      workers: 0,
      io,
    });
    expect(open).toMatchObject({ sent: 150, valid: 150, invalid: 0, lost: 0, io: used(io) });
  });
});

describe.each(IO_NAMES)('--io %s: open loop', (io) => {
  it('sends on schedule and measures latency from the intended send time', async () => {
    const server = await fake();
    const r = await run({
      target: server.target,
      connections: 2,
      rate: 400,
      duration: 1,
      workers: 1,
      maxLagMs: 50,
      io,
    });
    expect(r.io).toBe(used(io));
    expect(r.rate).toBe(400);
    expect(r.generator.scheduled).toBe(400);
    expect(r.sent).toBe(400);
    expect(r.valid).toBe(400);
    expect(r.generator.scheduleKept).toBe(true);
    expect(r.generator.sendLagUs!.p50).toBeLessThan(1000);
  });

  it('says so when the generator cannot keep its schedule', async () => {
    const server = await fake();
    const r = await run({
      target: server.target,
      connections: 2,
      rate: 5_000_000,
      duration: 0.3,
      workers: 0,
      io,
    });
    expect(r.generator.scheduleKept).toBe(false);
    expect(r.generator.saturated).toBe(true);
    expect(r.sent).toBeLessThan(r.generator.scheduled!);
    expect(r.warnings.join('\n')).toContain('the generator could not keep its schedule');
  });
});

describe('progress events and cancellation', () => {
  it('reports progress while running and stops early when aborted', async () => {
    const server = await fake();
    const controller = new AbortController();
    const seen: Progress[] = [];
    const started = Date.now();
    const r = await run(
      { target: server.target, connections: 2, duration: 30, workers: 1 },
      {
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p);
          if (p.counts.valid > 0) controller.abort();
        },
      },
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(seen.length).toBeGreaterThan(0);
    // By time, with no warm-up: the share of the 30 s that had passed when it was reported.
    expect(seen[0]!.elapsedS).toBeGreaterThan(0);
    expect(seen[0]!.fraction).toBeCloseTo(seen[0]!.elapsedS / 30, 9);
    expect(seen[0]!.fraction).toBeLessThan(0.2);
    expect(r.valid).toBeGreaterThan(0);
    expect(r.durationS).toBeLessThan(5);
    expectAccounted(r);
  });
});

describe('ramp', () => {
  it('climbs to the highest rate when every step passes', async () => {
    const server = await fake();
    const r = await run({
      target: server.target,
      connections: 2,
      workers: 1,
      // A shared test machine may stall a thread for a few milliseconds: this test is about the ramp's steps.
      maxLagMs: 50,
      ramp: { start: 200, factor: 2, max: 800, stepDuration: 0.4 },
    });
    expect(r.ramp?.steps.map((s) => s.rate)).toEqual([200, 400, 800]);
    expect(r.ramp?.steps.every((s) => s.passed)).toBe(true);
    expect(r.ramp?.sustainedRate).toBe(800);
    expect(r.ramp?.limitedBy).toBe('max-rate');
    expect(r.rate).toBe(800);
  });

  it('stops at the first step whose loss exceeds the limit and blames the server', async () => {
    const server = await fake({ dropEvery: 4 });
    const r = await run({
      target: server.target,
      connections: 2,
      workers: 0,
      timeout: 0.2,
      maxLagMs: 50,
      ramp: { start: 200, factor: 2, max: 800, stepDuration: 0.4, maxLossPct: 5 },
    });
    expect(r.ramp?.steps).toHaveLength(1);
    expect(r.ramp?.steps[0]).toMatchObject({ rate: 200, passed: false });
    expect(r.ramp?.sustainedRate).toBeNull();
    expect(r.ramp?.limitedBy).toBe('server');
  });
});

describe('merge', () => {
  it('adds up runs made at the same time from two generators', async () => {
    const server = await fake();
    const [a, b] = await Promise.all([
      run({ target: server.target, connections: 2, duration: 0.5, workers: 1 }),
      run({ target: server.target, connections: 3, duration: 0.5, workers: 1 }),
    ]);
    const m = merge([a, b]);
    expect(m.runs).toBe(2);
    expect(m.sent).toBe(a.sent + b.sent);
    expect(m.valid).toBe(a.valid + b.valid);
    expect(m.connections).toBe(5);
    expect(m.rps).toBeCloseTo(a.rps + b.rps, 0);
    expect(decodeHistogram(m.histogram).totalCount).toBe(a.valid + b.valid);
    expect(m.latencyUs.max).toBe(Math.max(a.latencyUs.max, b.latencyUs.max));
    expect(m.latencyUs.min).toBe(Math.min(a.latencyUs.min, b.latencyUs.min));
  });
});
