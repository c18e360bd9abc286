import { buildKissOfDeath, decodeNtpPacket } from '@tock/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakeServer,
  type Responder,
  settledUdpHandles,
  silentResponder,
  startFakeServer,
  tockResponder,
} from '../../test/fake-server.ts';
import { main } from './main.ts';
import { renderHelp } from './options.ts';

const servers: FakeServer[] = [];
async function server(respond: Responder): Promise<FakeServer> {
  const s = await startFakeServer(respond);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  expect(await settledUdpHandles(0)).toBe(0);
});

/** Runs the CLI in-process, capturing what it writes. */
async function tock(argv: string[], signal?: AbortSignal) {
  let stdout = '';
  let stderr = '';
  const status = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), signal });
  return { status, stdout, stderr };
}

/** A failure message: exactly one line, starting with "tock: ", and no stack trace. */
function expectOneLine(text: string): void {
  expect(text).toMatch(/^tock: [^\n]+\n$/);
  expect(text).not.toMatch(/\bat .+:\d+:\d+/);
}

/** A usage error: one line ending in [USAGE], then where to look; no stack trace. */
function expectUsage(text: string): void {
  expect(text).toMatch(/^tock: [^\n]+ \[USAGE\]\nRun "tock --help" to see every flag\.\n$/);
  expect(text).not.toMatch(/\bat .+:\d+:\d+/);
}

describe('tock prints the time', () => {
  it('ntp (the default): a human line with offset and delay', async () => {
    const s = await server(tockResponder());
    const r = await tock([s.target, '--time-zone', 'UTC']);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(
      new RegExp(
        `^Time received: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z from 127\\.0\\.0\\.1:${s.port} \\(ntp, stratum 2\\): offset [+-]\\d+\\.\\d{3} ms, delay \\d+\\.\\d{3} ms\\n$`,
      ),
    );
  });

  it('json: the server’s time field, offset and delay', async () => {
    const s = await server(tockResponder());
    const r = await tock(['--protocol', 'json', s.target]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^Time received: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} from .* \(json\): offset [+-]\d+\.\d{3} ms, delay/,
    );
  });

  it('text: the line as the lab client shows it, and says there is no offset', async () => {
    const s = await server(tockResponder());
    const r = await tock(['-p', 'text', s.target]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^Time received: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} from 127\.0\.0\.1:\d+ \(text: whole seconds, no offset or delay\)\n$/,
    );
  });

  it('takes the port from --port', async () => {
    const s = await server(tockResponder());
    const r = await tock(['127.0.0.1', '--port', String(s.port), '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).server.port).toBe(s.port);
  });
});

describe('tock --json', () => {
  it('ntp: one JSON object with time, protocol, offsetMs, delayMs and the packet fields', async () => {
    const s = await server(tockResponder());
    const r = await tock(['--json', s.target]);
    expect(r.status).toBe(0);
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout);
    expect(out).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      protocol: 'ntp',
      offsetMs: expect.any(Number),
      delayMs: expect.any(Number),
      server: { host: '127.0.0.1', address: '127.0.0.1', port: s.port, family: 'IPv4' },
      attempts: 1,
      reply: {
        leap: 0,
        version: 4,
        mode: 4,
        stratum: 2,
        poll: 0,
        precision: -20,
        rootDelayMs: 0,
        rootDispersionMs: expect.closeTo(1, 1),
        referenceId: '76.79.67.76', // "LOCL" read as stratum 2 reads it: an IPv4 address
        referenceTimestamp: expect.stringMatching(/^0x[0-9a-f]{16}$/),
        originTimestamp: expect.stringMatching(/^0x[0-9a-f]{16}$/),
        receiveTimestamp: expect.stringMatching(/^0x[0-9a-f]{16}$/),
        transmitTimestamp: expect.stringMatching(/^0x[0-9a-f]{16}$/),
      },
    });
    expect(Math.abs(Date.parse(out.time) - Date.now())).toBeLessThan(1000);
    expect(Math.abs(out.offsetMs)).toBeLessThanOrEqual(out.delayMs / 2 + 0.5);
  });

  it('json: the envelope as reply', async () => {
    const s = await server(tockResponder());
    const out = JSON.parse((await tock(['--json', '-p', 'json', '-f', 'iso', s.target])).stdout);
    expect(out).toMatchObject({
      protocol: 'json',
      offsetMs: expect.any(Number),
      delayMs: expect.any(Number),
    });
    expect(out.reply).toMatchObject({
      v: 1,
      type: 'time.response',
      id: expect.any(String),
      time: expect.stringMatching(/T/),
    });
  });

  it('text: offsetMs and delayMs are null, resolutionMs says why', async () => {
    const s = await server(tockResponder());
    const out = JSON.parse((await tock(['--json', '-p', 'text', s.target])).stdout);
    expect(out).toMatchObject({
      protocol: 'text',
      offsetMs: null,
      delayMs: null,
      resolutionMs: 1000,
      reply: { line: expect.stringMatching(/\r\n$/), format: 'ctime' },
    });
    expect(out.time).toMatch(/\.000Z$/);
  });

  it('a failure is one JSON error object on stdout, exit 1', async () => {
    const s = await server(silentResponder);
    const r = await tock(['--json', '--timeout', '10', '--retries', '1', s.target]);
    expect(r).toMatchObject({ status: 1, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        code: 'TIMEOUT',
        message: expect.stringMatching(/^no reply from 127\.0\.0\.1:\d+ after 2 requests/),
        attempts: 2,
      },
    });
  });

  it("a Kiss-o'-Death carries its kiss code", async () => {
    const s = await server((request, _i, srv) => {
      const d = decodeNtpPacket(request.bytes);
      if (d.ok) void srv.send(buildKissOfDeath(d.packet, 'RSTR'), request.from);
    });
    const r = await tock(['--json', s.target]);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      error: { code: 'KISS_OF_DEATH', kissCode: 'RSTR', attempts: 1 },
    });
  });
});

describe('exit statuses and messages', () => {
  it('--help: the generated help, exit 0', async () => {
    expect(await tock(['--help'])).toEqual({ status: 0, stdout: renderHelp(), stderr: '' });
    expect((await tock(['-h', 'ignored-host'])).stdout).toBe(renderHelp());
  });

  it('--version: the package version, exit 0', async () => {
    expect(await tock(['--version'])).toEqual({ status: 0, stdout: '0.0.0\n', stderr: '' });
    expect(await tock(['-V'])).toEqual({ status: 0, stdout: '0.0.0\n', stderr: '' });
  });

  it('no reply: exit 1 and one line naming the code', async () => {
    const s = await server(silentResponder);
    const r = await tock(['--timeout', '10', '--retries', '0', s.target]);
    expect(r).toMatchObject({ status: 1, stdout: '' });
    expectOneLine(r.stderr);
    expect(r.stderr).toMatch(
      /^tock: no reply from 127\.0\.0\.1:\d+ after 1 request in \d+ ms \[TIMEOUT\]\n$/,
    );
  });

  it('nothing listening: exit 1, UNREACHABLE', async () => {
    const s = await startFakeServer(silentResponder);
    await s.close();
    const r = await tock([s.target]);
    expect(r.status).toBe(1);
    expectOneLine(r.stderr);
    expect(r.stderr).toContain(
      'is unreachable (ECONNREFUSED, port unreachable: is a server listening there?) [UNREACHABLE]',
    );
  });

  const hint = 'Run "tock --help" to see every flag.\n';
  it.each([
    [['--nope', 'h'], 'tock: unknown flag --nope [USAGE]\n'],
    [['--jsn', 'h'], 'tock: unknown flag --jsn; did you mean --json? [USAGE]\n'],
    [[], 'tock: missing HOST (e.g. tock 127.0.0.1:5005) [USAGE]\n'],
    [['--timeout', 'x', 'h'], 'tock: --timeout must be a number from 1 to 600000, not "x" [USAGE]\n'],
    [['127.0.0.1:0'], 'tock: port "0" is not a number from 1 to 65535 [USAGE]\n'],
    [['bad host'], 'tock: "bad host" is not host, host:port or [v6-address]:port [USAGE]\n'],
    [['127.0.0.1:5', '--port', '6'], 'tock: port given twice: 5 in HOST and 6 in --port [USAGE]\n'],
    [['-f', 'iso', '127.0.0.1'], 'tock: format applies to the text and json protocols only [USAGE]\n'],
    [
      ['-p', 'text', '-z', 'Nowhere/City', '127.0.0.1'],
      'tock: --time-zone must be an IANA time zone such as UTC or Europe/Paris, not "Nowhere/City" [USAGE]\n',
    ],
  ])('usage error %j: exit 2, the message and where to look', async (argv, stderr) => {
    const r = await tock(argv);
    expect(r).toEqual({ status: 2, stdout: '', stderr: `${stderr}${hint}` });
    expectUsage(r.stderr);
  });

  it('usage errors stay lines on stderr even with --json', async () => {
    const r = await tock(['--json', '127.0.0.1:0']);
    expect(r).toMatchObject({ status: 2, stdout: '' });
    expectUsage(r.stderr);
  });

  it('interrupted: exit 130', async () => {
    const s = await server(silentResponder);
    const controller = new AbortController();
    const running = tock(['--timeout', '10000', s.target], controller.signal);
    await s.waitForRequests(1);
    controller.abort(new Error('interrupted'));
    const r = await running;
    expect(r).toEqual({
      status: 130,
      stdout: '',
      stderr: 'tock: the query was aborted: interrupted [ABORTED]\n',
    });
  });
});
