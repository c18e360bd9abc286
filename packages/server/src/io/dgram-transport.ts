import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Endpoint, Transport, TransportOptions } from './transport.ts';

/**
 * The {@link Transport} on `node:dgram`: one UDP socket, one datagram per callback. `udp6` for IPv6 hosts
 * (dual stack for `::`, so IPv4 clients are answered too, seen as `::ffff:a.b.c.d`), `udp4` otherwise.
 * `reuseAddr` is off: a second server on the same port fails with EADDRINUSE instead of sharing it.
 */
export function createDgramTransport(options: TransportOptions): Transport {
  const { host, port, clock, events } = options;
  const ipv6 = isIP(host) === 6;
  let socket: Socket | undefined;
  let bound = false;
  let closed: Promise<void> | undefined;

  const onSent = (error: Error | null): void => {
    if (error) events.sendError(error);
  };

  return {
    bind(): Promise<Endpoint> {
      return new Promise<Endpoint>((resolve, reject) => {
        let binding = true;
        const s = createSocket({ type: ipv6 ? 'udp6' : 'udp4', reuseAddr: false, ipv6Only: false });
        socket = s;
        s.on('message', (data: Buffer, rinfo: RemoteInfo) => {
          const receiveTime = clock();
          events.datagram({
            data,
            receiveTime,
            sender: {
              address: rinfo.address,
              port: rinfo.port,
              family: rinfo.family === 'IPv6' ? 'IPv6' : 'IPv4',
            },
          });
        });
        s.on('error', (error: Error) => {
          if (!binding) {
            events.socketError(error);
            return;
          }
          binding = false;
          closeQuietly(s);
          socket = undefined;
          reject(error);
        });
        try {
          s.bind({ address: host, port }, () => {
            binding = false;
            bound = true;
            resolve(endpointOf(s));
          });
        } catch (error) {
          binding = false;
          closeQuietly(s);
          socket = undefined;
          reject(error);
        }
      });
    },

    send(bytes: Uint8Array, to: Endpoint): void {
      try {
        if (socket === undefined) throw new Error('the socket is not bound');
        socket.send(bytes, to.port, to.address, onSent);
      } catch (error) {
        events.sendError(error instanceof Error ? error : new Error(String(error)));
      }
    },

    address(): Endpoint | undefined {
      return socket !== undefined && bound ? endpointOf(socket) : undefined;
    },

    close(): Promise<void> {
      if (closed === undefined) {
        const s = socket;
        socket = undefined;
        bound = false;
        closed =
          s === undefined ? Promise.resolve() : new Promise<void>((resolve) => closeQuietly(s, resolve));
      }
      return closed;
    },
  };
}

function endpointOf(socket: Socket): Endpoint {
  const a = socket.address();
  return { address: a.address, port: a.port, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4' };
}

function closeQuietly(socket: Socket, done?: () => void): void {
  try {
    socket.close(done);
  } catch {
    // Already closed.
    done?.();
  }
}
