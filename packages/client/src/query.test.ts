import dgram from 'node:dgram';
import { once } from 'node:events';
import {
  buildKissOfDeath,
  createHandlerContext,
  decodeJsonRequest,
  decodeNtpPacket,
  encodeJson,
  handle,
  makeJsonError,
  NtpMode,
} from '@tock/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakeServer,
  type Responder,
  serverClock,
  settledUdpHandles,
  silentResponder,
  startFakeServer,
  tockResponder,
  udpHandles,
} from '../test/fake-server.ts';
import { systemClock } from './clock.ts';
import { TockClientError } from './errors.ts';
import { ntpExchange } from './protocols/ntp.ts';
import {
  attemptWait,
  exchange,
  type IgnoredDatagram,
  isFrom,
  type QueryOptions,
  query,
  resolveOptions,
  runQuery,
} from './query.ts';
import type { QueryResult } from './result.ts';

const servers: FakeServer[] = [];
async function server(respond: Responder, host?: string): Promise<FakeServer> {
  const s = await startFakeServer(respond, host);
  servers.push(s);
  return s;
}
/** UDP handles this file expects open: one per fake server (the client's own must all be closed). */
const openServers = (): number => servers.length;

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  // Every test in this file ends with no UDP handle left: no query leaked its socket.
  expect(await settledUdpHandles(0)).toBe(0);
});

/** Runs `promise` expecting a TockClientError, and returns it. */
async function failure(promise: Promise<unknown>): Promise<TockClientError> {
  const error = await promise.then(
    (value) => {
      throw new Error(
        `expected a failure, got ${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`,
      );
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TockClientError);
  return error as TockClientError;
}

/** Echo the request's nonce/id into a reply that is otherwise what tockd would send, then mutate the bytes. */
function tweakedTock(mutate: (reply: Uint8Array, request: Uint8Array) => Uint8Array): Responder {
  const tock = tockResponder();
  return (request, index, s) =>
    tock(request, index, {
      ...s,
      send: (bytes, to) => s.send(mutate(bytes, new Uint8Array(request.bytes)), to),
    });
}

const fast: QueryOptions = { timeout: 50, retries: 0 };

describe('query against a server that answers like tockd', () => {
  it.each(['json', 'ntp'] as const)(
    '%s: the time, an offset within ±delay/2 and a delay',
    async (protocol) => {
      const s = await server(tockResponder());
      const before = Date.now();
      const r = await query(s.target, { protocol });
      const after = Date.now();
      expect(r.protocol).toBe(protocol);
      expect(r.time.getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(r.time.getTime()).toBeLessThanOrEqual(after + 1);
      // Same host, same wall clock: the true offset is ~0, so the measured one is within delay/2, plus 1 ms: each
      // clock knows the wall clock only to within the millisecond `Date.now()` truncates to.
      expect(Math.abs(r.offsetMs)).toBeLessThanOrEqual(r.delayMs / 2 + 1);
      expect(r.delayMs).toBeGreaterThan(0);
      expect(r.delayMs).toBeLessThan(100);
      expect(r.attempts).toBe(1);
      expect(r.server).toEqual({ host: '127.0.0.1', address: '127.0.0.1', port: s.port, family: 'IPv4' });
    },
  );

  it('text: the time line with its resolution, and no offset or delay', async () => {
    const s = await server(tockResponder({ timeZone: 'Asia/Kolkata' }));
    const before = Date.now();
    const r = await query(s.target, { protocol: 'text', timeZone: 'Asia/Kolkata' });
    expect(r).toMatchObject({
      protocol: 'text',
      offsetMs: null,
      delayMs: null,
      resolutionMs: 1000,
      format: 'ctime',
    });
    expect(r.raw).toMatch(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n$/);
    expect(r.time.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(r.time.getTime()).toBeLessThanOrEqual(Date.now());
    expect(new TextDecoder().decode(s.received[0]!.bytes).trimEnd()).toBe('Time request');
  });

  it('text with a format: tockd answers in it', async () => {
    const s = await server(tockResponder());
    const r = await query(s.target, { protocol: 'text', format: 'unix-ms' });
    expect(r).toMatchObject({ format: 'unix-ms', resolutionMs: 1 });
    expect(Math.abs(r.time.getTime() - Date.now())).toBeLessThan(100);
  });

  it.each(['json', 'ntp'] as const)('%s: measures a server clock 5 s ahead', async (protocol) => {
    const s = await server(tockResponder({ skewMs: 5000 }));
    const r = await query(s.target, { protocol });
    expect(Math.abs(r.offsetMs - 5000)).toBeLessThanOrEqual(r.delayMs / 2 + 1);
    expect(r.time.getTime() - Date.now()).toBeGreaterThan(4900);
  });

  it('speaks IPv6', async () => {
    const s = await server(tockResponder(), '::1');
    const r = await query(s.target, { protocol: 'json' });
    expect(r.server).toEqual({ host: '::1', address: '::1', port: s.port, family: 'IPv6' });
    const r2 = await query({ host: '::1', port: s.port });
    expect(r2.protocol).toBe('ntp');
  });

  it('defaults to NTP', async () => {
    const s = await server(tockResponder());
    const r = await query(s.target);
    expect(r.protocol).toBe('ntp');
    expect(decodeNtpPacket(s.received[0]!.bytes)).toMatchObject({
      ok: true,
      packet: { mode: NtpMode.Client },
    });
  });

  it('resolves a host name through lookup', async () => {
    const s = await server(tockResponder());
    const lookups: string[] = [];
    const lookup = async (host: string) => {
      lookups.push(host);
      return { address: '127.0.0.1', family: 4 };
    };
    const r = await runQuery(`time.tock.test:${s.port}`, {}, { lookup, clock: systemClock });
    expect(lookups).toEqual(['time.tock.test']);
    expect(r.server).toEqual({ host: 'time.tock.test', address: '127.0.0.1', port: s.port, family: 'IPv4' });
  });
});

describe('matching: only a reply to our request, from the server asked, is accepted', () => {
  it.each(['json', 'ntp'] as const)(
    '%s: ignores a reply to another request and keeps waiting',
    async (protocol) => {
      const tock = tockResponder();
      const s = await server((request, index, srv) => {
        // First a well-formed reply to a different request, then the real one.
        const other =
          protocol === 'ntp'
            ? new Uint8Array(request.bytes).map((b, i) => (i >= 40 ? b ^ 0xff : b))
            : encodeJson({ v: 1, type: 'time.request', id: 'not-yours' });
        const forged = handle(other, serverClock(), createHandlerContext(serverClock));
        if (forged.action === 'reply') void srv.send(forged.bytes, request.from);
        tock(request, index, srv);
      });
      const ignored: IgnoredDatagram[] = [];
      const r = await query(s.target, { protocol, onIgnore: (e) => ignored.push(e) });
      expect(r.protocol).toBe(protocol);
      expect(ignored).toEqual([
        { reason: 'unmatched', detail: expect.any(String), from: { address: '127.0.0.1', port: s.port } },
      ]);
    },
  );

  it('ignores garbage and keeps waiting', async () => {
    const tock = tockResponder();
    const s = await server((request, index, srv) => {
      void srv.send(new Uint8Array([0x17, 0, 0, 0, 1, 2, 3]), request.from);
      void srv.send(new TextEncoder().encode('hello'), request.from);
      tock(request, index, srv);
    });
    const ignored: string[] = [];
    const r = await query(s.target, { protocol: 'ntp', onIgnore: (e) => ignored.push(e.reason) });
    expect(r.protocol).toBe('ntp');
    expect(ignored).toEqual(['malformed', 'malformed']);
  });

  it('reports INVALID_REPLY, not TIMEOUT, when the server only sends garbage', async () => {
    const s = await server(
      (request, _i, srv) =>
        void srv.send(new TextEncoder().encode('Tue Mar 13 12:54:58 2018\r\n'), request.from),
    );
    const error = await failure(query(s.target, { protocol: 'json', timeout: 30, retries: 1 }));
    expect(error.code).toBe('INVALID_REPLY');
    expect(error.attempts).toBe(2);
    expect(error.message).toMatch(
      /^no usable reply from 127\.0\.0\.1:\d+ after 2 requests in \d+ ms; it sent not a tock JSON reply .*try protocol text\)$/,
    );
  });

  it.each([
    ['another port', '127.0.0.1'],
    ['another address', '127.0.0.2'],
  ])('does not accept a correct reply from %s', async (_what, host) => {
    const impostor = dgram.createSocket('udp4');
    impostor.on('error', () => {});
    impostor.bind(0, host);
    await once(impostor, 'listening');
    const sent: Promise<void>[] = [];
    const tock = tockResponder();
    const s = await server((request, index, srv) => {
      // A reply that matches the nonce exactly, but sent from the impostor's socket.
      tock(request, index, {
        ...srv,
        send: (bytes, to) => {
          const p = new Promise<void>((resolve) =>
            impostor.send(bytes, to.port, to.address, () => resolve()),
          );
          sent.push(p);
          return p;
        },
      });
    });
    try {
      const error = await failure(query(s.target, { protocol: 'ntp', ...fast }));
      expect(error.code).toBe('TIMEOUT');
      expect(sent).toHaveLength(1);
      await Promise.all(sent);
    } finally {
      impostor.close();
    }
  });

  it('checks the sender itself, too (in case the kernel does not filter)', () => {
    const remote = { address: '::1', port: 123 };
    expect(isFrom({ address: '::1', port: 123 }, remote)).toBe(true);
    expect(isFrom({ address: '::1', port: 124 }, remote)).toBe(false);
    expect(isFrom({ address: '::2', port: 123 }, remote)).toBe(false);
    expect(isFrom({ address: 'FE80::1', port: 1 }, { address: 'fe80::1', port: 1 })).toBe(true);
  });

  it('resolves once on a duplicated reply, and the duplicate cannot reach it', async () => {
    const tock = tockResponder();
    const s = await server((request, index, srv) => {
      tock(request, index, srv);
      tock(request, index, srv);
    });
    const ignored: IgnoredDatagram[] = [];
    const r = await query(s.target, { protocol: 'json', onIgnore: (e) => ignored.push(e) });
    expect(r.attempts).toBe(1);
    expect(ignored).toEqual([]);
    expect(await settledUdpHandles(openServers())).toBe(openServers());
  });

  it('accepts a late reply to an earlier request, timed from that request', async () => {
    const tock = tockResponder();
    let held: Parameters<Responder> | undefined;
    const s = await server((request, index, srv) => {
      if (index === 0) {
        held = [request, index, srv];
      } else {
        // The first reply finally arrives after the retry; the retry's own reply follows it.
        tock(...held!);
        tock(request, index, srv);
      }
    });
    const r = await query(s.target, { protocol: 'ntp', timeout: 60, retries: 2 });
    expect(r.attempts).toBe(2);
    expect(r.raw.originTimestamp).toBe(readTransmit(s.received[0]!.bytes));
    expect(r.delayMs).toBeGreaterThanOrEqual(58);
  });
});

function readTransmit(bytes: Uint8Array): bigint {
  const d = decodeNtpPacket(bytes);
  if (!d.ok) throw new Error('not NTP');
  return d.packet.transmitTimestamp;
}

describe('answers that end the query at once', () => {
  it("NTP Kiss-o'-Death: KISS_OF_DEATH with the code, no retry", async () => {
    const s = await server((request, _i, srv) => {
      const d = decodeNtpPacket(request.bytes);
      if (d.ok) void srv.send(buildKissOfDeath(d.packet, 'RATE'), request.from);
    });
    const error = await failure(query(s.target, { protocol: 'ntp', retries: 3 }));
    expect(error).toMatchObject({ code: 'KISS_OF_DEATH', kissCode: 'RATE', attempts: 1 });
    expect(error.message).toBe("the server sent a Kiss-o'-Death RATE");
    expect(s.received).toHaveLength(1);
  });

  it('JSON error envelope for our request: SERVER_ERROR with the server code', async () => {
    const s = await server((request, _i, srv) => {
      const d = decodeJsonRequest(request.bytes);
      if (d.ok)
        void srv.send(encodeJson(makeJsonError('UNSUPPORTED_VERSION', 'nope', d.request.id)), request.from);
    });
    const error = await failure(query(s.target, { protocol: 'json', retries: 3 }));
    expect(error).toMatchObject({ code: 'SERVER_ERROR', serverCode: 'UNSUPPORTED_VERSION', attempts: 1 });
    expect(error.message).toBe('the server answered with error UNSUPPORTED_VERSION: nope');
  });

  it('JSON error envelope without id: reported as SERVER_ERROR once the retries run out', async () => {
    const s = await server(
      (request, _i, srv) =>
        void srv.send(encodeJson(makeJsonError('REQUEST_TOO_LARGE', 'too big')), request.from),
    );
    const error = await failure(query(s.target, { protocol: 'json', timeout: 20, retries: 1 }));
    expect(error).toMatchObject({ code: 'SERVER_ERROR', serverCode: 'REQUEST_TOO_LARGE', attempts: 2 });
  });

  it('unsynchronised NTP server: INVALID_REPLY', async () => {
    const s = await server(tockResponder({ ntp: { leap: 3 } }));
    const error = await failure(query(s.target, { protocol: 'ntp' }));
    expect(error).toMatchObject({ code: 'INVALID_REPLY', attempts: 1 });
    expect(error.message).toBe('unusable NTP reply: server is unsynchronised (leap indicator 3)');
  });

  it('nothing listening: UNREACHABLE at once, long before the timeout', async () => {
    const probe = dgram.createSocket('udp4');
    probe.bind(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address();
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const started = performance.now();
    const error = await failure(query(`127.0.0.1:${port}`, { timeout: 5000 }));
    expect(error.code).toBe('UNREACHABLE');
    expect(error.message).toBe(
      `127.0.0.1:${port} is unreachable (ECONNREFUSED, port unreachable: is a server listening there?)`,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('socket errors', () => {
  it('a socket that cannot connect: SOCKET_ERROR with the errno, and the socket is closed', async () => {
    // An IPv6 address on an IPv4 socket: connect() fails locally, nothing is sent anywhere.
    const endpoint = { host: 'x', address: '::1', port: 9, family: 'IPv4' } as const;
    const error = await failure(exchange(endpoint, resolveOptions({}), ntpExchange(), systemClock()));
    expect(error).toMatchObject({
      code: 'SOCKET_ERROR',
      message: 'connect failed for [::1]:9: EINVAL',
      attempts: 0,
    });
    expect((error.cause as NodeJS.ErrnoException).code).toBe('EINVAL');
  });
});

describe('timeouts and retries', () => {
  it('backs off exponentially, capped', () => {
    expect([0, 1, 2, 3].map((i) => attemptWait(1000, i))).toEqual([1000, 2000, 4000, 8000]);
    expect(attemptWait(1000, 10)).toBe(30_000);
    expect(attemptWait(45_000, 3)).toBe(45_000);
  });

  it('sends 1 + retries requests with fresh nonces, waiting twice as long each time, then TIMEOUT', async () => {
    const s = await server(silentResponder);
    const started = performance.now();
    const error = await failure(query(s.target, { protocol: 'ntp', timeout: 40, retries: 2 }));
    const elapsed = performance.now() - started;
    expect(error.code).toBe('TIMEOUT');
    expect(error.attempts).toBe(3);
    expect(error.message).toMatch(
      new RegExp(`^no reply from 127\\.0\\.0\\.1:${s.port} after 3 requests in \\d+ ms$`),
    );
    expect(s.received).toHaveLength(3);
    const nonces = new Set(s.received.map((r) => readTransmit(r.bytes)));
    expect(nonces.size).toBe(3);
    const [a, b, c] = s.received.map((r) => r.at) as [number, number, number];
    expect(b - a).toBeGreaterThanOrEqual(38); // libuv timers may fire up to 1 ms early
    expect(c - b).toBeGreaterThanOrEqual(78);
    expect(elapsed).toBeGreaterThanOrEqual(276);
    // All from one socket: one source port.
    expect(new Set(s.received.map((r) => r.from.port)).size).toBe(1);
  });

  it('succeeds on a retry when the first requests are lost', async () => {
    const tock = tockResponder();
    const s = await server((request, index, srv) => {
      if (index >= 2) tock(request, index, srv);
    });
    const r = await query(s.target, { protocol: 'json', timeout: 20, retries: 2 });
    expect(r.attempts).toBe(3);
    const ids = s.received.map((q) => {
      const d = decodeJsonRequest(q.bytes);
      return d.ok ? d.request.id : undefined;
    });
    expect(new Set(ids).size).toBe(3);
    expect(r.raw.id).toBe(ids[2]);
  });

  it('retries 0: one request only', async () => {
    const s = await server(silentResponder);
    const error = await failure(query(s.target, { protocol: 'text', timeout: 20, retries: 0 }));
    expect(error).toMatchObject({ code: 'TIMEOUT', attempts: 1 });
    expect(s.received).toHaveLength(1);
  });
});

describe('abort', () => {
  it('an already aborted signal: ABORTED before any socket or request', async () => {
    const s = await server(tockResponder());
    const baseline = udpHandles();
    const promise = query(s.target, { signal: AbortSignal.abort() });
    expect(udpHandles()).toBe(baseline);
    const error = await failure(promise);
    expect(error).toMatchObject({ code: 'ABORTED', attempts: 0 });
    expect(s.received).toHaveLength(0);
  });

  it('aborting while waiting: ABORTED at once, with the reason', async () => {
    const s = await server(silentResponder);
    const controller = new AbortController();
    const promise = query(s.target, { timeout: 10_000, signal: controller.signal });
    await s.waitForRequests(1);
    const started = performance.now();
    controller.abort(new Error('user pressed Ctrl-C'));
    const error = await failure(promise);
    expect(performance.now() - started).toBeLessThan(100);
    expect(error).toMatchObject({
      code: 'ABORTED',
      attempts: 1,
      message: 'the query was aborted: user pressed Ctrl-C',
    });
    expect(error.cause).toBe(controller.signal.reason);
  });

  it('AbortSignal.timeout works as an overall deadline', async () => {
    const s = await server(silentResponder);
    const error = await failure(query(s.target, { timeout: 10_000, signal: AbortSignal.timeout(30) }));
    expect(error.code).toBe('ABORTED');
    expect(error.message).toMatch(/^the query was aborted: /);
  });

  it('aborting while the host name resolves', async () => {
    const controller = new AbortController();
    let started!: () => void;
    const resolving = new Promise<void>((resolve) => {
      started = resolve;
    });
    const lookup = () => {
      started();
      return new Promise<never>(() => {});
    };
    const promise = runQuery('slow.tock.test', { signal: controller.signal }, { lookup, clock: systemClock });
    await resolving;
    controller.abort();
    expect(await failure(promise)).toMatchObject({ code: 'ABORTED', attempts: 0 });
  });

  it('aborted just as the host name resolved: ABORTED, and no request goes out', async () => {
    const s = await server(tockResponder());
    const controller = new AbortController();
    const lookup = async () => {
      controller.abort();
      return { address: '127.0.0.1', family: 4 };
    };
    const promise = runQuery(
      `race.tock.test:${s.port}`,
      { signal: controller.signal },
      { lookup, clock: systemClock },
    );
    expect(await failure(promise)).toMatchObject({ code: 'ABORTED', attempts: 0 });
    expect(s.received).toHaveLength(0);
  });

  it('a host that does not resolve: RESOLVE_FAILED', async () => {
    const lookup = () =>
      Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    const error = await failure(runQuery('nowhere.tock.test', {}, { lookup, clock: systemClock }));
    expect(error).toMatchObject({
      code: 'RESOLVE_FAILED',
      message: 'could not resolve "nowhere.tock.test": ENOTFOUND',
    });
  });

  it('a lookup that hangs is cut off after the time the attempts would take', async () => {
    const lookup = () => new Promise<never>(() => {});
    const error = await failure(
      runQuery('hang.tock.test', { timeout: 10, retries: 1 }, { lookup, clock: systemClock }),
    );
    expect(error).toMatchObject({
      code: 'RESOLVE_FAILED',
      message: 'could not resolve "hang.tock.test" within 30 ms',
    });
  });
});

describe('options', () => {
  it.each<[QueryOptions, string]>([
    [{ protocol: 'sntp' as 'ntp' }, 'protocol must be text, json or ntp, not "sntp"'],
    [{ timeout: 0 }, 'timeout must be a number of milliseconds above 0 and at most 600000, not 0'],
    [{ timeout: Number.NaN }, 'timeout must be a number of milliseconds above 0 and at most 600000, not NaN'],
    [
      { timeout: '5' as unknown as number },
      'timeout must be a number of milliseconds above 0 and at most 600000, not "5"',
    ],
    [{ retries: 1.5 }, 'retries must be an integer from 0 to 10, not 1.5'],
    [{ retries: 11 }, 'retries must be an integer from 0 to 10, not 11'],
    [{ format: 'rfc2822' as 'iso' }, 'format must be one of ctime, iso, unix, unix-ms, not "rfc2822"'],
    [{ format: 'iso' }, 'format applies to the text and json protocols only'],
    [
      { protocol: 'text', timeZone: 'Mars/Olympus_Mons' },
      'timeZone must be an IANA time zone such as UTC or Europe/Paris, not "Mars/Olympus_Mons"',
    ],
    [{ signal: {} as AbortSignal }, 'signal must be an AbortSignal'],
  ])('rejects %j with INVALID_OPTIONS', async (options, message) => {
    const error = await failure(query('127.0.0.1', options));
    expect(error).toMatchObject({ code: 'INVALID_OPTIONS', message, attempts: 0 });
  });

  it('rejects a bad target with BAD_TARGET, as a rejection (never a synchronous throw)', async () => {
    const promise = query('127.0.0.1:99999');
    expect(await failure(promise)).toMatchObject({ code: 'BAD_TARGET' });
  });

  it('fills in defaults', () => {
    expect(resolveOptions({})).toMatchObject({
      protocol: 'ntp',
      timeout: 1000,
      retries: 2,
      format: undefined,
    });
  });

  it('survives an onIgnore that throws', async () => {
    const tock = tockResponder();
    const s = await server((request, index, srv) => {
      void srv.send(new Uint8Array(3), request.from);
      tock(request, index, srv);
    });
    const r = await query(s.target, {
      onIgnore: () => {
        throw new Error('bug in the caller');
      },
    });
    expect(r.protocol).toBe('ntp');
  });
});

describe('the socket is closed on every path', () => {
  const jsonError: Responder = (request, _i, srv) => {
    const d = decodeJsonRequest(request.bytes);
    if (d.ok) void srv.send(encodeJson(makeJsonError('INVALID_FIELD', 'no', d.request.id)), request.from);
  };
  const kod: Responder = (request, _i, srv) => {
    const d = decodeNtpPacket(request.bytes);
    if (d.ok) void srv.send(buildKissOfDeath(d.packet, 'DENY'), request.from);
  };
  const cases: [string, Responder | 'closed-port', QueryOptions, string | undefined][] = [
    ['success', tockResponder(), { protocol: 'ntp' }, undefined],
    ['success (text)', tockResponder(), { protocol: 'text' }, undefined],
    ['timeout', silentResponder, { timeout: 10, retries: 1 }, 'TIMEOUT'],
    [
      'invalid replies',
      tweakedTock((reply) => reply.slice(0, 20)),
      { timeout: 10, retries: 0 },
      'INVALID_REPLY',
    ],
    ['kiss-of-death', kod, {}, 'KISS_OF_DEATH'],
    ['server error', jsonError, { protocol: 'json' }, 'SERVER_ERROR'],
    ['abort', silentResponder, { signal: AbortSignal.timeout(20), timeout: 5000 }, 'ABORTED'],
    ['unreachable', 'closed-port', {}, 'UNREACHABLE'],
  ];
  it.each(cases)('%s', async (_name, respond, options, code) => {
    let target: string;
    if (respond === 'closed-port') {
      const s = await startFakeServer(silentResponder);
      target = s.target;
      await s.close();
    } else {
      target = (await server(respond)).target;
    }
    let outcome: QueryResult | TockClientError;
    try {
      outcome = await query(target, options);
    } catch (e) {
      outcome = e as TockClientError;
    }
    expect(outcome instanceof TockClientError ? outcome.code : undefined).toBe(code);
    expect(await settledUdpHandles(openServers())).toBe(openServers());
  });

  it('many queries in parallel leave no handle behind', async () => {
    const s = await server(tockResponder());
    const silent = await server(silentResponder);
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        query(i % 3 === 0 ? silent.target : s.target, {
          protocol: (['text', 'json', 'ntp'] as const)[i % 3],
          // Long enough that every answering server's reply lands in time on a busy machine (20 ms did
          // not); the silent one's queries time out all the same, which is the path this test is about.
          timeout: 2000,
          retries: 0,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
    expect(await settledUdpHandles(openServers())).toBe(openServers());
  });
});
