import { createSocket, type Socket } from 'node:dgram';

/** A UDP client for tests: send datagrams, await the next reply (in arrival order), with a timeout. */
export interface UdpClient {
  /** Sends to `host` (default: the loopback address of the client's family). */
  send(bytes: Uint8Array | string, port: number, host?: string): void;
  /** The next datagram received; rejects after `timeoutMs` when none comes. */
  next(timeoutMs?: number): Promise<Buffer>;
  /** The datagrams received and not yet taken by `next`, taking them all. */
  drain(): Buffer[];
  /** The address and port the client is bound to. */
  address(): { address: string; port: number };
  close(): Promise<void>;
}

/**
 * Binds a client socket on the loopback address of `family` (a random port), or on `local`: any address of
 * 127.0.0.0/8 is this machine too, so a test can play many distinct sources.
 */
export async function udpClient(family: 4 | 6 = 4, local?: string): Promise<UdpClient> {
  const socket: Socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  const loopback = family === 6 ? '::1' : '127.0.0.1';
  const queue: Buffer[] = [];
  const waiters: Array<(message: Buffer) => void> = [];
  socket.on('message', (message) => {
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, local ?? loopback, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    send(bytes, port, host = loopback) {
      socket.send(bytes, port, host);
    },
    next(timeoutMs = 2000) {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise<Buffer>((resolve, reject) => {
        const waiter = (message: Buffer): void => {
          clearTimeout(timer);
          resolve(message);
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no reply within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    drain() {
      return queue.splice(0);
    },
    address() {
      return socket.address();
    },
    close() {
      return new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

/** Sends one datagram from a fresh socket and resolves with the first reply. */
export async function exchange(
  bytes: Uint8Array | string,
  port: number,
  host = '127.0.0.1',
): Promise<Buffer> {
  const client = await udpClient(host.includes(':') ? 6 : 4);
  try {
    client.send(bytes, port, host);
    return await client.next();
  } finally {
    await client.close();
  }
}
