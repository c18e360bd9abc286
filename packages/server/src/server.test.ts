import { createSocket } from 'node:dgram';
import {
  buildNtpRequest,
  decodeJsonReply,
  type Instant,
  instantToMs,
  NtpMode,
  readNtpReply,
} from '@tock/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { exchange, udpClient } from '../test/udp-client.ts';
import { ServerError } from './errors.ts';
import type { Endpoint, TransportEvents, TransportFactory } from './io/transport.ts';
import { createServer, type TockServer } from './server.ts';

const CTIME =
  /(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}/;
const CTIME_LINE = new RegExp(`^${CTIME.source}\\r\\n$`);

const servers: TockServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(
  options: Parameters<typeof createServer>[0] = {},
): Promise<{ server: TockServer; port: number }> {
  const server = createServer({ port: 0, timeZone: 'UTC', ...options });
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

  it('answers an NTP request with a mode 4 reply that echoes the origin, transmit time within a few ms', async () => {
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
    expect(Math.abs(instantToMs(transmitTime) - nowMs())).toBeLessThan(5);
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
    const second = createServer({ port });
    expect(() => second.address()).toThrow(expect.objectContaining({ code: 'NOT_LISTENING' }));
    await expect(second.listen()).rejects.toMatchObject({ code: 'ADDRESS_IN_USE' });
    await expect(server.listen()).rejects.toMatchObject({ code: 'ALREADY_STARTED' });
    await second.close();
  });

  it('rejects bad options with INVALID_OPTIONS naming the option', () => {
    expect(() => createServer({ port: 70000 })).toThrow(/^port: /);
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
  deliver: (data: Uint8Array, port?: number) => void;
  sent: Uint8Array[];
} {
  let events: TransportEvents | undefined;
  const sent: Uint8Array[] = [];
  const address: Endpoint = { address: '127.0.0.1', port: 5005, family: 'IPv4' };
  return {
    sent,
    deliver(data, port = 40000) {
      events!.datagram({ data, receiveTime: 1n, sender: { address: '127.0.0.1', port, family: 'IPv4' } });
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
