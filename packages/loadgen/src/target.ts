import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { formatHostPort, parseHostPort } from '@tock/protocol';
import { LoadgenError } from './errors.ts';

/** A server to load: the host as written, and its port. */
export interface Target {
  readonly host: string;
  readonly port: number;
}

/** A {@link Target} resolved to one IP address. */
export interface ResolvedTarget extends Target {
  readonly address: string;
  readonly family: 4 | 6;
}

/**
 * Reads `HOST:PORT` or, for an IPv6 address, `[ADDRESS]:PORT`: the protocol package's `parseHostPort`, the
 * one target syntax of tock's programs, with the port required.
 * @throws LoadgenError `USAGE` when the text is not of that shape or the port is out of range.
 */
export function parseTarget(text: string): Target {
  const parsed = parseHostPort(text);
  if (!parsed.ok && parsed.problem === 'port') {
    throw new LoadgenError('USAGE', `target "${text}": port must be an integer from 1 to 65535`);
  }
  if (!parsed.ok || parsed.port === undefined) {
    throw new LoadgenError(
      'USAGE',
      `target "${text}" is not HOST:PORT (e.g. 127.0.0.1:5005, [::1]:123, localhost:5005)`,
    );
  }
  return { host: parsed.host, port: parsed.port };
}

/** Formats a target back to `HOST:PORT` (IPv6 addresses in brackets). */
export function formatTarget(target: Target): string {
  return formatHostPort(target.host, target.port);
}

/**
 * Resolves the host to one address (the first the system resolver gives).
 * @throws LoadgenError `RUN_FAILED` when the name does not resolve.
 */
export async function resolveTarget(target: Target): Promise<ResolvedTarget> {
  const family = isIP(target.host);
  if (family === 4 || family === 6) return { ...target, address: target.host, family };
  try {
    const found = await lookup(target.host);
    return { ...target, address: found.address, family: found.family === 6 ? 6 : 4 };
  } catch (error) {
    throw new LoadgenError('RUN_FAILED', `cannot resolve "${target.host}": ${(error as Error).message}`, {
      cause: error,
    });
  }
}
