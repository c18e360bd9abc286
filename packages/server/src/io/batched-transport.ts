import type { Instant } from '@tock/protocol';
import {
  createPayloadReader,
  EMSGSIZE,
  loadBatchedUdp,
  type NativeSocket,
  type NativeStats,
  systemError,
} from '@tock/udp';
import type { Endpoint, ReceivedDatagram, Transport, TransportOptions } from './transport.ts';

/** How {@link createBatchedTransport} stamps datagrams. */
export interface BatchedTransportOptions {
  /**
   * `kernel` (default): the time the kernel took the datagram in (`SO_TIMESTAMPNS`, CLOCK_REALTIME), for
   * the system clock. `clock`: the transport options' clock, read as the batch is handed on (for a custom
   * clock, as in tests, whose time the kernel does not know).
   */
  readonly receiveTime?: 'kernel' | 'clock';
}

/**
 * The {@link Transport} on the batched native addon (Linux): one non-blocking UDP socket that libuv polls;
 * when it is readable the addon takes up to a batch of datagrams with one `recvmmsg`, each with the kernel's
 * receive timestamp, and hands them over in one call. The replies sent while a batch is handed on leave
 * together in one `sendmmsg` at its end. Binds like the `node:dgram` transport: `::` is dual stack (IPv4
 * clients seen as `::ffff:a.b.c.d`), `reusePort` as asked.
 *
 * A datagram longer than its slot (1032 bytes) is cut at the slot and handed on with length 1032, which the
 * server drops as oversized; the addon never writes or reads past a slot. Per datagram, JavaScript allocates
 * the sender object only (its address string is reused while senders repeat) and the payload view when its
 * length changes; the sender's address reaches the rate limiter as words read from the kernel's binary
 * address (`source`), never as text.
 *
 * @throws nothing: when the addon did not load, `bind()` rejects with the reason.
 */
export function createBatchedTransport(
  options: TransportOptions,
  batched: BatchedTransportOptions = {},
): BatchedTransport {
  const { host, port, clock, events } = options;
  const kernelTime = batched.receiveTime !== 'clock';
  const loaded = loadBatchedUdp();
  let socket: NativeSocket | undefined;
  let closing = false;
  let closed: Promise<void> | undefined;

  if (!loaded.ok) {
    return {
      bind: () => Promise.reject(new Error(loaded.reason)),
      send: () => events.sendError(new Error('the socket is not bound')),
      address: () => undefined,
      close: () => Promise.resolve(),
      stats: () => undefined,
    };
  }
  const native = loaded.binding;
  const { BATCH, SEND_SLOT, META, RECV_META_OFF, SEND_DATA_OFF, SEND_META_OFF } = native;
  const buffer = new ArrayBuffer(native.BUFFER_BYTES);
  const u8 = new Uint8Array(buffer);
  const u16 = new Uint16Array(buffer);
  const i32 = new Int32Array(buffer);
  const i64 = new BigInt64Array(buffer);
  /** Each receive slot's payload, as a view kept while datagrams there have the same length. */
  const payload = createPayloadReader(native, buffer);

  // The last sender's address, so that its string is only made again when the sender changes.
  let lastFamily = -1;
  let lastA = 0;
  let lastB = 0;
  let lastC = 0;
  let lastD = 0;
  let lastScope = 0;
  let lastAddress = '';

  /** The sender of the datagram being handed on, and its receive slot's meta offset (-1 outside a batch). */
  let current: Endpoint | undefined;
  let currentMeta = -1;
  let sendCount = 0;
  let flushQueued = false;
  let lastStats: NativeStats | undefined;

  const dataView = new DataView(buffer);
  const received: { data: Uint8Array; receiveTime: Instant; sender: Endpoint; source: Uint32Array } = {
    data: new Uint8Array(0),
    receiveTime: 0n,
    sender: { address: '', port: 0, family: 'IPv4' },
    source: new Uint32Array(5),
  };
  const source = received.source;
  const datagram: ReceivedDatagram = received;

  function addressAt(meta: number, family: number): string {
    const w = (meta + 20) >> 2;
    const a = i32[w] as number;
    const b = i32[w + 1] as number;
    const c = i32[w + 2] as number;
    const d = i32[w + 3] as number;
    const scope = i32[(meta + 36) >> 2] as number;
    if (
      family === lastFamily &&
      a === lastA &&
      b === lastB &&
      c === lastC &&
      d === lastD &&
      scope === lastScope
    ) {
      return lastAddress;
    }
    const text = native.ntop(buffer, meta);
    lastAddress = scope !== 0 ? `${text}%${scope >>> 0}` : text;
    lastFamily = family;
    lastA = a;
    lastB = b;
    lastC = c;
    lastD = d;
    lastScope = scope;
    return lastAddress;
  }

  /**
   * Writes the sender's address of the meta at `meta` into `source` as the protocol's `parseAddress` words
   * (most significant first; an IPv4-mapped IPv6 address as IPv4), straight from the kernel's network-order
   * bytes: no text.
   */
  function sourceAt(meta: number, family: number): void {
    const at = meta + 20;
    if (family === 4) {
      source[0] = 4;
      source[1] = dataView.getUint32(at, false);
      source[2] = 0;
      source[3] = 0;
      source[4] = 0;
      return;
    }
    if (family !== 6) {
      source[0] = 0;
      return;
    }
    const w0 = dataView.getUint32(at, false);
    const w1 = dataView.getUint32(at + 4, false);
    const w2 = dataView.getUint32(at + 8, false);
    const w3 = dataView.getUint32(at + 12, false);
    if (w0 === 0 && w1 === 0 && w2 === 0xffff) {
      source[0] = 4;
      source[1] = w3;
      source[2] = 0;
      source[3] = 0;
      source[4] = 0;
      return;
    }
    source[0] = 6;
    source[1] = w0;
    source[2] = w1;
    source[3] = w2;
    source[4] = w3;
  }

  function onBatch(count: number): void {
    if (count < 0) {
      events.socketError(systemError(-count, 'recvmmsg'));
      return;
    }
    const n = Math.min(count, BATCH);
    const clockTime = kernelTime ? 0n : clock();
    for (let i = 0; i < n; i++) {
      const meta = RECV_META_OFF + i * META;
      // Never longer than the slot: a truncated datagram is the whole slot, which the server drops as oversized.
      const view = payload(i);
      const family = u16[(meta >> 1) + 8] as number;
      const sender: Endpoint = {
        address: addressAt(meta, family),
        port: u16[(meta >> 1) + 9] as number,
        family: family === 6 ? 'IPv6' : 'IPv4',
      };
      received.data = view;
      received.receiveTime = kernelTime ? (i64[meta >> 3] as bigint) : clockTime;
      received.sender = sender;
      sourceAt(meta, family);
      current = sender;
      currentMeta = meta;
      events.datagram(datagram);
    }
    current = undefined;
    currentMeta = -1;
    flush();
  }

  function flush(): void {
    flushQueued = false;
    const count = sendCount;
    if (count === 0 || socket === undefined) return;
    sendCount = 0;
    let failed: number;
    try {
      failed = socket.send(count);
    } catch (error) {
      events.sendError(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (failed === 0) return;
    for (let i = 0; i < count; i++) {
      const errno = i32[((SEND_META_OFF + i * META) >> 2) + 10] as number;
      if (errno !== 0) events.sendError(systemError(errno, 'sendmmsg'));
    }
  }

  function address(): Endpoint | undefined {
    if (socket === undefined || closing) return undefined;
    try {
      const a = socket.address();
      return { address: a.address, port: a.port, family: a.family === 6 ? 'IPv6' : 'IPv4' };
    } catch {
      return undefined;
    }
  }

  return {
    bind(): Promise<Endpoint> {
      if (socket !== undefined || closing) return Promise.reject(new Error('bind() may be called once'));
      try {
        socket = native.open(host, port, options.reusePort === true, buffer, onBatch);
      } catch (error) {
        return Promise.reject(error);
      }
      const bound = address();
      return bound === undefined ? Promise.reject(new Error('the socket closed')) : Promise.resolve(bound);
    },

    send(bytes: Uint8Array, to: Endpoint): void {
      if (socket === undefined || closing) {
        events.sendError(new Error('the socket is not bound'));
        return;
      }
      if (bytes.length > SEND_SLOT) {
        events.sendError(systemError(EMSGSIZE, 'sendmmsg'));
        return;
      }
      if (sendCount === BATCH) flush();
      const meta = SEND_META_OFF + sendCount * META;
      if (to === current && currentMeta >= 0) {
        // A reply to the datagram being handed on: copy its family, port, address and scope as received.
        u8.copyWithin(meta + 16, currentMeta + 16, currentMeta + 40);
      } else {
        if (native.pton(to.address, buffer, meta) === 0) {
          events.sendError(Object.assign(new Error(`not an IP address: ${to.address}`), { code: 'EINVAL' }));
          return;
        }
        u16[(meta >> 1) + 9] = to.port;
      }
      u8.set(bytes, SEND_DATA_OFF + sendCount * SEND_SLOT);
      i32[(meta >> 2) + 2] = bytes.length;
      sendCount++;
      if (currentMeta < 0 && !flushQueued) {
        // Outside a batch: send at the end of this turn of the event loop, with whatever else is sent in it.
        flushQueued = true;
        queueMicrotask(flush);
      }
    },

    address,

    close(): Promise<void> {
      if (closed === undefined) {
        // sendmmsg hands replies to the kernel synchronously: once the queue is flushed, nothing is in flight.
        flush();
        closing = true;
        lastStats = socket?.stats();
        socket?.close();
        socket = undefined;
        closed = Promise.resolve();
      }
      return closed;
    },

    stats: () => socket?.stats() ?? lastStats,
  };
}

/** A batched transport, which also reports its socket's counters (for tests and benchmarks). */
export interface BatchedTransport extends Transport {
  /** The native socket's counters: `undefined` before bind (or when the addon did not load). */
  stats(): NativeStats | undefined;
}
