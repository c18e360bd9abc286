/**
 * Small UDP servers for the client's unit tests, on loopback port 0: one that answers exactly as tockd
 * does (the protocol package's `handle()`), and hooks to make it misbehave.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import {
  createHandlerContext,
  type HandlerOptions,
  handle,
  type Instant,
  instantFromMs,
} from '@tock/protocol';

/** A request the server received. */
export interface Received {
  readonly bytes: Buffer;
  readonly from: dgram.RemoteInfo;
  /** `performance.now()` when it arrived, for checking retry spacing. */
  readonly at: number;
}

/** Decides what to do with request number `index` (0-based). */
export type Responder = (request: Received, index: number, server: FakeServer) => void;

export interface FakeServer {
  readonly address: string;
  readonly port: number;
  /** `host:port` or `[v6]:port`. */
  readonly target: string;
  readonly socket: dgram.Socket;
  /** Every request received so far. */
  readonly received: Received[];
  /** Sends `bytes` to `to` from this server's socket. */
  send(bytes: Uint8Array, to: { address: string; port: number }): Promise<void>;
  /** Resolves when `count` requests have arrived in total. */
  waitForRequests(count: number): Promise<void>;
  close(): Promise<void>;
}

/** Anchors the clock at the moment `Date.now()` ticks, so that the anchor is the wall time to within a few µs. */
function anchorAtTick(): { wallMs: number; perfMs: number } {
  const start = Date.now();
  let wall = start;
  let perf = performance.now();
  while (wall === start) {
    perf = performance.now();
    wall = Date.now();
  }
  return { wallMs: wall, perfMs: perf };
}

let anchor = anchorAtTick();

/**
 * The wall clock the fake tockd serves, independent of the client's clock: the wall time when `Date.now()`
 * last ticked at anchoring, plus the `performance.now()` time since. It anchors again when the system clock
 * was stepped, that is when it has left [Date.now() - 1 ms, Date.now() + 2 ms). (Never anchoring again drifts:
 * 2.4 ms seen over one CI run.)
 */
export const serverClock = (): Instant => {
  let ms = anchor.wallMs + (performance.now() - anchor.perfMs);
  const wall = Date.now();
  if (ms < wall - 1 || ms >= wall + 2) {
    anchor = anchorAtTick();
    ms = anchor.wallMs + (performance.now() - anchor.perfMs);
  }
  return instantFromMs(ms);
};

/** Answers like tockd: `handle()` with `createHandlerContext()`, optionally with a skewed clock. */
export function tockResponder(options: HandlerOptions & { skewMs?: number } = {}): Responder {
  const { skewMs = 0, ...handlerOptions } = options;
  const clock = (): Instant => serverClock() + BigInt(Math.round(skewMs * 1e6));
  const context = createHandlerContext(clock, handlerOptions);
  return (request, _index, server) => {
    const result = handle(new Uint8Array(request.bytes), clock(), context);
    if (result.action === 'reply') void server.send(result.bytes, request.from);
  };
}

/** Never answers. */
export const silentResponder: Responder = () => {};

export async function startFakeServer(respond: Responder, host = '127.0.0.1'): Promise<FakeServer> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  // The client may close its port before a late reply arrives; the ICMP error then lands here.
  socket.on('error', () => {});
  socket.bind(0, host);
  await once(socket, 'listening');
  const { port } = socket.address();
  const received: Received[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let closed = false;
  const server: FakeServer = {
    address: host,
    port,
    target: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    socket,
    received,
    send: (bytes, to) =>
      new Promise((resolve) => {
        if (closed) return resolve();
        socket.send(bytes, to.port, to.address, () => resolve());
      }),
    waitForRequests: (count) =>
      received.length >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
  socket.on('message', (bytes, from) => {
    const request = { bytes, from, at: performance.now() };
    received.push(request);
    respond(request, received.length - 1, server);
    for (const w of waiters.filter((w) => received.length >= w.count)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  return server;
}

/** Number of UDP handles this process holds (`UDPWrap` in `process.getActiveResourcesInfo()`). */
export function udpHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'UDPWrap').length;
}

/**
 * Waits until the process holds at most `expected` UDP handles. A closed socket's handle goes away in the
 * event loop's close phase right after `close` is emitted; this waits a bounded number of loop turns for
 * it (a leaked socket never goes away) and returns the count seen last.
 */
export async function settledUdpHandles(expected: number): Promise<number> {
  for (let turn = 0; turn < 20 && udpHandles() > expected; turn++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return udpHandles();
}
