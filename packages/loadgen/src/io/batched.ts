import {
  createPayloadReader,
  EMSGSIZE,
  META_FIELDS,
  type NativeBinding,
  type NativeSocket,
  systemError,
} from '@tock/udp';
import type { ClientIo, ClientSocket, ClientSocketHandlers, IoTarget } from './types.ts';

/**
 * Client sockets on the batched native addon (`@tock/udp`, Linux): one non-blocking socket per client, bound
 * to a fresh port of the wildcard address, which libuv polls; when one is readable the addon reads what is
 * waiting with one `recvmmsg`. Every socket of the engine shares ONE buffer of the addon's layout (about
 * 200 KB, however many clients): the addon only touches it inside `send()` and just before a socket's batch
 * callback, and both are consumed synchronously here (a reply is handed on as a view of its receive slot
 * during the callback; a request is copied into send slot 0 and sent at once), so sockets never see each
 * other's datagrams.
 *
 * The sockets are not connected (the addon has no `connect`): datagrams whose source is not the server's
 * address and port are dropped here, as the kernel drops them for a connected socket. For the same reason
 * the kernel reports no ICMP errors, such as port unreachable, to them: with nothing listening, requests are
 * lost without socket errors. Refused sends and receive errors count as socket errors.
 *
 * Per datagram nothing is allocated here: replies are views of their receive slot, kept while datagrams
 * there have the same length, and the server's address is written into the send meta once.
 * @throws Error when `target.address` is not an IP address.
 */
export function createBatchedIo(binding: NativeBinding, target: IoTarget): ClientIo {
  const { BATCH, SEND_SLOT, META, RECV_META_OFF, SEND_DATA_OFF, SEND_META_OFF } = binding;
  const buffer = new ArrayBuffer(binding.BUFFER_BYTES);
  const u16 = new Uint16Array(buffer);
  const i32 = new Int32Array(buffer);

  // Every request goes out of send slot 0, whose destination (family, port, address) is written once: the
  // addon only writes the errno field of a send meta, and this module only its length.
  if (binding.pton(target.address, buffer, SEND_META_OFF) === 0) {
    throw new Error(`not an IP address: ${target.address}`);
  }
  u16[(SEND_META_OFF + META_FIELDS.port) >> 1] = target.port;
  const sendData = new Uint8Array(buffer, SEND_DATA_OFF, SEND_SLOT);
  const sendLengthAt = (SEND_META_OFF + META_FIELDS.length) >> 2;
  const sendErrnoAt = (SEND_META_OFF + META_FIELDS.errno) >> 2;

  // The server as a receive meta names it: replies from anywhere else are not for us.
  const serverFamily = u16[(SEND_META_OFF + META_FIELDS.family) >> 1]!;
  const serverPort = target.port;
  const addressAt = (SEND_META_OFF + META_FIELDS.address) >> 2;
  const a0 = i32[addressAt]!;
  const a1 = i32[addressAt + 1]!;
  const a2 = i32[addressAt + 2]!;
  const a3 = i32[addressAt + 3]!;

  /** Each receive slot's payload, as a view kept while datagrams there have the same length. */
  const payload = createPayloadReader(binding, buffer);
  const bindHost = target.family === 6 ? '::' : '0.0.0.0';

  return {
    name: 'batched',
    open(handlers: ClientSocketHandlers): Promise<ClientSocket> {
      let native: NativeSocket | undefined;

      const onBatch = (count: number): void => {
        if (count < 0) {
          if (native !== undefined) handlers.onError(systemError(-count, 'recvmmsg'));
          return;
        }
        const n = Math.min(count, BATCH);
        for (let i = 0; i < n && native !== undefined; i++) {
          const meta = RECV_META_OFF + i * META;
          const h = meta >> 1;
          const w = meta >> 2;
          if (
            u16[h + (META_FIELDS.port >> 1)] !== serverPort ||
            u16[h + (META_FIELDS.family >> 1)] !== serverFamily ||
            i32[w + (META_FIELDS.address >> 2)] !== a0 ||
            i32[w + (META_FIELDS.address >> 2) + 1] !== a1 ||
            i32[w + (META_FIELDS.address >> 2) + 2] !== a2 ||
            i32[w + (META_FIELDS.address >> 2) + 3] !== a3
          ) {
            continue;
          }
          // A datagram longer than its slot holds the slot's bytes only: the codecs see it as malformed, as
          // they see any datagram longer than a reply.
          handlers.onReply(payload(i));
        }
      };

      try {
        native = binding.open(bindHost, 0, false, buffer, onBatch);
      } catch (error) {
        return Promise.reject(error);
      }
      const socket: ClientSocket = {
        send(bytes: Uint8Array): void {
          if (native === undefined) return;
          const length = bytes.length;
          if (length > SEND_SLOT) {
            handlers.onError(systemError(EMSGSIZE, 'sendmmsg'));
            return;
          }
          sendData.set(bytes);
          i32[sendLengthAt] = length;
          let failed: number;
          try {
            failed = native.send(1);
          } catch (error) {
            handlers.onError(error instanceof Error ? error : new Error(String(error)));
            return;
          }
          if (failed !== 0) handlers.onError(systemError(i32[sendErrnoAt]!, 'sendmmsg'));
        },
        close(): void {
          const closing = native;
          native = undefined;
          closing?.close();
        },
      };
      return Promise.resolve(socket);
    },
  };
}
