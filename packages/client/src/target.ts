import { isIP } from 'node:net';
import { TockClientError } from './errors.ts';

/**
 * The port a query goes to when the target names none: 5005, where tockd answers plain text, JSON and NTP
 * alike. It is the same for every protocol, so that changing the protocol never changes where the request
 * goes; to ask a standard NTP server such as chronyd or ntpd, give its port (`host:123`).
 */
export const DEFAULT_PORT = 5005;

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

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/;

/**
 * Validates a {@link Target}, filling in `defaultPort` when it names none.
 * @throws TockClientError `BAD_TARGET` naming what is wrong.
 */
export function parseTarget(target: Target, defaultPort: number = DEFAULT_PORT): ParsedTarget {
  const parts = targetParts(target);
  return { host: parts.host, port: parts.port ?? defaultPort };
}

/**
 * Validates a {@link Target} and splits it into host and port (`undefined` when it names none).
 * @throws TockClientError `BAD_TARGET` naming what is wrong.
 */
export function targetParts(target: Target): { readonly host: string; readonly port: number | undefined } {
  if (typeof target === 'string') return parseTargetString(target);
  if (typeof target !== 'object' || target === null || typeof target.host !== 'string') {
    throw bad(`target must be a string or { host, port }, not ${describe(target)}`);
  }
  const host =
    target.host.startsWith('[') && target.host.endsWith(']') ? target.host.slice(1, -1) : target.host;
  checkHost(host, target.host);
  if (target.port === undefined) return { host, port: undefined };
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65_535) {
    throw bad(`port must be an integer from 1 to 65535, not ${describe(target.port)}`);
  }
  return { host, port: target.port };
}

function parseTargetString(text: string): { host: string; port: number | undefined } {
  if (text.length === 0) throw bad('target is empty');
  if (/[\s/@]/.test(text)) throw bad(`"${text}" is not host, host:port or [v6-address]:port`);
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const m = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
    if (!m) throw bad(`"${text}" is not [address] or [address]:port`);
    host = m[1]!;
    portText = m[2];
    if (isIP(host) !== 6) throw bad(`"${host}" in brackets is not an IPv6 address`);
  } else {
    const colons = text.split(':').length - 1;
    if (colons > 1) {
      if (isIP(text) !== 6)
        throw bad(`"${text}" is not an IPv6 address (write [address]:port to give a port)`);
      return { host: text, port: undefined };
    }
    const at = text.indexOf(':');
    host = at < 0 ? text : text.slice(0, at);
    portText = at < 0 ? undefined : text.slice(at + 1);
  }
  checkHost(host, text);
  if (portText === undefined) return { host, port: undefined };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 1 && port <= 65_535)) throw bad(`port "${portText}" is not a number from 1 to 65535`);
  return { host, port };
}

function checkHost(host: string, original: string): void {
  if (host.length === 0) throw bad(`"${original}" names no host`);
  if (isIP(host) !== 0) return;
  if (!HOST_NAME.test(host)) throw bad(`"${original}" is not a host name or IP address`);
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

/** Formats an address and port for messages: `127.0.0.1:5005`, `[::1]:5005`. */
export function formatEndpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
