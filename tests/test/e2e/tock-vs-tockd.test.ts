/**
 * The two programs together, as a user runs them: the built `tockd` on a free loopback port, asked by the
 * built `tock --json` in every protocol, over IPv4 and IPv6.
 */

import { stopAll } from '@tock/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTock } from '../client/support.ts';
import { type RunningTockd, startTockd } from '../server/support.ts';

let tockd: RunningTockd;

beforeAll(async () => {
  tockd = await startTockd(['--host', '::', '--port', '0', '--time-zone', 'UTC']);
});

afterAll(async () => {
  const ended = await tockd?.stop('SIGTERM');
  expect(ended).toEqual({ code: 0, signal: null });
  await stopAll();
});

describe.each(['127.0.0.1', '[::1]'])('tock --json against tockd on %s', (host) => {
  it.each(['json', 'ntp'] as const)('reads the time, offset and delay over %s', async (protocol) => {
    const before = Date.now();
    const started = performance.now();
    const result = await runTock([`${host}:${tockd.port}`, '--protocol', protocol, '--json'], {
      timeoutMs: 10_000,
    });
    const elapsedMs = performance.now() - started;
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.protocol).toBe(protocol);
    expect(Math.abs(Date.parse(out.time) - before)).toBeLessThan(5_000);
    // Same machine, same clock: the offset is bounded by half the round trip plus the clock's reading error
    // (a busy machine lengthens the round trip, and the bound with it).
    expect(Math.abs(out.offsetMs)).toBeLessThanOrEqual(out.delayMs / 2 + 1);
    // The delay is a number no larger than the whole run of tock this test timed (its exchange is inside).
    expect(typeof out.delayMs).toBe('number');
    expect(out.delayMs).toBeLessThanOrEqual(elapsedMs);
    expect(out.delayMs).toBeLessThan(1_000);
    if (protocol === 'json') {
      // The exchange as tock timed it, t4 - t1, is the delay plus tockd's own time (t3 - t2, in the reply).
      expect(out.delayMs + (out.reply.t3 - out.reply.t2)).toBeLessThanOrEqual(elapsedMs);
    }
  });

  it('reads the ctime line over text, with no offset claimed', async () => {
    const result = await runTock([`${host}:${tockd.port}`, '--protocol', 'text', '--json'], {
      timeoutMs: 10_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({ protocol: 'text', offsetMs: null, delayMs: null, resolutionMs: 1000 });
    expect(out.reply.line).toMatch(
      /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n$/,
    );
    expect(Math.abs(Date.parse(out.time) - Date.now())).toBeLessThan(5_000);
  });
});

describe('tock against tockd, human output', () => {
  it('prints the time with offset and delay like the lab client did', async () => {
    const result = await runTock([`127.0.0.1:${tockd.port}`], { timeoutMs: 10_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Time received: /);
    expect(result.stdout).toMatch(/offset [-+]?\d/);
    expect(result.stdout).toMatch(/delay \d/);
  });
});

describe('tock against tockd --strict-size', () => {
  it('still reads the time over text and JSON, because it pads its requests', async () => {
    const strict = await startTockd(['--port', '0', '--strict-size']);
    try {
      for (const protocol of ['text', 'json', 'ntp']) {
        const result = await runTock(
          [`127.0.0.1:${strict.port}`, '--protocol', protocol, '--json', '-r', '0'],
          {
            timeoutMs: 10_000,
          },
        );
        expect(result.code, `${protocol}: ${result.stderr}`).toBe(0);
      }
      for (const format of ['iso', 'unix-ms']) {
        const result = await runTock([
          `127.0.0.1:${strict.port}`,
          '-p',
          'text',
          '-f',
          format,
          '--json',
          '-r',
          '0',
        ]);
        expect(result.code, `${format}: ${result.stderr}`).toBe(0);
      }
    } finally {
      expect(await strict.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    }
  });
});
