import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { parseAddress } from '@tock/protocol';
import type { Endpoint, ReceivedDatagram, Transport, TransportOptions } from './transport.ts';

/** How long {@link Transport.close} waits for queued replies to leave, in milliseconds. */
export const DRAIN_TIMEOUT_MS = 1000;

/**
 * The {@link Transport} on `node:dgram`: one UDP socket, one datagram per callback. `udp6` for IPv6 hosts
 * (dual stack for `::`, so IPv4 clients are answered too, seen as `::ffff:a.b.c.d`), `udp4` otherwise.
 * `reuseAddr` is off; `reusePort` as asked (one socket per worker thread on the same port).
 *
 * Per datagram it reads the clock and calls the server with one reused object whose sender is the
 * `RemoteInfo` node:dgram made anyway: nothing else is allocated. The sender's address is turned into words
 * for the rate limiter (`source`) once, when it differs from the previous datagram's.
 */
export function createDgramTransport(options: TransportOptions): Transport {
  const { host, port, clock, events } = options;
  const ipv6 = isIP(host) === 6;
  let socket: Socket | undefined;
  let bound = false;
  let closing = false;
  let closed: Promise<void> | undefined;
  /** Replies handed to the socket whose callback has not run yet. */
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const onSent = (error: Error | null): void => {
    inFlight--;
    if (error) events.sendError(error);
    if (inFlight === 0) drained?.();
  };
  const received: { data: Uint8Array; receiveTime: bigint; sender: Endpoint; source: Uint32Array } = {
    data: new Uint8Array(0),
    receiveTime: 0n,
    sender: { address: '', port: 0, family: 'IPv4' },
    source: new Uint32Array(5),
  };
  // The text address whose words `received.source` holds: parsed again only when the sender changes.
  let sourceAddress = '';
  const datagram: ReceivedDatagram = received;

  return {
    bind(): Promise<Endpoint> {
      return new Promise<Endpoint>((resolve, reject) => {
        let binding = true;
        const s = createSocket({
          type: ipv6 ? 'udp6' : 'udp4',
          reuseAddr: false,
          reusePort: options.reusePort === true,
          ipv6Only: false,
        });
        socket = s;
        s.on('message', (data: Buffer, rinfo: RemoteInfo) => {
          received.receiveTime = clock();
          received.data = data;
          received.sender = rinfo;
          if (rinfo.address !== sourceAddress) {
            if (parseAddress(rinfo.address, received.source) === 0) received.source[0] = 0;
            sourceAddress = rinfo.address;
          }
          events.datagram(datagram);
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
      if (socket === undefined || closing) {
        events.sendError(new Error('the socket is not bound'));
        return;
      }
      inFlight++;
      try {
        socket.send(bytes, to.port, to.address, onSent);
      } catch (error) {
        inFlight--;
        events.sendError(error instanceof Error ? error : new Error(String(error)));
      }
    },

    address(): Endpoint | undefined {
      return socket !== undefined && bound && !closing ? endpointOf(socket) : undefined;
    },

    close(): Promise<void> {
      if (closed === undefined) {
        closing = true;
        closed = (async () => {
          if (inFlight > 0) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
              drained = () => {
                clearTimeout(timer);
                resolve();
              };
            });
          }
          const s = socket;
          socket = undefined;
          bound = false;
          if (s !== undefined) await new Promise<void>((resolve) => closeQuietly(s, resolve));
        })();
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
