// tockd's two transports: the batched native addon (recvmmsg/sendmmsg, kernel receive timestamps) that it
// uses by default on Linux, node:dgram with --io dgram, and the fallback to node:dgram (one log line) where
// the addon cannot load.
import { buildNtpRequest, readNtpReply } from '@tock/protocol';
import { bestOf, exchange, needProgram, offsetError, stopAll } from '@tock/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { CTIME_LINE, chronydQuery, startTockd } from './support.ts';

afterAll(stopAll);

const linux = process.platform === 'linux';
/** The environment without TOCK_IO (which the suite may set to run everything else on node:dgram). */
const { TOCK_IO: _io, ...defaultEnv } = process.env;

async function answersAllProtocols(port: number): Promise<void> {
  expect((await exchange('Time request', port)).toString('latin1')).toMatch(CTIME_LINE);
  expect((await exchange('{"v":1,"type":"time","id":"a"}', port)).toString()).toContain('"id":"a"');
  const t1 = BigInt(Date.now()) * 1_000_000n;
  expect(readNtpReply(await exchange(buildNtpRequest(7n), port), 7n, t1).ok).toBe(true);
}

describe('tockd --io', () => {
  it.runIf(linux)('uses the batched addon by default, and says so in the listening event', async () => {
    const tockd = await startTockd(['--port', '0'], 60, defaultEnv);
    try {
      expect(tockd.listening.io).toBe('batched');
      await answersAllProtocols(tockd.port);
      expect(tockd.events().filter((e) => e.event === 'io-fallback')).toEqual([]);
    } finally {
      expect(await tockd.stop()).toEqual({ code: 0, signal: null });
    }
  });

  it('uses node:dgram with --io dgram (and TOCK_IO=dgram), with every protocol answered', async () => {
    for (const [args, env] of [
      [['--io', 'dgram'], defaultEnv],
      [[], { ...process.env, TOCK_IO: 'dgram' }],
    ] as const) {
      const tockd = await startTockd(['--port', '0', ...args], 60, env);
      try {
        expect(tockd.listening.io).toBe('dgram');
        await answersAllProtocols(tockd.port);
      } finally {
        expect(await tockd.stop()).toEqual({ code: 0, signal: null });
      }
    }
  });

  it('falls back to node:dgram with one io-fallback line where the addon does not load, workers too', async () => {
    const env = { ...defaultEnv, TOCK_IO_ADDON: '/nonexistent/tock-addon' };
    const tockd = await startTockd(['--port', '0', '--workers', '2'], 60, env);
    try {
      expect(tockd.listening.io).toBe('dgram');
      await answersAllProtocols(tockd.port);
      const fallbacks = tockd.events().filter((e) => e.event === 'io-fallback');
      expect(fallbacks).toHaveLength(1);
      expect(fallbacks[0]).toMatchObject({ level: 'warn', io: 'dgram' });
      expect(fallbacks[0]?.msg).toMatch(/^--io batched: .*; using node:dgram$/);
    } finally {
      expect(await tockd.stop()).toEqual({ code: 0, signal: null });
    }
  });

  it.runIf(linux)('answers from 2 workers, each with its own batched socket on the port', async () => {
    const tockd = await startTockd(['--port', '0', '--workers', '2'], 60, defaultEnv);
    try {
      expect(tockd.listening).toMatchObject({ io: 'batched', workers: 2 });
      for (let i = 0; i < 20; i++) await answersAllProtocols(tockd.port);
    } finally {
      expect(await tockd.stop()).toEqual({ code: 0, signal: null });
    }
  });

  it.runIf(linux)('chronyd -Q sees tockd (kernel receive timestamps) within 1 ms', async (ctx) => {
    const chronyd = needProgram('chronyd', 'Debian package chrony', ctx);
    const tockd = await startTockd(['--port', '0', '--io', 'batched']);
    try {
      // The best of up to three queries: a busy machine can delay one of them by a millisecond or two.
      const q = await bestOf(3, () => chronydQuery(chronyd, tockd.port), offsetError(0), 0.001);
      expect(q.code, q.output).toBe(0);
      expect(q.offsetS, q.output).not.toBeNull();
      const offset = q.offsetS!;
      console.log(`chronyd -Q against tockd --io batched: system clock wrong by ${offset} s`);
      expect(Math.abs(offset)).toBeLessThan(0.001);
    } finally {
      expect(await tockd.stop()).toEqual({ code: 0, signal: null });
    }
  });
});
