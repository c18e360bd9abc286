import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  isValidTimeZone,
  localTimeZone,
  PROTOCOLS,
  type Protocol,
  TEXT_FORMATS,
  type TextFormat,
} from '@tock/protocol';
import { systemClock, type WallClock } from './clock.ts';
import { TockClientError } from './errors.ts';
import type { IgnoreReason, Problem, ProtocolExchange, SentRequest, Verdict } from './protocols/exchange.ts';
import { jsonExchange } from './protocols/json.ts';
import { ntpExchange } from './protocols/ntp.ts';
import { textExchange } from './protocols/text.ts';
import type { QueryResult, ServerEndpoint } from './result.ts';
import { formatEndpoint, type ParsedTarget, parseTarget, type Target } from './target.ts';

/** A datagram that arrived during a query and was not taken as the reply (see {@link QueryOptions.onIgnore}). */
export interface IgnoredDatagram {
  /**
   * Why: `wrong-sender` (not from the address and port asked), `unmatched` (a reply to some other request:
   * JSON id or NTP origin timestamp differs), `malformed` (not a reply of the protocol asked for).
   */
  readonly reason: IgnoreReason;
  /** One line for people. */
  readonly detail: string;
  /** Where it came from. */
  readonly from: { readonly address: string; readonly port: number };
}

/** Options of {@link query}. Every field is optional. */
export interface QueryOptions<P extends Protocol = Protocol> {
  /** The protocol to speak: `'text'` (daytime), `'json'` (tock's envelope) or `'ntp'` (default `'ntp'`). */
  readonly protocol?: P | undefined;
  /**
   * Milliseconds to wait for a reply to the first request (default 1000, at most 600000). Each retry waits
   * twice as long as the one before (capped at 30 s, or at `timeout` when that is longer).
   */
  readonly timeout?: number | undefined;
  /** How many more requests to send when one goes unanswered (default 2, at most 10). */
  readonly retries?: number | undefined;
  /** Aborts the query; it then rejects with `ABORTED` and its socket is closed. */
  readonly signal?: AbortSignal | undefined;
  /**
   * For `text` and `json`: ask for this text format (`ctime`, `iso`, `unix`, `unix-ms`). tockd honours it;
   * other daytime servers ignore it. Default: the server's format.
   */
  readonly format?: TextFormat | undefined;
  /**
   * For `text`: the IANA zone in which a `ctime` line (which names no zone) is read; it should be the
   * server's zone. Default: this machine's zone (right for servers on the same host).
   */
  readonly timeZone?: string | undefined;
  /**
   * Called for each datagram that arrives during the query but is not the reply, for diagnostics.
   * Exceptions it throws are ignored.
   */
  readonly onIgnore?: ((event: IgnoredDatagram) => void) | undefined;
}

/** The result type of a query speaking protocol `P`. */
export type QueryResultFor<P extends Protocol> = Extract<QueryResult, { readonly protocol: P }>;

/** Defaults of {@link QueryOptions}. */
export const QUERY_DEFAULTS: {
  readonly protocol: 'ntp';
  readonly timeout: number;
  readonly retries: number;
} = { protocol: 'ntp', timeout: 1000, retries: 2 };

/** Limits of {@link QueryOptions}. */
export const QUERY_LIMITS: {
  readonly maxTimeout: number;
  readonly maxRetries: number;
  readonly maxWait: number;
} = {
  maxTimeout: 600_000,
  maxRetries: 10,
  maxWait: 30_000,
};

/** Options after validation, with defaults filled in. */
export interface QuerySettings {
  readonly protocol: Protocol;
  readonly timeout: number;
  readonly retries: number;
  readonly signal: AbortSignal | undefined;
  readonly format: TextFormat | undefined;
  readonly timeZone: string;
  readonly onIgnore: ((event: IgnoredDatagram) => void) | undefined;
}

/** This machine's IANA zone, or UTC when the runtime cannot tell (the protocol package's `localTimeZone`). */
export { localTimeZone };

/**
 * Validates options and fills in defaults.
 * @throws TockClientError `INVALID_OPTIONS` naming the option.
 */
export function resolveOptions(options: QueryOptions = {}): QuerySettings {
  if (typeof options !== 'object' || options === null) throw badOption('options must be an object');
  const protocol = options.protocol ?? QUERY_DEFAULTS.protocol;
  if (!PROTOCOLS.includes(protocol))
    throw badOption(`protocol must be text, json or ntp, not ${show(protocol)}`);
  const timeout = options.timeout ?? QUERY_DEFAULTS.timeout;
  if (typeof timeout !== 'number' || !(timeout > 0 && timeout <= QUERY_LIMITS.maxTimeout)) {
    throw badOption(
      `timeout must be a number of milliseconds above 0 and at most ${QUERY_LIMITS.maxTimeout}, not ${show(timeout)}`,
    );
  }
  const retries = options.retries ?? QUERY_DEFAULTS.retries;
  if (!Number.isInteger(retries) || retries < 0 || retries > QUERY_LIMITS.maxRetries) {
    throw badOption(`retries must be an integer from 0 to ${QUERY_LIMITS.maxRetries}, not ${show(retries)}`);
  }
  const format = options.format;
  if (format !== undefined) {
    if (!(TEXT_FORMATS as readonly unknown[]).includes(format)) {
      throw badOption(`format must be one of ${TEXT_FORMATS.join(', ')}, not ${show(format)}`);
    }
    if (protocol === 'ntp') throw badOption('format applies to the text and json protocols only');
  }
  const timeZone = options.timeZone ?? localTimeZone();
  if (typeof timeZone !== 'string' || !isValidTimeZone(timeZone)) {
    throw badOption(`timeZone must be an IANA time zone such as UTC or Europe/Paris, not ${show(timeZone)}`);
  }
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw badOption('signal must be an AbortSignal');
  const onIgnore = options.onIgnore;
  if (onIgnore !== undefined && typeof onIgnore !== 'function')
    throw badOption('onIgnore must be a function');
  return { protocol, timeout, retries, signal, format, timeZone, onIgnore };
}

/** How long attempt `index` (0 for the first request) waits for its reply: exponential backoff. */
export function attemptWait(timeout: number, index: number): number {
  return Math.max(timeout, Math.min(timeout * 2 ** index, QUERY_LIMITS.maxWait));
}

/** What a query needs from the outside world; replaced in tests. */
export interface QueryDeps {
  /** Resolves a host name (never called for address literals). */
  readonly lookup: (host: string) => Promise<{ address: string; family: number }>;
  /** Gives the clock for one query. */
  readonly clock: () => WallClock;
}

const SYSTEM_DEPS: QueryDeps = { lookup: (host) => lookup(host), clock: systemClock };

/**
 * Asks a time server for its time over UDP and resolves to its answer: the server's time, and for `json`
 * and `ntp` the clock offset and round-trip delay.
 *
 * - Only a reply from the address and port asked is considered (the socket is `connect()`ed, and the sender
 *   is checked again), and only one that answers one of this query's requests: the JSON `id` or the NTP
 *   origin timestamp must echo the random nonce sent. Anything else is ignored and the query keeps waiting.
 * - A request that goes unanswered for `timeout` ms is sent again (with a new nonce) up to `retries` times,
 *   each retry waiting twice as long; a late reply to an earlier request is still accepted.
 * - The socket is closed before the returned promise settles, whatever the outcome.
 *
 * @param target - `"host"`, `"host:port"`, `"[v6]:port"` or `{ host, port }`; the port defaults to
 *   {@link DEFAULT_PORT} (5005, tockd's port) for every protocol.
 * @param options - protocol, timeout, retries, signal and more, see {@link QueryOptions}.
 * @returns the result; its type follows `options.protocol` (NTP by default).
 * @throws TockClientError (as a rejection) with a `code` from {@link CLIENT_ERROR_CODES}.
 *
 * @example
 * ```ts
 * const r = await query('127.0.0.1:5005', { protocol: 'json' });
 * console.log(r.time.toISOString(), r.offsetMs, r.delayMs);
 * ```
 */
export function query<P extends Protocol = 'ntp'>(
  target: Target,
  options?: QueryOptions<P>,
): Promise<QueryResultFor<P>> {
  return runQuery(target, options ?? {}, SYSTEM_DEPS) as Promise<QueryResultFor<P>>;
}

/** {@link query} with its outside world passed in. */
export async function runQuery(target: Target, options: QueryOptions, deps: QueryDeps): Promise<QueryResult> {
  const settings = resolveOptions(options);
  const parsed = parseTarget(target);
  if (settings.signal?.aborted) throw abortedError(settings.signal, 0);
  const endpoint = await resolveEndpoint(parsed, settings, deps);
  return exchange(endpoint, settings, exchangeFor(settings), deps.clock());
}

function exchangeFor(settings: QuerySettings): ProtocolExchange<unknown> {
  switch (settings.protocol) {
    case 'text':
      return textExchange({ format: settings.format, timeZone: settings.timeZone });
    case 'json':
      return jsonExchange({ format: settings.format }) as ProtocolExchange<unknown>;
    case 'ntp':
      return ntpExchange() as ProtocolExchange<unknown>;
  }
}

/** Resolves the target's host (unless it is an address literal), within the query's time budget and signal. */
async function resolveEndpoint(
  target: ParsedTarget,
  settings: QuerySettings,
  deps: QueryDeps,
): Promise<ServerEndpoint> {
  const literal = isIP(target.host);
  if (literal !== 0) {
    return {
      host: target.host,
      address: target.host,
      port: target.port,
      family: literal === 6 ? 'IPv6' : 'IPv4',
    };
  }
  let budget = 0;
  for (let i = 0; i <= settings.retries; i++) budget += attemptWait(settings.timeout, i);
  const { signal } = settings;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new TockClientError('RESOLVE_FAILED', `could not resolve "${target.host}" within ${budget} ms`),
        ),
      budget,
    );
    if (signal !== undefined) {
      onAbort = () => reject(abortedError(signal, 0));
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  try {
    const found = await Promise.race([
      deps.lookup(target.host).catch((error: unknown) => {
        const code = (error as NodeJS.ErrnoException | undefined)?.code ?? String(error);
        throw new TockClientError('RESOLVE_FAILED', `could not resolve "${target.host}": ${code}`, {
          cause: error,
        });
      }),
      stop,
    ]);
    if (found.family !== 4 && found.family !== 6) {
      throw new TockClientError('RESOLVE_FAILED', `"${target.host}" resolved to an unusable address`);
    }
    return {
      host: target.host,
      address: found.address,
      port: target.port,
      family: found.family === 6 ? 'IPv6' : 'IPv4',
    };
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}

type Outcome =
  | { readonly ok: true; readonly result: QueryResult }
  | { readonly ok: false; readonly problem: Problem; readonly cause?: unknown };

/**
 * The socket part of a query: one `connect()`ed UDP socket for all attempts. Settles exactly once, after the
 * socket's `close` event, whatever happens (reply, failure, timeout, abort, socket error).
 */
export function exchange<Token>(
  endpoint: ServerEndpoint,
  settings: QuerySettings,
  protocol: ProtocolExchange<Token>,
  now: WallClock,
): Promise<QueryResult> {
  return new Promise<QueryResult>((resolve, reject) => {
    const { signal } = settings;
    const where = formatEndpoint(endpoint.address, endpoint.port);
    const socket = dgram.createSocket({ type: endpoint.family === 'IPv6' ? 'udp6' : 'udp4' });
    const sent: SentRequest<Token>[] = [];
    const started = now();
    let remote: { address: string; port: number } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let lastIgnored: { detail: string; problem?: Problem | undefined } | undefined;
    let settled = false;

    const finish = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const attempts = sent.length;
      const settle = (): void => {
        if (outcome.ok) {
          resolve(outcome.result);
        } else {
          const { code, message, kissCode, serverCode } = outcome.problem;
          reject(
            new TockClientError(code, message, { cause: outcome.cause, kissCode, serverCode, attempts }),
          );
        }
      };
      try {
        socket.close(settle);
      } catch {
        settle();
      }
    };

    const onAbort = (): void => {
      const error = abortedError(signal!, sent.length);
      finish({ ok: false, problem: { code: 'ABORTED', message: error.message }, cause: signal!.reason });
    };

    const onSocketError = (error: Error): void =>
      finish({ ok: false, problem: socketProblem(error, where), cause: error });

    const sendRequest = (): void => {
      const { bytes, token } = protocol.newRequest();
      const wait = attemptWait(settings.timeout, sent.length);
      // T1 as late as possible: right before the datagram is handed to the kernel.
      const t1 = now();
      sent.push({ token, t1 });
      try {
        socket.send(bytes, (error) => {
          if (error) onSocketError(error);
        });
      } catch (error) {
        onSocketError(error as Error);
        return;
      }
      timer = setTimeout(onAttemptTimeout, wait);
    };

    const onAttemptTimeout = (): void => {
      if (sent.length <= settings.retries) {
        sendRequest();
        return;
      }
      const waited = Number((now() - started) / 1_000_000n);
      const requests = `${sent.length} request${sent.length === 1 ? '' : 's'}`;
      if (lastIgnored === undefined) {
        finish({
          ok: false,
          problem: { code: 'TIMEOUT', message: `no reply from ${where} after ${requests} in ${waited} ms` },
        });
      } else {
        finish({
          ok: false,
          problem: lastIgnored.problem ?? {
            code: 'INVALID_REPLY',
            message: `no usable reply from ${where} after ${requests} in ${waited} ms; it sent ${lastIgnored.detail}`,
          },
        });
      }
    };

    const report = (reason: IgnoreReason, detail: string, from: dgram.RemoteInfo): void => {
      if (settings.onIgnore === undefined) return;
      try {
        settings.onIgnore({ reason, detail, from: { address: from.address, port: from.port } });
      } catch {
        // Documented: a diagnostics callback cannot break the query.
      }
    };

    const onMessage = (bytes: Buffer, from: dgram.RemoteInfo): void => {
      // T4 first, before anything else is done with the datagram.
      const t4 = now();
      if (settled || remote === undefined) return;
      if (!isFrom(from, remote)) {
        report(
          'wrong-sender',
          `datagram from ${formatEndpoint(from.address, from.port)}, not ${where}`,
          from,
        );
        return;
      }
      const verdict: Verdict = protocol.readReply(
        new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
        t4,
        sent,
      );
      switch (verdict.kind) {
        case 'accept':
          finish({
            ok: true,
            result: { ...verdict.result, server: endpoint, attempts: sent.length } as QueryResult,
          });
          return;
        case 'fail':
          finish({ ok: false, problem: verdict.problem });
          return;
        case 'ignore':
          lastIgnored = { detail: verdict.detail, problem: verdict.problem };
          report(verdict.reason, verdict.detail, from);
          return;
      }
    };

    socket.on('error', onSocketError);
    socket.on('message', onMessage);
    if (signal?.aborted) {
      // Aborted while the host name was being resolved: an 'abort' listener would never fire now.
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      socket.connect(endpoint.port, endpoint.address, (error?: Error) => {
        if (error) return onSocketError(error);
        if (settled) return;
        remote = socket.remoteAddress();
        sendRequest();
      });
    } catch (error) {
      onSocketError(error as Error);
    }
  });
}

/** Whether a datagram's sender is the connected server (the kernel already filters; this checks again). */
export function isFrom(
  from: { address: string; port: number },
  remote: { address: string; port: number },
): boolean {
  return from.port === remote.port && from.address.toLowerCase() === remote.address.toLowerCase();
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

function socketProblem(error: Error, where: string): Problem {
  const e = error as NodeJS.ErrnoException;
  const code = e.code ?? 'unknown error';
  if (UNREACHABLE_CODES.has(code)) {
    const why =
      code === 'ECONNREFUSED'
        ? 'port unreachable: is a server listening there?'
        : 'host or network unreachable';
    return { code: 'UNREACHABLE', message: `${where} is unreachable (${code}, ${why})` };
  }
  return { code: 'SOCKET_ERROR', message: `${e.syscall ?? 'socket'} failed for ${where}: ${code}` };
}

function abortedError(signal: AbortSignal, attempts: number): TockClientError {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error && reason.message ? `: ${reason.message}` : '';
  return new TockClientError('ABORTED', `the query was aborted${why}`, { cause: reason, attempts });
}

function badOption(message: string): TockClientError {
  return new TockClientError('INVALID_OPTIONS', message);
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
