/** How the clients' sockets move datagrams: the batched native addon (`@tock/udp`) or `node:dgram`. */
export type IoName = 'batched' | 'dgram';

/** Every {@link IoName}, the default first. */
export const IO_NAMES: readonly IoName[] = ['batched', 'dgram'];

/** The server every socket of an engine talks to. */
export interface IoTarget {
  /** IP address of the server. */
  readonly address: string;
  readonly family: 4 | 6;
  readonly port: number;
}

/** What a {@link ClientSocket} calls back with. */
export interface ClientSocketHandlers {
  /**
   * A datagram from the server. `bytes` may be a view of a buffer that is reused as soon as the call returns:
   * read it during the call, never keep it.
   */
  onReply(bytes: Uint8Array): void;
  /** An error the socket reported (a refused send, an ICMP error on a connected socket). */
  onError(error: Error): void;
}

/**
 * One client's UDP socket, which talks to the engine's server only: datagrams from any other address never
 * reach {@link ClientSocketHandlers.onReply}.
 */
export interface ClientSocket {
  /**
   * Sends one datagram to the server. Errors go to `onError`. `bytes` must not change afterwards (`node:dgram`
   * may send it later, when the kernel's queue is full).
   */
  send(bytes: Uint8Array): void;
  /** Closes the socket: no callback runs afterwards, sends are ignored. Safe to call more than once. */
  close(): void;
}

/** Opens the client sockets of one engine (one thread), all of them to the same server. */
export interface ClientIo {
  readonly name: IoName;
  /**
   * Opens a socket on a fresh source port (one per client: text replies name no request, and a server with
   * several workers spreads clients by their address and port).
   * @throws (rejects) when the OS refuses a socket.
   */
  open(handlers: ClientSocketHandlers): Promise<ClientSocket>;
}
