import { createSocket } from 'node:dgram';
import type { ClientIo, ClientSocket, ClientSocketHandlers, IoTarget } from './types.ts';

/** Receive and send buffers asked of the kernel for every `node:dgram` socket (it may give less). */
const SOCKET_BUFFER_BYTES = 1 << 20;

/**
 * Client sockets on `node:dgram`: one *connected* socket per client, so the kernel drops datagrams from any
 * other address and reports ICMP errors (`ECONNREFUSED` when nothing listens) as socket errors. Works on
 * every platform; every reply arrives in a Buffer of its own.
 */
export function createDgramIo(target: IoTarget): ClientIo {
  const type = target.family === 6 ? 'udp6' : 'udp4';
  return {
    name: 'dgram',
    open(handlers: ClientSocketHandlers): Promise<ClientSocket> {
      const socket = createSocket({ type });
      return new Promise((resolve, reject) => {
        const fail = (error: Error): void => {
          socket.close();
          reject(error);
        };
        socket.once('error', fail);
        socket.connect(target.port, target.address, () => {
          socket.off('error', fail);
          try {
            socket.setRecvBufferSize(SOCKET_BUFFER_BYTES);
            socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
          } catch {
            // The kernel's limits apply; the defaults work too.
          }
          let open = true;
          socket.on('message', (bytes) => {
            if (open) handlers.onReply(bytes);
          });
          socket.on('error', (error) => {
            if (open) handlers.onError(error);
          });
          resolve({
            send(bytes) {
              if (open) socket.send(bytes);
            },
            close() {
              if (!open) return;
              open = false;
              socket.close();
            },
          });
        });
      });
    },
  };
}
