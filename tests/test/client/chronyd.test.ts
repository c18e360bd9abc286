/**
 * @tock/client and the `tock` program against a real chronyd serving NTP on loopback, started as
 * /work/shared/INTEROP.md shows: a custom port, `local stratum 8`, `-x` (never touches the system clock),
 * `cmdport 0`, and a pidfile in a private temporary directory. Also `bindcmdaddress /`, so that this chronyd
 * does not take over the system's command socket in /run/chrony. It runs in the foreground (`-d`) as a child
 * of the test, and is stopped in afterAll.
 */
import { query } from '@tock/client';
import { needProgram, type PeerServer, startChronyd, stopAll } from '@tock/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltClient, runTock } from './support.ts';

const chronyd = needProgram('chronyd', 'Debian package chrony');

let server: PeerServer | undefined;
let port = 0;

beforeAll(async () => {
  requireBuiltClient();
  if (!('path' in chronyd)) return;
  // On 127.0.0.1 and ::1, one port; it answers NTP before this resolves.
  server = await startChronyd({ path: chronyd.path, hosts: ['127.0.0.1', '::1'] });
  port = server.port;
});

afterAll(async () => {
  await server?.stop();
  await stopAll();
});

const skipReason = 'skip' in chronyd ? chronyd.skip : '';
/** How far chronyd -x's time may be from the system clock here (seen: up to 15 ms). */
const CHRONYD_MAX_OFFSET_MS = 50;

describe('query() against chronyd', () => {
  it('measures the same offset five times in a row, within the samples’ round trips', async (ctx) => {
    ctx.skip(server === undefined, skipReason);
    const offsets: number[] = [];
    // Each sample says the true offset lies within half its round trip (plus 1 ms of clock reading) of what
    // it measured; a busy machine widens that, never moves it, so the samples must agree on one offset.
    // That offset is chronyd's, not zero: chronyd -x serves its own estimate of the time, which was seen
    // from 0.1 to 15 ms away from the system clock on this machine. tock-vs-tockd.test.ts checks the
    // offset against a server that serves the system clock itself, to within half the round trip.
    let low = Number.NEGATIVE_INFINITY;
    let high = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 5; i++) {
      const before = Date.now();
      const sent = performance.now();
      const r = await query(`127.0.0.1:${port}`, { protocol: 'ntp' });
      const roundTripMs = performance.now() - sent;
      expect(r.raw.stratum).toBe(8);
      expect(r.raw.leap).toBe(0);
      const after = Date.now();
      // A real exchange takes time, and no more than the round trip this test saw around query().
      expect(r.delayMs).toBeGreaterThan(0);
      expect(r.delayMs).toBeLessThanOrEqual(roundTripMs);
      expect(r.time.getTime()).toBeGreaterThanOrEqual(before - CHRONYD_MAX_OFFSET_MS);
      expect(r.time.getTime()).toBeLessThanOrEqual(after + CHRONYD_MAX_OFFSET_MS);
      low = Math.max(low, r.offsetMs - r.delayMs / 2 - 1);
      high = Math.min(high, r.offsetMs + r.delayMs / 2 + 1);
      offsets.push(r.offsetMs);
    }
    expect(low, `samples disagree: ${offsets.join(', ')} ms`).toBeLessThanOrEqual(high);
    expect(low).toBeLessThan(CHRONYD_MAX_OFFSET_MS);
    expect(high).toBeGreaterThan(-CHRONYD_MAX_OFFSET_MS);
    console.log(
      `chronyd on 127.0.0.1:${port}: offsets ${offsets.map((o) => `${o.toFixed(3)} ms`).join(', ')}`,
    );
  });

  it('over IPv6', async (ctx) => {
    ctx.skip(server === undefined, skipReason);
    const r = await query(`[::1]:${port}`);
    expect(r.server).toMatchObject({ address: '::1', family: 'IPv6' });
    expect(Math.abs(r.offsetMs)).toBeLessThan(CHRONYD_MAX_OFFSET_MS + r.delayMs / 2);
  });

  it.for(['text', 'json'] as const)('%s: chronyd ignores it, TIMEOUT', async (protocol, ctx) => {
    ctx.skip(server === undefined, skipReason);
    const error = await query(`127.0.0.1:${port}`, { protocol, timeout: 100, retries: 1 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'TIMEOUT', attempts: 2 });
  });
});

describe('tock against chronyd', () => {
  it('tock --json: the offset is chronyd’s (within 50 ms, give or take half the round trip)', async (ctx) => {
    ctx.skip(server === undefined, skipReason);
    const started = performance.now();
    const r = await runTock(['--json', `127.0.0.1:${port}`]);
    const elapsedMs = performance.now() - started;
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      protocol: 'ntp',
      server: { address: '127.0.0.1', port },
      reply: { stratum: 8, mode: 4, leap: 0, referenceId: '127.127.1.1' },
    });
    expect(Math.abs(out.offsetMs)).toBeLessThan(CHRONYD_MAX_OFFSET_MS + out.delayMs / 2);
    // A real exchange takes time, and no more than the whole run of tock this test timed.
    expect(out.delayMs).toBeGreaterThan(0);
    expect(out.delayMs).toBeLessThanOrEqual(elapsedMs);
    expect(Math.abs(Date.parse(out.time) - Date.now())).toBeLessThan(2000);
    console.log(`tock --json against chronyd: offsetMs ${out.offsetMs}, delayMs ${out.delayMs}`);
  });

  it('tock --port, human line', async (ctx) => {
    ctx.skip(server === undefined, skipReason);
    const r = await runTock(['::1', '--port', String(port), '--time-zone', 'UTC']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(
      new RegExp(
        `^Time received: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z from \\[::1\\]:${port} \\(ntp, stratum 8\\): offset [+-]\\d\\.\\d{3} ms, delay \\d+\\.\\d{3} ms\\n$`,
      ),
    );
  });
});
