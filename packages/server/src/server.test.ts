import { createSocket } from 'node:dgram';
import {
  buildNtpRequest,
  decodeJsonReply,
  type Instant,
  instantToMs,
  NtpMode,
  readNtpReply,
} from '@tock/protocol';
import { exchange, udpClient } from '@tock/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerError } from './errors.ts';
import type { Endpoint, TransportEvents, TransportFactory } from './io/transport.ts';
import type { IoMode } from './options.ts';
import { createServer, planWorkers, type TockServer } from './server.ts';

const CTIME =
  /(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}/;
const CTIME_LINE = new RegExp(`^${CTIME.source}\\r\\n$`);

/** The transport the whole suite runs on: `TOCK_IO=dgram` runs it on node:dgram (CI runs both). */
const TEST_IO: IoMode = process.env.TOCK_IO === 'dgram' ? 'dgram' : 'batched';

const servers: TockServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(
  options: Parameters<typeof createServer>[0] = {},
): Promise<{ server: TockServer; port: number }> {
  const server = createServer({ io: TEST_IO, port: 0, timeZone: 'UTC', ...options });
  servers.push(server);
  const { port } = await server.listen();
  return { server, port };
}

const nowMs = (): number => Date.now();

describe('createServer over UDP on loopback', () => {
  it('answers the lab client\'s "Time request" with exactly one ctime line and CRLF, close to now', async () => {
    const { server, port } = await start();
    const before = nowMs();
    const reply = (await exchange('Time request', port)).toString('latin1');
    expect(reply).toMatch(CTIME_LINE);
    const shown = Date.parse(`${reply.trim()} UTC`);
    expect(Math.abs(shown - before)).toBeLessThan(2000);
    expect(server.stats().replies.text).toBe(1);
  });

  it('answers format keywords in that format', async () => {
    const { port } = await start();
    const iso = (await exchange('iso', port)).toString();
    expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\r\n$/);
    expect(Math.abs(Date.parse(iso.trim()) - nowMs())).toBeLessThan(2000);
    const unix = (await exchange(' UNIX \n', port)).toString();
    expect(unix).toMatch(/^\d+\r\n$/);
    expect(Math.abs(Number(unix) * 1000 - nowMs())).toBeLessThan(2000);
    const unixMs = (await exchange('unix-ms', port)).toString();
    expect(Math.abs(Number(unixMs) - nowMs())).toBeLessThan(2000);
  });

  it('uses the configured default format and time zone', async () => {
    const { port } = await start({ textFormat: 'iso', timeZone: 'Asia/Kolkata' });
    const line = (await exchange('Time request', port)).toString();
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+05:30\r\n$/);
  });

  it('answers a JSON request with the full envelope: id and t1 echoed, t2 <= t3 with sub-ms fractions', async () => {
    const { server, port } = await start();
    const replies = [];
    for (let i = 0; i < 5; i++) {
      const t1 = nowMs();
      const bytes = await exchange(JSON.stringify({ v: 1, type: 'time.request', id: `req-${i}`, t1 }), port);
      const decoded = decodeJsonReply(bytes);
      if (!decoded.ok || decoded.reply.type !== 'time.response')
        throw new Error(`bad reply ${bytes.toString()}`);
      const r = decoded.reply;
      expect(r.id).toBe(`req-${i}`);
      expect(r.t1).toBe(t1);
      expect(r.t2).toBeLessThanOrEqual(r.t3);
      // Date.now() truncates to the ms; 0.1 ms more allows for the clock's anchoring error (a few µs at worst).
      expect(r.t2).toBeGreaterThanOrEqual(t1 - 0.1);
      expect(r.t3).toBeLessThanOrEqual(nowMs() + 1.1);
      expect(r.time).toMatch(new RegExp(`^${CTIME.source}$`));
      replies.push(r);
    }
    // Whole milliseconds in all ten timestamps would mean Date.now() resolution (odds 1e-30 otherwise).
    const fractional = replies.flatMap((r) => [r.t2, r.t3]).filter((t) => !Number.isInteger(t));
    expect(fractional.length).toBeGreaterThan(0);
    expect(server.stats().replies.json).toBe(5);
  });

  it('answers JSON garbage with an error envelope carrying the right code', async () => {
    const { server, port } = await start();
    const cases: Array<[string, string]> = [
      ['{"v":1,"type":"time.request"', 'MALFORMED_JSON'],
      ['{"v":2,"type":"time.request","id":"x"}', 'UNSUPPORTED_VERSION'],
      ['{"v":1,"type":"time.please","id":"x"}', 'UNKNOWN_TYPE'],
      ['{"v":1,"type":"time.request","id":"x","t1":-5}', 'INVALID_FIELD'],
      [`{"v":1,"type":"time.request","id":"x","pad":"${'a'.repeat(600)}"}`, 'REQUEST_TOO_LARGE'],
    ];
    for (const [request, code] of cases) {
      const decoded = decodeJsonReply(await exchange(request, port));
      expect(decoded.ok && decoded.reply.type === 'error' && decoded.reply.code).toBe(code);
    }
    expect(server.stats().jsonErrorReplies).toBe(cases.length);
  });

  it('answers an NTP request with a mode 4 reply that echoes the origin, transmit time within the exchange', async () => {
    const { server, port } = await start({ ntp: { stratum: 3, referenceId: 'GPS' } });
    const nonce = 0x0123_4567_89ab_cdefn;
    const t1: Instant = BigInt(nowMs()) * 1_000_000n;
    const bytes = await exchange(buildNtpRequest(nonce, { version: 3 }), port);
    const t4: Instant = BigInt(nowMs() + 1) * 1_000_000n;
    const result = readNtpReply(bytes, nonce, t1);
    if (!result.ok) throw new Error(`reply rejected: ${JSON.stringify(result.problem)}`);
    const { packet, receiveTime, transmitTime } = result.reply;
    expect(bytes.length).toBe(48);
    expect(packet.mode).toBe(NtpMode.Server);
    expect(packet.version).toBe(3);
    expect(packet.originTimestamp).toBe(nonce);
    expect(packet.stratum).toBe(3);
    expect(receiveTime).toBeLessThanOrEqual(transmitTime);
    expect(transmitTime).toBeGreaterThanOrEqual(t1 - 1_000_000n);
    expect(transmitTime).toBeLessThanOrEqual(t4);
    expect(server.stats().replies.ntp).toBe(1);
  });

  it('answers on IPv6 loopback', async () => {
    const { port } = await start({ host: '::1' });
    expect((await exchange('Time request', port, '::1')).toString()).toMatch(CTIME_LINE);
  });

  it('with host "0.0.0.0" answers on IPv4 loopback', async () => {
    const { server, port } = await start({ host: '0.0.0.0' });
    expect(server.address()).toEqual({ address: '0.0.0.0', family: 'IPv4', port });
    expect((await exchange('Time request', port, '127.0.0.1')).toString()).toMatch(CTIME_LINE);
  });

  it('with host "::" answers IPv6 and IPv4 clients on one dual-stack socket', async () => {
    const { server, port } = await start({ host: '::' });
    expect(server.address()).toMatchObject({ address: '::', family: 'IPv6', port });
    expect((await exchange('Time request', port, '::1')).toString()).toMatch(CTIME_LINE);
    expect((await exchange('Time request', port, '127.0.0.1')).toString()).toMatch(CTIME_LINE);
    const nonce = 42n;
    const ntp = readNtpReply(
      await exchange(buildNtpRequest(nonce), port, '127.0.0.1'),
      nonce,
      BigInt(nowMs()) * 1_000_000n,
    );
    expect(ntp.ok).toBe(true);
  });

  it('counts garbage and does not answer it', async () => {
    const { server, port } = await start();
    const client = await udpClient();
    try {
      client.send(Uint8Array.of(0xff, 0x00, 0x13, 0x37), port, '127.0.0.1'); // binary, not NTP
      client.send(new Uint8Array(1500), port, '127.0.0.1'); // oversized
      client.send(Uint8Array.of(0x23, 0, 0, 0), port, '127.0.0.1'); // NTP, truncated
      client.send(new Uint8Array(48).fill(0x16, 0, 1), port, '127.0.0.1'); // NTP mode 6 (control)
      client.send('{"v":1,"type":"error","code":"MALFORMED_JSON","message":"x"}', port, '127.0.0.1');
      client.send('Tue Mar 13 12:54:58 2018', port, '127.0.0.1'); // another server's reply
      client.send('Time request', port, '127.0.0.1');
      // Replies come back in order: the first one must be the answer to the last datagram.
      expect((await client.next()).toString()).toMatch(CTIME_LINE);
    } finally {
      await client.close();
    }
    const stats = server.stats();
    expect(stats.dropped).toMatchObject({
      unrecognized: 1,
      oversized: 1,
      'ntp-truncated': 1,
      'ntp-control-message': 1,
      'json-not-a-request': 1,
      'text-looks-like-reply': 1,
    });
    expect(stats.received).toEqual({ text: 2, json: 1, ntp: 2, unknown: 2 });
    expect(stats.replies).toEqual({ text: 1, json: 0, ntp: 0 });
  });

  it('close() releases the port', async () => {
    const { server, port } = await start();
    await server.close();
    expect(() => server.address()).toThrow(ServerError);
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, '127.0.0.1', resolve);
      });
      expect(socket.address().port).toBe(port);
    } finally {
      socket.close();
    }
  });

  it('fails to listen on a port in use with ADDRESS_IN_USE, and reports NOT_LISTENING and ALREADY_STARTED', async () => {
    const { server, port } = await start();
    const second = createServer({ io: TEST_IO, port });
    expect(() => second.address()).toThrow(expect.objectContaining({ code: 'NOT_LISTENING' }));
    await expect(second.listen()).rejects.toMatchObject({ code: 'ADDRESS_IN_USE' });
    await expect(server.listen()).rejects.toMatchObject({ code: 'ALREADY_STARTED' });
    await second.close();
  });

  it('rejects bad options with INVALID_OPTIONS naming the option', () => {
    expect(() => createServer({ io: TEST_IO, port: 70000 })).toThrow(/^port: /);
    expect(() => createServer({ host: 'localhost' })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
    expect(() => createServer({ ntp: { stratum: 0 } })).toThrow(/ntp\.stratum/);
    expect(() => createServer({ timeZone: 'Mars/Olympus' })).toThrow(/timeZone/);
    expect(() => createServer({ prot: 5005 } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });
});

/** A transport that records what the server sends and lets the test deliver datagrams by hand. */
function fakeTransport(sendFails: boolean): {
  factory: TransportFactory;
  deliver: (data: Uint8Array, port?: number, from?: string, receiveTime?: bigint) => void;
  sent: Uint8Array[];
} {
  let events: TransportEvents | undefined;
  const sent: Uint8Array[] = [];
  const address: Endpoint = { address: '127.0.0.1', port: 5005, family: 'IPv4' };
  return {
    sent,
    deliver(data, port = 40000, from = '127.0.0.1', receiveTime = 1n) {
      events!.datagram({ data, receiveTime, sender: { address: from, port, family: 'IPv4' } });
    },
    factory(options) {
      events = options.events;
      return {
        bind: async () => address,
        send(bytes) {
          if (sendFails) events!.sendError(Object.assign(new Error('sendto: EPERM'), { code: 'EPERM' }));
          else sent.push(bytes);
        },
        address: () => address,
        close: async () => undefined,
      };
    },
  };
}

describe('createServer with a fake transport', () => {
  it('counts send errors (EPERM, ENOBUFS) and keeps answering', async () => {
    const fake = fakeTransport(true);
    const server = createServer({ transport: fake.factory, clock: () => 1_700_000_000_000_000_000n });
    await server.listen();
    for (let i = 0; i < 3; i++) fake.deliver(new TextEncoder().encode('Time request'));
    expect(server.stats()).toMatchObject({ replies: { text: 3 }, sendErrors: 3 });
    await server.close();
  });

  it('drops datagrams from source port 0, which no reply can reach', async () => {
    const fake = fakeTransport(false);
    const server = createServer({ transport: fake.factory });
    await server.listen();
    fake.deliver(new TextEncoder().encode('Time request'), 0);
    fake.deliver(new TextEncoder().encode('Time request'));
    expect(fake.sent).toHaveLength(1);
    expect(server.stats().dropped['source-port-zero']).toBe(1);
    expect(server.stats().received.text).toBe(2);
    await server.close();
  });

  it('counts an internal error, logs what it was, and logs it at most once per 10 s', async () => {
    const lines: { level: string; event: string; msg: string; fields?: Record<string, unknown> }[] = [];
    let events: TransportEvents | undefined;
    const address: Endpoint = { address: '127.0.0.1', port: 5005, family: 'IPv4' };
    const server = createServer({
      clock: () => 1_700_000_000_000_000_000n,
      logger: {
        level: 'info',
        log: (level, event, msg, fields) => lines.push({ level, event, msg, fields }),
      },
      transport: (options) => {
        events = options.events;
        return {
          bind: async () => address,
          send: () => {
            throw new TypeError('a transport bug');
          },
          address: () => address,
          close: async () => undefined,
        };
      },
    });
    await server.listen();
    const sender: Endpoint = { address: '192.0.2.1', port: 40000, family: 'IPv4' };
    for (let i = 0; i < 3; i++) events!.datagram({ data: encode('Time request'), receiveTime: 1n, sender });
    expect(server.stats().dropped['internal-error']).toBe(3);
    const logged = lines.filter((l) => l.event === 'internal-error');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'error', fields: { worker: 0 } });
    expect(logged[0]!.msg).toContain('a transport bug');
    await server.close();
  });

  it('reads the injected clock for the transmit time', async () => {
    const fake = fakeTransport(false);
    const server = createServer({
      transport: fake.factory,
      clock: () => 1_520_945_698_123_456_789n,
      timeZone: 'UTC',
    });
    await server.listen();
    fake.deliver(new TextEncoder().encode('Time request'));
    expect(new TextDecoder().decode(fake.sent[0])).toBe('Tue Mar 13 12:54:58 2018\r\n');
    await server.close();
  });
});

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const T0 = 1_700_000_000_000_000_000n;

describe('createServer: rate limits, strict size, skew, shutdown (fake transport)', () => {
  it("limits a source to its burst and rate, sends NTP clients one RATE Kiss-o'-Death a second", async () => {
    const fake = fakeTransport(false);
    const server = createServer({
      transport: fake.factory,
      clock: () => T0,
      rateLimit: { rate: 1, burst: 2, exempt: [] },
    });
    await server.listen();
    const request = buildNtpRequest(0xfeedn);
    for (let i = 0; i < 6; i++) fake.deliver(request, 40000, '192.0.2.7', T0 + BigInt(i) * 1_000_000n);
    fake.deliver(encode('Time request'), 40001, '192.0.2.8', T0);
    const replies = fake.sent.map((b) => readNtpReply(b, 0xfeedn, T0));
    // Two time replies (the burst; the leak may add a third), one Kiss-o'-Death, the other source answered.
    const kisses = replies.filter((r) => !r.ok && r.problem.kind === 'kiss-of-death');
    expect(kisses).toHaveLength(1);
    const stats = server.stats();
    expect(stats.kissOfDeath).toBe(1);
    expect(stats.replies.ntp + stats.droppedByProtocol.ntp['rate-limited']).toBe(6);
    expect(stats.replies.ntp).toBeGreaterThanOrEqual(2);
    expect(stats.replies.text).toBe(1);
    expect(stats.rateLimit).toEqual({ sources: 2, limited: 1, capacity: 65_536 });
    await server.close();
  });

  it('exempts loopback by default, and limits nothing with rate 0', async () => {
    for (const options of [{}, { rateLimit: { rate: 0, exempt: [] } }]) {
      const fake = fakeTransport(false);
      const server = createServer({ transport: fake.factory, clock: () => T0, ...options });
      await server.listen();
      for (let i = 0; i < 100; i++) fake.deliver(encode('unix'));
      expect(fake.sent).toHaveLength(100);
      await server.close();
    }
  });

  it('with strictSize, drops replies larger than their request, and answers padded requests', async () => {
    const fake = fakeTransport(false);
    const server = createServer({
      transport: fake.factory,
      clock: () => T0,
      timeZone: 'UTC',
      strictSize: true,
    });
    await server.listen();
    fake.deliver(encode('Time request'));
    fake.deliver(encode('Time request'.padEnd(26)));
    fake.deliver(encode('{"v":1,"type":"time.request","id":"a"}'));
    fake.deliver(encode('{"v":1,"type":"time.request","id":"a"}'.padEnd(256)));
    fake.deliver(buildNtpRequest(1n));
    expect(fake.sent).toHaveLength(3);
    const [text, json, ntp] = fake.sent as [Uint8Array, Uint8Array, Uint8Array];
    expect(new TextDecoder().decode(text)).toBe('Tue Nov 14 22:13:20 2023\r\n');
    expect(decodeJsonReply(json)).toMatchObject({ ok: true, reply: { type: 'time.response', id: 'a' } });
    expect(ntp.length).toBe(48);
    expect(server.stats().droppedByProtocol.text['smaller-than-reply']).toBe(1);
    expect(server.stats().droppedByProtocol.json['smaller-than-reply']).toBe(1);
    await server.close();
  });

  it('serves the clock skewed by clockOffset and clockRate, in every protocol', async () => {
    const fake = fakeTransport(false);
    let now = T0;
    const server = createServer({
      transport: fake.factory,
      clock: () => now,
      timeZone: 'UTC',
      textFormat: 'unix-ms',
      clockOffset: '-2d',
      clockRate: 1000,
    });
    await server.listen();
    now = T0 + 1_000_000_000_000n; // 1000 s later: +1000 ppm is 1 s ahead, and two days behind
    fake.deliver(encode('x'), 40000, '127.0.0.1', now);
    const expectedMs = Number((now - 2n * 86_400_000_000_000n + 1_000_000_000n) / 1_000_000n);
    expect(new TextDecoder().decode(fake.sent[0])).toBe(`${expectedMs}\r\n`);
    fake.deliver(buildNtpRequest(3n), 40000, '127.0.0.1', now);
    const ntp = readNtpReply(fake.sent[1]!, 3n, BigInt(expectedMs) * 1_000_000n);
    expect(ntp.ok && instantToMs(ntp.reply.transmitTime)).toBe(expectedMs);
    await server.close();
  });

  it('counts datagrams that arrive once it began to stop as shutting-down, and answers none of them', async () => {
    const fake = fakeTransport(false);
    const server = createServer({ transport: fake.factory, clock: () => T0 });
    await server.listen();
    fake.deliver(encode('Time request'));
    const closing = server.close();
    fake.deliver(encode('Time request'));
    await closing;
    expect(fake.sent).toHaveLength(1);
    expect(server.stats().dropped['shutting-down']).toBe(1);
  });

  it('renders Prometheus metrics of its counters', async () => {
    const fake = fakeTransport(false);
    const server = createServer({ transport: fake.factory, clock: () => T0 });
    await server.listen();
    fake.deliver(encode('Time request'));
    fake.deliver(Uint8Array.of(0xff, 0));
    const text = await server.metrics();
    expect(text).toContain('tock_requests_total{protocol="text"} 1');
    expect(text).toContain('tock_dropped_total{protocol="unknown",reason="unrecognized"} 1');
    expect(text).toContain('tock_processing_seconds_count{protocol="text"} 1');
    expect(text).toContain('# TYPE tock_processing_seconds histogram');
    expect(text).toContain('tock_workers 1');
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    await server.close();
  });

  it('refuses a custom transport or clock with more than one worker', () => {
    expect(() => createServer({ transport: fakeTransport(false).factory, workers: 2 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS', message: expect.stringMatching(/^workers: /) }),
    );
  });
});

describe('createServer: the transport', () => {
  it('moves datagrams with the batched addon by default on Linux, with node:dgram when asked', async () => {
    const batched = createServer({ port: 0 });
    expect(batched.settings.io).toBe('batched');
    expect(createServer({ io: 'dgram' }).settings.io).toBe('dgram');
    expect(() => createServer({ io: 'uring' } as never)).toThrow(/^io: /);
  });

  it.runIf(process.platform === 'linux')(
    'stamps NTP requests with the kernel receive time: T2 between the client send and T3',
    async () => {
      const { port } = await start({ io: 'batched' });
      for (let i = 1; i <= 20; i++) {
        const nonce = BigInt(i);
        const t1: Instant = BigInt(nowMs()) * 1_000_000n;
        const bytes = await exchange(buildNtpRequest(nonce), port);
        const t4: Instant = BigInt(nowMs() + 1) * 1_000_000n;
        const result = readNtpReply(bytes, nonce, t1);
        if (!result.ok) throw new Error(`reply rejected: ${JSON.stringify(result.problem)}`);
        const { receiveTime, transmitTime } = result.reply;
        expect(receiveTime).toBeGreaterThanOrEqual(t1 - 1_000_000n);
        expect(receiveTime).toBeLessThanOrEqual(t4);
        // The kernel's CLOCK_REALTIME and the server's clock (anchored to it) agree well within 1 ms.
        expect(Number(transmitTime - receiveTime)).toBeGreaterThan(-1_000_000);
        expect(Number(transmitTime - receiveTime)).toBeLessThan(50_000_000);
      }
    },
  );

  it('drops a 64 KiB datagram as oversized on either transport and goes on answering', async () => {
    for (const io of ['batched', 'dgram'] as const) {
      const { server, port } = await start({ io });
      const client = await udpClient();
      try {
        client.send(new Uint8Array(65_000).fill(0x41), port, '127.0.0.1');
        client.send(new Uint8Array(1025).fill(0x23), port, '127.0.0.1');
        client.send('Time request', port, '127.0.0.1');
        expect((await client.next()).toString()).toMatch(CTIME_LINE);
      } finally {
        await client.close();
      }
      expect(server.stats().dropped).toMatchObject({ oversized: 2 });
    }
  });
});

describe('planWorkers', () => {
  it('runs the workers asked for, one per core for auto, and one where ports cannot be shared', () => {
    expect(planWorkers(4, 'linux', 2)).toEqual({ workers: 4 });
    expect(planWorkers('auto', 'linux', 8)).toEqual({ workers: 8 });
    expect(planWorkers(1, 'win32', 8)).toEqual({ workers: 1 });
    expect(planWorkers('auto', 'darwin', 8)).toEqual({
      workers: 1,
      fallback:
        '--workers auto: darwin cannot spread one UDP port over several sockets (SO_REUSEPORT load balancing, Linux or FreeBSD); running 1 worker',
    });
  });
});

describe('createServer with worker threads', () => {
  it('answers from two workers sharing the port, and counts them as one server', async () => {
    const { server, port } = await start({ workers: 2, metrics: { port: 0 } });
    expect(server.workers()).toBe(2);
    for (let i = 0; i < 30; i++) {
      expect((await exchange('Time request', port)).toString()).toMatch(CTIME_LINE);
      const nonce = BigInt(i + 1);
      expect(
        readNtpReply(await exchange(buildNtpRequest(nonce), port), nonce, BigInt(nowMs()) * 1_000_000n).ok,
      ).toBe(true);
    }
    expect(server.stats().replies).toEqual({ text: 30, json: 0, ntp: 30 });
    const perWorker = server.workerStats().map((s) => s.replies.text + s.replies.ntp);
    expect(perWorker).toHaveLength(2);
    expect(perWorker[0]! + perWorker[1]!).toBe(60);
    const metrics = server.metricsAddress()!;
    const text = await (await fetch(`http://127.0.0.1:${metrics.port}/metrics`)).text();
    expect(text).toContain('tock_replies_total{protocol="ntp"} 30');
    await server.close();
    expect(() => server.address()).toThrow(ServerError);
    // The port is free again.
    const second = createServer({ io: TEST_IO, port, workers: 2 });
    servers.push(second);
    await second.listen();
  });

  it('fails with ADDRESS_IN_USE, not sharing, when the port is taken, and for a taken metrics port', async () => {
    const { port } = await start();
    await expect(createServer({ io: TEST_IO, port, workers: 2 }).listen()).rejects.toMatchObject({
      code: 'ADDRESS_IN_USE',
    });
    const blocker = createServer({ io: TEST_IO, port: 0, metrics: { port: 0 } });
    servers.push(blocker);
    await blocker.listen();
    const taken = blocker.metricsAddress()!.port;
    const server = createServer({ io: TEST_IO, port: 0, workers: 2, metrics: { port: taken } });
    await expect(server.listen()).rejects.toMatchObject({
      code: 'ADDRESS_IN_USE',
      message: `cannot listen on 127.0.0.1:${taken} for metrics (tcp): the port is in use`,
    });
  });
});
