import { type Clock, createHandlerContext, type Instant, parseAddress } from '@tock/protocol';
import { type AdmissionRules, admit } from './admission.ts';
import { parseDuration } from './clock/duration.ts';
import { createSkew, type Skew, skewedClock } from './clock/skew.ts';
import { createSystemClock } from './clock/system-clock.ts';
import type { Endpoint, ReceivedDatagram, Transport, TransportFactory } from './io/transport.ts';
import { createLogThrottle, type Logger } from './log.ts';
import type { ServerSettings } from './options.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';
import { createStatsRecorder, type StatsRecorder, statsRegion } from './stats.ts';

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
 * What one engine is built from, the same on the main thread (a server without workers) and in each worker
 * thread; see {@link buildEngine}.
 */
export interface EngineSpec {
  readonly settings: ServerSettings;
  /** The port to bind. */
  readonly port: number;
  /** Which worker this is (0 for a server without worker threads): its region of `counters`, its logs. */
  readonly worker: number;
  /** The counters of all workers, one region of `STATS_SLOTS` doubles each. */
  readonly counters: SharedArrayBuffer;
  /** The shared rate-limit table, or `undefined` when rate limiting is off. */
  readonly limiter: SharedArrayBuffer | undefined;
  /** Where the rate error of `--clock-rate` starts, the same for every worker. */
  readonly epoch: Instant;
  readonly transport: TransportFactory;
  /** Share the port with the other workers' sockets (`SO_REUSEPORT`). */
  readonly reusePort: boolean;
  readonly logger: Logger;
  /** The true clock (default: a system clock of this thread). */
  readonly clock?: Clock;
}

/**
 * Builds an engine the one way both a server without workers and every worker thread do: its clock (a
 * system clock unless one is given), the skew of `--clock-offset` and `--clock-rate` from the shared
 * `epoch`, its stats recorder over region `worker` of the shared counters, and its view of the shared
 * rate-limit table.
 */
export function buildEngine(spec: EngineSpec): Engine {
  const { settings } = spec;
  return createEngine({
    settings,
    port: spec.port,
    clock: spec.clock ?? createSystemClock().now,
    skew: createSkew({
      offsetNs: parseDuration(settings.clockOffset) ?? 0n,
      ratePpm: settings.clockRate,
      epoch: spec.epoch,
    }),
    transport: spec.transport,
    reusePort: spec.reusePort,
    stats: createStatsRecorder(statsRegion(spec.counters, spec.worker)),
    limiter:
      spec.limiter === undefined
        ? undefined
        : createRateLimiter(settings.rateLimit, { buffer: spec.limiter }),
    logger: spec.logger,
    worker: spec.worker,
  });
}

/**
 * Creates the datagram loop of one socket. What happens to each datagram is decided by {@link admit} (the
 * server's admission and the protocol's `handle`); the loop only moves bytes and counts: it sends the reply
 * or the Kiss-o'-Death and feeds the reason to the counters. Nothing here allocates beyond what `admit`
 * does, and nothing is logged per datagram: socket, send and internal errors are logged at most once per
 * 10 seconds each, with a count of the ones kept back.
 */
export function createEngine(options: EngineOptions): Engine {
  const { settings, clock, skew, stats, logger, worker } = options;
  const rules: AdmissionRules = {
    context: createHandlerContext(skewedClock(clock, skew), {
      textFormat: settings.textFormat,
      timeZone: settings.timeZone,
      ntp: settings.ntp,
    }),
    limiter: options.limiter,
    strictSize: settings.strictSize,
  };
  let transport: Transport | undefined;
  let stopping = false;
  let stopped: Promise<void> | undefined;
  /** The sender's words for a transport that gives only text (a custom one). */
  const parsed = new Uint32Array(5);

  const logSendError = createLogThrottle(logger, {
    level: 'warn',
    event: 'send-error',
    what: 'the system refused to send a reply',
    fields: { worker },
  });
  const logSocketError = createLogThrottle(logger, {
    level: 'warn',
    event: 'socket-error',
    what: 'the socket reported an error',
    fields: { worker },
  });
  const logInternalError = createLogThrottle(logger, {
    level: 'error',
    event: 'internal-error',
    what: 'a datagram could not be handled (a bug: it was dropped, the server goes on)',
    fields: { worker },
  });

  function sourceOf(d: ReceivedDatagram): Uint32Array {
    if (d.source !== undefined) return d.source;
    if (parseAddress(d.sender.address, parsed) === 0) parsed[0] = 0;
    return parsed;
  }

  function onDatagram(d: ReceivedDatagram): void {
    try {
      const t2 = skew === undefined ? d.receiveTime : skew(d.receiveTime);
      const sender = d.sender;
      const verdict = admit(rules, d.data, sourceOf(d), sender.port, d.receiveTime, t2, stopping);
      switch (verdict.action) {
        case 'reply':
          transport?.send(verdict.bytes, sender);
          stats.reply(verdict.protocol, verdict.error === true, Number(verdict.transmitTime - t2));
          return;
        case 'ignore':
          stats.drop(verdict.protocol, verdict.reason);
          return;
        case 'kiss-of-death':
          stats.drop(verdict.protocol, verdict.reason);
          transport?.send(verdict.bytes, sender);
          stats.kissOfDeath();
          return;
      }
    } catch (error) {
      // admit() never throws; this guards the socket callback against a bug anywhere else (a transport,
      // the counters), and says what it was.
      stats.drop('unknown', 'internal-error');
      logInternalError(error);
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
