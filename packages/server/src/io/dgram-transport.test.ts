import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { createDgramTransport } from './dgram-transport.ts';
import type { ReceivedDatagram, TransportEvents } from './transport.ts';

function recordingEvents() {
  const datagrams: ReceivedDatagram[] = [];
  const sendErrors: Error[] = [];
  let onSendError: (() => void) | undefined;
  let onDatagram: (() => void) | undefined;
  const events: TransportEvents = {
    datagram: (d) => {
      // The payload is only valid during the call: keep a copy.
      datagrams.push({ ...d, data: Uint8Array.from(d.data) });
      onDatagram?.();
    },
    sendError: (e) => {
      sendErrors.push(e);
      onSendError?.();
    },
    socketError: () => undefined,
  };
  const nextSendError = (): Promise<void> =>
    new Promise((resolve) => {
      onSendError = resolve;
    });
  const nextDatagram = (): Promise<void> =>
    new Promise((resolve) => {
      onDatagram = resolve;
    });
  return { events, datagrams, sendErrors, nextSendError, nextDatagram };
}

describe('createDgramTransport', () => {
  it('delivers datagrams with their sender and a receive time from the clock', async () => {
    const rec = recordingEvents();
    let reads = 0;
    const transport = createDgramTransport({
      host: '127.0.0.1',
      port: 0,
      clock: () => BigInt(++reads),
      events: rec.events,
    });
    const { port, family } = await transport.bind();
    expect(family).toBe('IPv4');
    const client = createSocket('udp4');
    try {
      await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
      const arrived = rec.nextDatagram();
      client.send('hello', port, '127.0.0.1');
      await arrived;
      expect(rec.datagrams[0]).toMatchObject({
        receiveTime: 1n,
        sender: { address: '127.0.0.1', port: client.address().port, family: 'IPv4' },
      });
      expect(new TextDecoder().decode(rec.datagrams[0]!.data)).toBe('hello');
    } finally {
      client.close();
      await transport.close();
    }
  });

  it('reports send failures as events instead of throwing: a bad port, an oversized datagram, a closed socket', async () => {
    const rec = recordingEvents();
    const transport = createDgramTransport({
      host: '127.0.0.1',
      port: 0,
      clock: () => 0n,
      events: rec.events,
    });
    const self = await transport.bind();
    transport.send(Uint8Array.of(1), { ...self, port: 0 });
    expect(rec.sendErrors).toHaveLength(1);
    const failed = rec.nextSendError();
    transport.send(new Uint8Array(70_000), self); // larger than any UDP datagram: EMSGSIZE from the kernel
    await failed;
    expect(rec.sendErrors).toHaveLength(2);
    expect((rec.sendErrors[1] as NodeJS.ErrnoException).code).toBe('EMSGSIZE');
    await transport.close();
    await transport.close();
    transport.send(Uint8Array.of(1), self);
    expect(rec.sendErrors).toHaveLength(3);
    expect(transport.address()).toBeUndefined();
  });

  it('rejects bind with the OS error code when the port is taken', async () => {
    const rec = recordingEvents();
    const first = createDgramTransport({ host: '127.0.0.1', port: 0, clock: () => 0n, events: rec.events });
    const { port } = await first.bind();
    const second = createDgramTransport({ host: '127.0.0.1', port, clock: () => 0n, events: rec.events });
    await expect(second.bind()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await second.close();
    await first.close();
  });

  it('with reusePort, lets several sockets share a port; closing lets replies already sent arrive', async () => {
    const a = recordingEvents();
    const b = recordingEvents();
    const first = createDgramTransport({
      host: '127.0.0.1',
      port: 0,
      clock: () => 0n,
      events: a.events,
      reusePort: true,
    });
    const { port } = await first.bind();
    const second = createDgramTransport({
      host: '127.0.0.1',
      port,
      clock: () => 0n,
      events: b.events,
      reusePort: true,
    });
    expect((await second.bind()).port).toBe(port);
    const client = createSocket('udp4');
    try {
      await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
      const got = new Promise<Buffer>((resolve) => client.once('message', resolve));
      first.send(new TextEncoder().encode('bye'), {
        address: '127.0.0.1',
        port: client.address().port,
        family: 'IPv4',
      });
      await first.close();
      expect((await got).toString()).toBe('bye');
      expect(first.address()).toBeUndefined();
    } finally {
      client.close();
      await second.close();
    }
  });
});
