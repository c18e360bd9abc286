/**
 * @tock/client against the real networking-lab daytime servers (tests/lab/*.py, Python 3): one replies
 * `time.ctime()` with CRLF, the other `time.asctime()` without, reading only 10 bytes of the request.
 */
import { query, TockClientError } from '@tock/client';
import { needProgram, type PeerServer, startLabServer, stopAll } from '@tock/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const python = needProgram('python3', 'Debian package python3');

afterAll(stopAll);

describe.each([
  ['crlf', '127.0.0.1', /\r\n$/],
  ['asctime', '127.0.0.1', /\d$/],
  ['crlf', '::1', /\r\n$/],
  ['asctime', '::1', /\d$/],
] as const)('lab server %s on %s', (variant, host, ending) => {
  let lab: PeerServer | undefined;
  beforeAll(async () => {
    if ('path' in python) lab = await startLabServer(variant, { host, python: python.path });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('answers a text query with its ctime line, read in this machine’s zone', async (ctx) => {
    ctx.skip(lab === undefined, 'skip' in python ? python.skip : '');
    const before = Date.now();
    const r = await query(lab!.target, { protocol: 'text', timeout: 2000 });
    const after = Date.now();
    expect(r).toMatchObject({
      protocol: 'text',
      format: 'ctime',
      resolutionMs: 1000,
      offsetMs: null,
      delayMs: null,
    });
    expect(r.raw).toMatch(/^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}/);
    expect(r.raw).toMatch(ending);
    // ctime truncates to the second: the line names a second between our send and our receive.
    expect(r.time.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(r.time.getTime()).toBeLessThanOrEqual(after);
    expect(r.server.family).toBe(host === '::1' ? 'IPv6' : 'IPv4');
  });

  it.for(['ntp', 'json'] as const)('%s query: INVALID_REPLY that says to use text', async (protocol, ctx) => {
    ctx.skip(lab === undefined, 'skip' in python ? python.skip : '');
    const error = await query(lab!.target, { protocol, timeout: 150, retries: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TockClientError);
    expect(error).toMatchObject({ code: 'INVALID_REPLY', attempts: 2 });
    expect((error as Error).message).toContain('(it looks like a plain-text time line: try protocol text)');
  });
});

describe('a lab server in another time zone', () => {
  let lab: PeerServer | undefined;
  beforeAll(async () => {
    // The server's zone is Asia/Kolkata (UTC+05:30): its ctime line is 5 h 30 min ahead of a UTC one.
    if ('path' in python)
      lab = await startLabServer('crlf', {
        python: python.path,
        env: { ...process.env, TZ: 'Asia/Kolkata' },
      });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('is read right when timeZone names its zone, and 5.5 h off when it does not', async (ctx) => {
    ctx.skip(lab === undefined, 'skip' in python ? python.skip : '');
    const right = await query(lab!.target, { protocol: 'text', timeZone: 'Asia/Kolkata' });
    expect(Math.abs(right.time.getTime() - Date.now())).toBeLessThan(2000);
    const wrong = await query(lab!.target, { protocol: 'text', timeZone: 'UTC' });
    expect(Math.round((wrong.time.getTime() - Date.now()) / 60_000)).toBe(330);
  });
});
