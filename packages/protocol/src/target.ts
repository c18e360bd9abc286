import { parseAddress } from './net/address.ts';

/**
 * The port tock's programs use when a target names none: 5005, where tockd listens by default and answers
 * plain text, JSON and NTP alike. It is the same for every protocol, so that changing the protocol never
 * changes where a request goes; a standard NTP server such as chronyd or ntpd is asked at its own port
 * (`host:123`).
 */
export const DEFAULT_PORT = 5005;

/** A host and port read from text: a host name or address literal (IPv6 without brackets). */
export interface HostPort {
  readonly host: string;
  /** `undefined` when the text names no port. */
  readonly port: number | undefined;
}

/**
 * What is wrong with a target, for callers that word their own messages:
 * - `shape`: not `host`, `host:port`, `[v6-address]:port` or a bare IPv6 address;
 * - `host`: the host is empty, or neither a host name nor an IP address;
 * - `port`: the port is not a number from 1 to 65535.
 */
export type HostPortProblem = 'shape' | 'host' | 'port';

/** The result of {@link parseHostPort}: the parts, or what is wrong with a one-line message. */
export type HostPortResult =
  | ({ readonly ok: true } & HostPort)
  | { readonly ok: false; readonly problem: HostPortProblem; readonly message: string };

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/;
const scratch = new Uint32Array(5);

/**
 * Whether `text` is an IPv6 address literal (without brackets; a zone such as `%eth0` allowed), as a socket
 * or a person writes it. An IPv4-mapped address (`::ffff:192.0.2.1`) is IPv6 text.
 */
export function isIpv6Literal(text: string): boolean {
  return text.includes(':') && parseAddress(text, scratch) !== 0;
}

/**
 * Reads a target: `host`, `host:port`, `[ipv6]:port`, `[ipv6]`, or a bare IPv6 address such as `::1`
 * (which then names no port: write `[::1]:123` to give one). A host is an IP address or a host name
 * (letters, digits, `_`, `-` and dots, at most 253 characters). Never throws.
 */
export function parseHostPort(text: string): HostPortResult {
  if (text.length === 0) return fail('shape', 'target is empty');
  if (/[\s/@]/.test(text)) return fail('shape', `"${text}" is not host, host:port or [v6-address]:port`);
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const m = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
    if (!m) return fail('shape', `"${text}" is not [address] or [address]:port`);
    host = m[1]!;
    portText = m[2];
    if (!isIpv6Literal(host)) return fail('shape', `"${host}" in brackets is not an IPv6 address`);
  } else {
    const colons = text.split(':').length - 1;
    if (colons > 1) {
      if (!isIpv6Literal(text))
        return fail('shape', `"${text}" is not an IPv6 address (write [address]:port to give a port)`);
      return { ok: true, host: text, port: undefined };
    }
    const at = text.indexOf(':');
    host = at < 0 ? text : text.slice(0, at);
    portText = at < 0 ? undefined : text.slice(at + 1);
  }
  const problem = hostProblem(host, text);
  if (problem !== undefined) return fail('host', problem);
  if (portText === undefined) return { ok: true, host, port: undefined };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 1 && port <= 65_535))
    return fail('port', `port "${portText}" is not a number from 1 to 65535`);
  return { ok: true, host, port };
}

/**
 * What is wrong with `host` (a host name or IP address, IPv6 without brackets), as a message that quotes
 * `original` (what the user wrote); `undefined` when nothing is.
 */
export function hostProblem(host: string, original: string = host): string | undefined {
  if (host.length === 0) return `"${original}" names no host`;
  if (parseAddress(host, scratch) !== 0 || HOST_NAME.test(host)) return undefined;
  return `"${original}" is not a host name or IP address`;
}

/**
 * Writes a host (or address) and port as one would type them: `127.0.0.1:5005`, `time.example:123`, and
 * IPv6 in brackets, `[::1]:5005`. {@link parseHostPort} reads it back.
 */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function fail(problem: HostPortProblem, message: string): HostPortResult {
  return { ok: false, problem, message };
}
