import type { Clock, Instant } from '@tock/protocol';

/** An IP address and UDP port, as a socket reports them. */
export interface Endpoint {
  /** The IP address: `127.0.0.1`, `::1`, `::ffff:127.0.0.1` (an IPv4 client of a dual-stack socket). */
  readonly address: string;
  /** The UDP port. */
  readonly port: number;
  /** The address family; an IPv4 client of a dual-stack socket shows as `IPv6`. */
  readonly family: 'IPv4' | 'IPv6';
}

/**
 * One datagram as it arrived. Only valid during the {@link TransportEvents.datagram} call: a transport may
 * reuse this object and the payload's memory for the next datagram (copy what you keep).
 */
export interface ReceivedDatagram {
  /** The payload. */
  readonly data: Uint8Array;
  /**
   * When it arrived: the kernel's receive timestamp (the batched transport, with the system clock), or the
   * clock as read first thing on receiving it (`node:dgram`, or a custom clock).
   */
  readonly receiveTime: Instant;
  /** Who sent it, where a reply goes. */
  readonly sender: Endpoint;
  /**
   * The sender's address as words, `[family, w0, w1, w2, w3]` as the protocol's `parseAddress` gives them
   * (an IPv4 client of a dual-stack socket as IPv4), for the rate limiter: the batched transport fills it
   * from the kernel's binary address, the `node:dgram` one parses the text once. A transport that leaves it
   * out has `sender.address` parsed by the server.
   */
  readonly source?: Uint32Array;
}

/** What a transport reports to the server. None of these may throw. */
export interface TransportEvents {
  /** A datagram arrived. */
  datagram(datagram: ReceivedDatagram): void;
  /** The OS refused to send a datagram (EPERM, ENOBUFS, EMSGSIZE, …). The transport stays usable. */
  sendError(error: Error): void;
  /** The socket reported an error outside a send or bind. The transport stays usable. */
  socketError(error: Error): void;
}

/** What a transport is created with. */
export interface TransportOptions {
  /** The IP address to bind: IPv4 or IPv6; `::` means every IPv6 and IPv4 address (dual stack). */
  readonly host: string;
  /** The UDP port to bind; 0 lets the OS pick a free one. */
  readonly port: number;
  /** Read once per datagram, as soon as it arrives, for its receive time (unless the kernel stamps it). */
  readonly clock: Clock;
  /** Where to report datagrams and errors. */
  readonly events: TransportEvents;
  /**
   * Share the port with other sockets that set this too (`SO_REUSEPORT`): the kernel spreads clients over
   * them, one socket per worker thread. Only some platforms support it (Linux, FreeBSD); elsewhere binding
   * fails. Default false: a second socket on the port fails with EADDRINUSE.
   */
  readonly reusePort?: boolean;
}

/**
 * A bound UDP socket as the server sees it: datagrams in (with their receive time and sender), bytes out.
 * The server core only talks to this interface, and each worker thread has its own transport, so that a
 * batched native socket (recvmmsg/sendmmsg) can replace the first implementation, `node:dgram`, one
 * worker at a time.
 */
export interface Transport {
  /** Binds the socket; resolves with the bound address, rejects with the OS error (its `code` set). */
  bind(): Promise<Endpoint>;
  /** Sends `bytes` to `to`. Never throws: failures go to {@link TransportEvents.sendError}. */
  send(bytes: Uint8Array, to: Endpoint): void;
  /** The bound address, or `undefined` before bind or after close. */
  address(): Endpoint | undefined;
  /**
   * Closes the socket: from now on {@link Transport.send} fails; replies already handed to `send` that the
   * OS has not taken yet are given up to a second to leave; then the socket is closed and the port
   * released. Datagrams may still be delivered until then. Safe to call at any time, more than once.
   */
  close(): Promise<void>;
}

/** Creates a transport; {@link createServer} calls it once, from `listen()`. */
export type TransportFactory = (options: TransportOptions) => Transport;
