import { DEFAULT_PORT, formatHostPort, hostProblem, parseHostPort } from '@tock/protocol';
import { TockClientError } from './errors.ts';

/**
 * The port a query goes to when the target names none: 5005, where tockd answers plain text, JSON and NTP
 * alike. It is the same for every protocol, so that changing the protocol never changes where the request
 * goes; to ask a standard NTP server such as chronyd or ntpd, give its port (`host:123`). The protocol
 * package's `DEFAULT_PORT`, re-exported.
 */
export { DEFAULT_PORT };

/**
 * Where to send a query: `"host"`, `"host:port"`, `"[ipv6]:port"`, a bare IPv6 address such as `"::1"`,
 * or `{ host, port }`. Without a port, {@link DEFAULT_PORT} is used.
 */
export type Target = string | { readonly host: string; readonly port?: number | undefined };

/** A target after validation: a host name or address literal (IPv6 without brackets) and a port. */
export interface ParsedTarget {
  readonly host: string;
  readonly port: number;
}

/**
 * Validates a {@link Target}, filling in `defaultPort` when it names none.
 * @throws TockClientError `BAD_TARGET` naming what is wrong.
 */
export function parseTarget(target: Target, defaultPort: number = DEFAULT_PORT): ParsedTarget {
  const parts = targetParts(target);
  return { host: parts.host, port: parts.port ?? defaultPort };
}

/**
 * Validates a {@link Target} and splits it into host and port (`undefined` when it names none). Strings are
 * read by the protocol package's `parseHostPort`, the one target syntax of tock's programs.
 * @throws TockClientError `BAD_TARGET` naming what is wrong.
 */
export function targetParts(target: Target): { readonly host: string; readonly port: number | undefined } {
  if (typeof target === 'string') {
    const parsed = parseHostPort(target);
    if (!parsed.ok) throw bad(parsed.message);
    return { host: parsed.host, port: parsed.port };
  }
  if (typeof target !== 'object' || target === null || typeof target.host !== 'string') {
    throw bad(`target must be a string or { host, port }, not ${describe(target)}`);
  }
  const host =
    target.host.startsWith('[') && target.host.endsWith(']') ? target.host.slice(1, -1) : target.host;
  const problem = hostProblem(host, target.host);
  if (problem !== undefined) throw bad(problem);
  if (target.port === undefined) return { host, port: undefined };
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65_535) {
    throw bad(`port must be an integer from 1 to 65535, not ${describe(target.port)}`);
  }
  return { host, port: target.port };
}

function bad(message: string): TockClientError {
  return new TockClientError('BAD_TARGET', message);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Formats an address and port for messages: `127.0.0.1:5005`, `[::1]:5005` (the protocol's `formatHostPort`). */
export const formatEndpoint: (address: string, port: number) => string = formatHostPort;
