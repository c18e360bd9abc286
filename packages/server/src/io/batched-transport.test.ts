import { createSocket, type Socket } from 'node:dgram';
import { parseAddress } from '@tock/protocol';
import { loadBatchedUdp } from '@tock/udp';
import { afterEach, describe, expect, it } from 'vitest';
import { type BatchedTransport, createBatchedTransport } from './batched-transport.ts';
import type { Endpoint, ReceivedDatagram, TransportEvents } from './transport.ts';

const loaded = loadBatchedUdp();

interface Recorded {
  readonly data: Uint8Array;
  readonly receiveTime: bigint;
  readonly sender: Endpoint;
}

function recordingEvents() {
  const datagrams: Recorded[] = [];
  const sendErrors: Error[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let onSendError: (() => void) | undefined;
  let reply: ((d: ReceivedDatagram) => void) | undefined;
  const events: TransportEvents = {
    datagram: (d) => {
      datagrams.push({ data: Uint8Array.from(d.data), receiveTime: d.receiveTime, sender: { ...d.sender } });
      reply?.(d);
      for (const w of waiters) if (datagrams.length >= w.count) w.resolve();
    },
    sendError: (e) => {
      sendErrors.push(e);
      onSendError?.();
    },
    socketError: () => undefined,
  };
  return {
    events,
    datagrams,
    sendErrors,
    onDatagram: (f: (d: ReceivedDatagram) => void) => {
      reply = f;
    },
    received: (count: number): Promise<void> =>
      new Promise((resolve) => {
        if (datagrams.length >= count) resolve();
        else waiters.push({ count, resolve });
      }),
    nextSendError: (): Promise<void> =>
      new Promise((resolve) => {
        onSendError = resolve;
      }),
  };
}

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function client(type: 'udp4' | 'udp6' = 'udp4', host = '127.0.0.1'): Promise<Socket> {
  const socket = createSocket(type);
  open.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  return socket;
}

function transport(
  rec: ReturnType<typeof recordingEvents>,
  extra: { host?: string; port?: number; reusePort?: boolean; clock?: () => bigint } = {},
  receiveTime?: 'kernel' | 'clock',
): BatchedTransport {
  const t = createBatchedTransport(
    {
      host: extra.host ?? '127.0.0.1',
      port: extra.port ?? 0,
      clock: extra.clock ?? (() => 0n),
      events: rec.events,
      ...(extra.reusePort === undefined ? {} : { reusePort: extra.reusePort }),
    },
    receiveTime === undefined ? {} : { receiveTime },
  );
  open.push(t);
  return t;
}

describe.runIf(loaded.ok)('createBatchedTransport (the native addon loaded)', () => {
  it('delivers datagrams with their sender and the kernel receive time, and replies reach the sender', async () => {
    const rec = recordingEvents();
    const t = transport(rec);
    rec.onDatagram((d) => t.send(Uint8Array.from([...d.data].reverse()), d.sender));
    const { port, family } = await t.bind();
    expect(family).toBe('IPv4');
    const c = await client();
    const reply = new Promise<Buffer>((resolve) => c.once('message', resolve));
    const before = BigInt(Date.now()) * 1_000_000n;
    c.send('hello', port, '127.0.0.1');
    expect((await reply).toString()).toBe('olleh');
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    const d = rec.datagrams[0]!;
    expect(new TextDecoder().decode(d.data)).toBe('hello');
    expect(d.sender).toEqual({ address: '127.0.0.1', port: c.address().port, family: 'IPv4' });
    // CLOCK_REALTIME from the kernel, in ns: between the two wall-clock reads (1 ms resolution).
    expect(d.receiveTime).toBeGreaterThanOrEqual(before - 1_000_000n);
    expect(d.receiveTime).toBeLessThanOrEqual(after);
    expect(t.stats()).toMatchObject({ datagrams: 1, truncated: 0, noTimestamp: 0 });
  });

  it("gives the sender's address as the words parseAddress makes of its text, without the text", async () => {
    const sources: Array<{ text: string; words: number[] }> = [];
    const rec = recordingEvents();
    const events: TransportEvents = {
      ...rec.events,
      datagram: (d) => {
        sources.push({ text: d.sender.address, words: [...(d.source ?? [])] });
        rec.events.datagram(d);
      },
    };
    const t = createBatchedTransport({ host: '::', port: 0, clock: () => 0n, events });
    open.push(t);
    const { port } = await t.bind();
    const c4 = await client('udp4');
    const c6 = await client('udp6', '::1');
    c4.send('four', port, '127.0.0.1');
    c6.send('six', port, '::1');
    await rec.received(2);
    expect(sources.map((s) => s.text).sort()).toEqual(['::1', '::ffff:127.0.0.1']);
    for (const { text, words } of sources) {
      const expected = new Uint32Array(5);
      parseAddress(text, expected);
      expect(words, text).toEqual([...expected]);
    }
    // An IPv4 client of a dual-stack socket counts as its IPv4 address.
    expect(sources.find((s) => s.text === '::ffff:127.0.0.1')?.words).toEqual([4, 0x7f00_0001, 0, 0, 0]);
  });

  it('with receiveTime clock, stamps datagrams from the given clock', async () => {
    const rec = recordingEvents();
    const t = transport(rec, { clock: () => 42n }, 'clock');
    const { port } = await t.bind();
    const c = await client();
    c.send('x', port, '127.0.0.1');
    await rec.received(1);
    expect(rec.datagrams[0]?.receiveTime).toBe(42n);
  });

  it('answers IPv4 clients of a dual-stack socket as ::ffff:127.0.0.1, and IPv6 clients', async () => {
    const rec = recordingEvents();
    const t = transport(rec, { host: '::' });
    rec.onDatagram((d) => t.send(d.data, d.sender));
    const { port, family } = await t.bind();
    expect(family).toBe('IPv6');
    const c4 = await client('udp4');
    const c6 = await client('udp6', '::1');
    const r4 = new Promise<Buffer>((resolve) => c4.once('message', resolve));
    const r6 = new Promise<Buffer>((resolve) => c6.once('message', resolve));
    c4.send('four', port, '127.0.0.1');
    c6.send('six', port, '::1');
    expect((await r4).toString()).toBe('four');
    expect((await r6).toString()).toBe('six');
    const senders = rec.datagrams.map((d) => d.sender.address).sort();
    expect(senders).toEqual(['::1', '::ffff:127.0.0.1']);
  });

  it('answers every datagram of a burst larger than one batch, each to its sender', async () => {
    const rec = recordingEvents();
    const t = transport(rec);
    rec.onDatagram((d) => t.send(d.data, d.sender));
    const { port } = await t.bind();
    const clients = await Promise.all([client(), client(), client()]);
    // 150 datagrams: more than two batches, fewer than the default receive buffer holds (about 250 small ones).
    const perClient = 50;
    const replies = clients.map(
      (c) =>
        new Promise<string[]>((resolve) => {
          const got: string[] = [];
          c.on('message', (m) => {
            got.push(m.toString());
            if (got.length === perClient) resolve(got);
          });
        }),
    );
    for (let i = 0; i < perClient; i++) {
      for (const [k, c] of clients.entries()) c.send(`${k}:${i}`, port, '127.0.0.1');
    }
    const got = await Promise.all(replies);
    for (const [k, messages] of got.entries()) {
      expect(new Set(messages)).toEqual(new Set(Array.from({ length: perClient }, (_, i) => `${k}:${i}`)));
    }
    expect(t.stats()?.datagrams).toBe(3 * perClient);
  });

  it('cuts datagrams larger than a slot at the slot (1032 bytes) and counts them as truncated', async () => {
    const rec = recordingEvents();
    const t = transport(rec);
    const { port } = await t.bind();
    const c = await client();
    const sizes = [1, 1024, 1032, 1033, 9000, 65_507];
    for (const size of sizes) c.send(new Uint8Array(size).fill(size % 251), port, '127.0.0.1');
    await rec.received(sizes.length);
    expect(rec.datagrams.map((d) => d.data.length)).toEqual([1, 1024, 1032, 1032, 1032, 1032]);
    expect(rec.datagrams.map((d) => d.data.every((b) => b === d.data[0]))).toEqual(sizes.map(() => true));
    expect(t.stats()?.truncated).toBe(3);
  });

  it('reports send failures as events instead of throwing: a bad port, an oversized reply, a closed socket', async () => {
    const rec = recordingEvents();
    const t = transport(rec);
    const self = await t.bind();
    const failed = rec.nextSendError();
    t.send(Uint8Array.of(1), { ...self, port: 0 });
    await failed;
    expect(rec.sendErrors).toHaveLength(1);
    t.send(new Uint8Array(70_000), self);
    expect(rec.sendErrors).toHaveLength(2);
    expect((rec.sendErrors[1] as NodeJS.ErrnoException).code).toBe('EMSGSIZE');
    t.send(Uint8Array.of(1), { address: 'not-an-address', port: 1, family: 'IPv4' });
    expect(rec.sendErrors).toHaveLength(3);
    await t.close();
    await t.close();
    t.send(Uint8Array.of(1), self);
    expect(rec.sendErrors).toHaveLength(4);
    expect(t.address()).toBeUndefined();
  });

  it('rejects bind with the OS error code when the port is taken', async () => {
    const rec = recordingEvents();
    const { port } = await transport(rec).bind();
    await expect(transport(rec, { port }).bind()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await expect(transport(rec, { host: '192.0.2.1' }).bind()).rejects.toMatchObject({
      code: 'EADDRNOTAVAIL',
    });
  });

  it('with reusePort, lets several sockets share a port; closing sends what was queued first', async () => {
    const a = recordingEvents();
    const b = recordingEvents();
    const first = transport(a, { reusePort: true });
    const { port } = await first.bind();
    expect((await transport(b, { port, reusePort: true }).bind()).port).toBe(port);
    const c = await client();
    const got = new Promise<Buffer>((resolve) => c.once('message', resolve));
    first.send(new TextEncoder().encode('bye'), {
      address: '127.0.0.1',
      port: c.address().port,
      family: 'IPv4',
    });
    await first.close();
    expect((await got).toString()).toBe('bye');
    expect(first.address()).toBeUndefined();
  });
});

describe('loadBatchedUdp', () => {
  it('loads on Linux where the addon was built, and says why not elsewhere', () => {
    if (process.platform === 'linux' && process.env.TOCK_IO_ADDON === undefined)
      expect(loaded).toMatchObject({ ok: true });
    if (!loaded.ok) expect(loaded.reason).toMatch(/batched I\/O/);
  });
});
