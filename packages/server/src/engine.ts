import {
  buildKissOfDeath,
  type Clock,
  classify,
  createHandlerContext,
  handle,
  MAX_DATAGRAM_BYTES,
  readNtpRequest,
} from '@tock/protocol';
import { type Skew, skewedClock } from './clock/skew.ts';
import type { Endpoint, ReceivedDatagram, Transport, TransportFactory } from './io/transport.ts';
import { type Logger, logs } from './log.ts';
import type { ServerSettings } from './options.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { StatsRecorder } from './stats.ts';

/** How often, at most, one engine logs socket or send errors (it counts the others). */
const ERROR_LOG_INTERVAL_MS = 10_000;

/** What an {@link Engine} needs: settings, the true clock, a socket, counters, the shared rate limiter. */
export interface EngineOptions {
  readonly settings: ServerSettings;
  /** The port to bind: the configured one, or the one the first socket got when it was 0. */
  readonly port: number;
  /** The true clock, read once per datagram for its receive time. */
  readonly clock: Clock;
  /** How the served clock differs from the true one (`--clock-offset`, `--clock-rate`). */
  readonly skew: Skew;
  readonly transport: TransportFactory;
  /** Share the port with the other workers' sockets. */
  readonly reusePort: boolean;
  readonly stats: StatsRecorder;
  /** `undefined` when rate limiting is off. */
  readonly limiter: RateLimiter | undefined;
  readonly logger: Logger;
  /** Which worker this is (0 for a server without worker threads), for logs. */
  readonly worker: number;
}

/** One socket and its datagram loop: a whole server without threads, or one worker of a server with them. */
export interface Engine {
  /** Binds the socket. Rejects with the OS error (its `code` set) when it cannot. */
  bind(): Promise<Endpoint>;
  /** The bound address, or `undefined` before bind or once stopping. */
  address(): Endpoint | undefined;
  /**
   * Stops answering: datagrams that arrive from now on are counted as `shutting-down`, replies already
   * handed to the socket are given time to leave, then the socket is closed. Safe to call more than once.
   */
  stop(): Promise<void>;
}

/**
 * Creates the datagram loop of one socket. For each datagram, in order: drop it if the server is stopping,
 * if it is larger than `MAX_DATAGRAM_BYTES`, if its source port is 0, or if its source is over its rate limit
 * (sending a RATE Kiss-o'-Death to an NTP client, at most once a second); answer it with the protocol's
 * `handle`; with `strictSize`, drop a reply larger than its request; send it and count it. Nothing here
 * allocates beyond what `handle` does, and nothing is logged per datagram.
 */
export function createEngine(options: EngineOptions): Engine {
  const { settings, clock, skew, stats, limiter, logger } = options;
  const context = createHandlerContext(skewedClock(clock, skew), {
    textFormat: settings.textFormat,
    timeZone: settings.timeZone,
    ntp: settings.ntp,
  });
  const strictSize = settings.strictSize;
  let transport: Transport | undefined;
  let stopping = false;
  let stopped: Promise<void> | undefined;

  const reportEvery = (event: string, what: string) => {
    let last = Number.NEGATIVE_INFINITY;
    let suppressed = 0;
    return (error: Error): void => {
      const now = performance.now();
      if (now - last < ERROR_LOG_INTERVAL_MS || !logs(logger, 'warn')) {
        suppressed++;
        return;
      }
      last = now;
      logger.log('warn', event, `${what}: ${error.message}`, {
        worker: options.worker,
        error,
        ...(suppressed > 0 ? { suppressed } : {}),
      });
      suppressed = 0;
    };
  };
  const logSendError = reportEvery('send-error', 'the system refused to send a reply');
  const logSocketError = reportEvery('socket-error', 'the socket reported an error');

  function onDatagram(d: ReceivedDatagram): void {
    try {
      const bytes = d.data;
      const length = bytes.length;
      if (stopping) {
        stats.drop(length > MAX_DATAGRAM_BYTES ? 'unknown' : classify(bytes), 'shutting-down');
        return;
      }
      if (length > MAX_DATAGRAM_BYTES) {
        stats.drop('unknown', 'oversized');
        return;
      }
      const sender = d.sender;
      if (sender.port === 0) {
        stats.drop(classify(bytes), 'source-port-zero');
        return;
      }
      if (limiter !== undefined) {
        // The true clock, in ms: a skewed or stepped served clock must not change what a source may send.
        const nowMs = Number(d.receiveTime) / 1e6;
        if (!limiter.admit(sender.address, nowMs)) {
          const protocol = classify(bytes);
          stats.drop(protocol, 'rate-limited');
          if (protocol === 'ntp' && limiter.kissOfDeath(nowMs)) {
            const request = readNtpRequest(bytes);
            if (request.ok) {
              transport?.send(buildKissOfDeath(request.request, 'RATE'), sender);
              stats.kissOfDeath();
            }
          }
          return;
        }
      }
      const t2 = skew === undefined ? d.receiveTime : skew(d.receiveTime);
      const result = handle(bytes, t2, context);
      if (result.action === 'ignore') {
        stats.drop(result.protocol, result.reason);
        return;
      }
      if (strictSize && result.bytes.length > length) {
        stats.drop(result.protocol, 'smaller-than-reply');
        return;
      }
      transport?.send(result.bytes, sender);
      stats.reply(result.protocol, result.error === true, Number(result.transmitTime - t2));
    } catch {
      // handle() never throws; this guards the socket callback against a bug anywhere else.
      stats.drop('unknown', 'internal-error');
    }
  }

  return {
    async bind(): Promise<Endpoint> {
      const t = options.transport({
        host: settings.host,
        port: options.port,
        clock,
        reusePort: options.reusePort,
        events: {
          datagram: onDatagram,
          sendError: (error) => {
            stats.sendError();
            logSendError(error);
          },
          socketError: (error) => {
            stats.socketError();
            logSocketError(error);
          },
        },
      });
      transport = t;
      try {
        return await t.bind();
      } catch (error) {
        transport = undefined;
        await t.close();
        throw error;
      }
    },

    address(): Endpoint | undefined {
      return stopping ? undefined : transport?.address();
    },

    stop(): Promise<void> {
      stopping = true;
      stopped ??= transport?.close() ?? Promise.resolve();
      return stopped;
    },
  };
}
