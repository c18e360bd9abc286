import { type Clock, classify, createHandlerContext, handle, MAX_DATAGRAM_BYTES } from '@tock/protocol';
import { createSystemClock } from './clock/system-clock.ts';
import { bindError, ServerError } from './errors.ts';
import { createDgramTransport } from './io/dgram-transport.ts';
import type { Endpoint, ReceivedDatagram, Transport, TransportFactory } from './io/transport.ts';
import { ServerOptionsSchema, type ServerSettings, type ServerSettingsInput } from './options.ts';
import { createStatsRecorder, type ServerStats } from './stats.ts';

/**
 * Options of {@link createServer}. All are optional:
 * - `host`: the IP address to listen on (default `127.0.0.1`). `::` listens on every IPv6 and IPv4 address
 *   (one dual-stack socket), `0.0.0.0` on every IPv4 address, `::1` on IPv6 loopback.
 * - `port`: the UDP port (default 5005; 0 lets the OS pick one, see {@link TockServer.address}).
 * - `textFormat`: the format of plain-text replies and of the JSON `time` field: `ctime` (default), `iso`,
 *   `unix` or `unix-ms`.
 * - `timeZone`: the IANA zone of `ctime` and `iso` replies (default: the machine's zone).
 * - `ntp`: what NTP replies announce: `stratum` (1–15, default 2), `referenceId` (default `LOCL`),
 *   `precision`, `leap`, `rootDelay`, `rootDispersion` (see the protocol's `NtpServerOptions`).
 * - `clock`: where time comes from (default: a {@link createSystemClock} clock with sub-ms resolution).
 * - `transport`: the socket implementation (default: `node:dgram`).
 */
export type ServerOptions = ServerSettingsInput & {
  readonly clock?: Clock;
  readonly transport?: TransportFactory;
};

/** A running (or not yet started) tock server; see {@link createServer}. */
export interface TockServer {
  /**
   * Binds the socket and starts answering. Resolves with the bound address.
   * @throws ServerError `ADDRESS_IN_USE`, `ADDRESS_NOT_AVAILABLE`, `PERMISSION_DENIED` or `BIND_FAILED` when
   *   the socket cannot be bound; `ALREADY_STARTED` when called twice or after {@link TockServer.close}.
   */
  listen(): Promise<Endpoint>;
  /**
   * The address the server listens on (with the actual port when `port` was 0).
   * @throws ServerError `NOT_LISTENING` before `listen()` resolved or after `close()`.
   */
  address(): Endpoint;
  /** Stops answering and releases the port. Safe to call at any time and more than once. */
  close(): Promise<void>;
  /** A snapshot of the counters: datagrams received, replies, drops by reason, send errors. */
  stats(): ServerStats;
  /** The options in effect, with every default filled in. */
  readonly settings: ServerSettings;
}

/**
 * Creates a UDP time server that answers plain text (daytime), tock's JSON envelope and NTP (SNTP server
 * mode) on one port, using `handle` from `@tock/protocol` for every datagram. Nothing is bound until
 * {@link TockServer.listen}.
 *
 * Every datagram gets its receive time from the clock as soon as it arrives; the transmit time is read
 * last thing before the reply is sent. Malformed, truncated or oversized datagrams are dropped (or, for
 * JSON, answered with an error envelope) and counted in {@link TockServer.stats}; neither they nor
 * socket errors stop the server.
 *
 * @throws ServerError `INVALID_OPTIONS` naming the first bad option.
 */
export function createServer(options: ServerOptions = {}): TockServer {
  const { clock: givenClock, transport: makeTransport = createDgramTransport, ...data } = options;
  const parsed = ServerOptionsSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'options';
    throw new ServerError('INVALID_OPTIONS', `${where}: ${issue?.message ?? 'invalid'}`, {
      cause: parsed.error,
    });
  }
  const settings = parsed.data;
  const clock = givenClock ?? createSystemClock().now;
  const context = createHandlerContext(clock, {
    textFormat: settings.textFormat,
    timeZone: settings.timeZone,
    ntp: settings.ntp,
  });
  const stats = createStatsRecorder();

  let transport: Transport | undefined;
  let listening: Promise<Endpoint> | undefined;
  let closing: Promise<void> | undefined;

  function onDatagram(datagram: ReceivedDatagram): void {
    const { data: bytes, sender } = datagram;
    try {
      if (sender.port === 0) {
        stats.drop(bytes.length > MAX_DATAGRAM_BYTES ? 'unknown' : classify(bytes), 'source-port-zero');
        return;
      }
      const result = handle(bytes, datagram.receiveTime, context);
      stats.record(result);
      if (result.action === 'reply') transport?.send(result.bytes, sender);
    } catch {
      // handle() never throws; this guards the socket callback against a bug anywhere else.
      stats.drop('unknown', 'internal-error');
    }
  }

  async function bind(): Promise<Endpoint> {
    const t = makeTransport({
      host: settings.host,
      port: settings.port,
      clock,
      events: { datagram: onDatagram, sendError: stats.sendError, socketError: stats.socketError },
    });
    transport = t;
    try {
      return await t.bind();
    } catch (error) {
      transport = undefined;
      await t.close();
      throw bindError(error, settings.host, settings.port);
    }
  }

  return {
    settings,
    listen(): Promise<Endpoint> {
      if (listening !== undefined || closing !== undefined) {
        return Promise.reject(
          new ServerError('ALREADY_STARTED', 'listen() may be called once, before close()'),
        );
      }
      listening = bind();
      return listening;
    },
    address(): Endpoint {
      const address = closing === undefined ? transport?.address() : undefined;
      if (address === undefined) throw new ServerError('NOT_LISTENING', 'the server is not listening');
      return address;
    },
    close(): Promise<void> {
      closing ??= (async () => {
        await listening?.catch(() => undefined);
        await transport?.close();
        transport = undefined;
      })();
      return closing;
    },
    stats: stats.snapshot,
  };
}
