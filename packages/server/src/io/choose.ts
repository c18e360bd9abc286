import { loadBatchedUdp } from '@tock/udp';
import type { IoMode } from '../options.ts';
import { createBatchedTransport } from './batched-transport.ts';
import { createDgramTransport } from './dgram-transport.ts';
import type { TransportFactory } from './transport.ts';

/** The transport a server runs on, and, when it is not the one asked for, why. */
export interface TransportChoice {
  readonly io: IoMode;
  readonly factory: TransportFactory;
  /** Set when `batched` was asked for and could not load: the log line's message. */
  readonly fallback?: string;
}

/**
 * Picks the transport for `--io`: the batched addon where it loads, `node:dgram` otherwise (saying why).
 * `receiveTime` is `kernel` with the system clock, `clock` with a custom clock the kernel does not know.
 */
export function chooseTransport(io: IoMode, receiveTime: 'kernel' | 'clock' = 'kernel'): TransportChoice {
  if (io === 'batched') {
    const status = loadBatchedUdp();
    if (status.ok) {
      return { io, factory: (options) => createBatchedTransport(options, { receiveTime }) };
    }
    return {
      io: 'dgram',
      factory: createDgramTransport,
      fallback: `--io batched: ${status.reason}; using node:dgram`,
    };
  }
  return { io, factory: createDgramTransport };
}
