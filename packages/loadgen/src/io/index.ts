import { loadBatchedUdp, type NativeBinding } from '@tock/udp';
import { createBatchedIo } from './batched.ts';
import { createDgramIo } from './dgram.ts';
import type { ClientIo, IoName, IoTarget } from './types.ts';

export * from './types.ts';

/** The I/O a run uses, and, when it is not the one asked for, why. */
export interface IoChoice {
  readonly io: IoName;
  /** Set when `batched` was asked for and cannot be used here: the reason. */
  readonly fallback: string | undefined;
}

/** An {@link IoChoice}, with the addon's binding when the choice is `batched`. */
type ResolvedIo = IoChoice & { readonly binding?: NativeBinding };

function resolveIo(requested: IoName, address: string | undefined): ResolvedIo {
  if (requested === 'dgram') return { io: 'dgram', fallback: undefined };
  // The addon takes numeric IPv6 scopes only (fe80::1%2); node:dgram also takes interface names.
  if (address !== undefined && /%.*\D/.test(address)) {
    return { io: 'dgram', fallback: `the batched I/O addon takes numeric IPv6 scopes only, not ${address}` };
  }
  const status = loadBatchedUdp();
  return status.ok
    ? { io: 'batched', fallback: undefined, binding: status.binding }
    : { io: 'dgram', fallback: status.reason };
}

/**
 * Which I/O `requested` gives in this thread for a server at `address` (an IP address or a host name):
 * `batched` where the `@tock/udp` addon loads (Linux, with a binary for this Node.js), `dgram` otherwise,
 * saying why. Loads the addon once per thread; never throws.
 */
export function chooseIo(requested: IoName, address?: string): IoChoice {
  const { io, fallback } = resolveIo(requested, address);
  return { io, fallback };
}

/**
 * The client sockets of one engine: batched where asked for and possible here (see {@link chooseIo}),
 * `node:dgram` otherwise (with the reason in `fallback`).
 */
export function createClientIo(
  requested: IoName,
  target: IoTarget,
): IoChoice & { readonly client: ClientIo } {
  const { binding, ...choice } = resolveIo(requested, target.address);
  return {
    ...choice,
    client: binding !== undefined ? createBatchedIo(binding, target) : createDgramIo(target),
  };
}
