import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freeTcpPort, freeUdpPort } from '../src/index.ts';

async function bindUdp(port: number, host: string): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
  socket.bind(port, host);
  await Promise.race([
    once(socket, 'listening'),
    once(socket, 'error').then(([e]) => {
      throw e;
    }),
  ]);
  return socket;
}

describe('freeUdpPort', () => {
  it('hands out a port that can be bound on 127.0.0.1', async () => {
    const port = await freeUdpPort();
    expect(port).toBeGreaterThan(1023);
    const socket = await bindUdp(port, '127.0.0.1');
    expect(socket.address().port).toBe(port);
    socket.close();
  });

  it('hands out a port that is free on both 127.0.0.1 and ::1', async () => {
    const port = await freeUdpPort(['127.0.0.1', '::1']);
    const sockets = [await bindUdp(port, '127.0.0.1'), await bindUdp(port, '::1')];
    expect(sockets.map((s) => s.address().port)).toEqual([port, port]);
    for (const s of sockets) s.close();
  });
});

describe('freeTcpPort', () => {
  it('hands out a port that can be listened on', async () => {
    const port = await freeTcpPort();
    const server = net.createServer();
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    expect((server.address() as net.AddressInfo).port).toBe(port);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
