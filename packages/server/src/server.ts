import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import type { Clock } from '@tock/protocol';
import { createSystemClock } from './clock/system-clock.ts';
import { buildEngine, type Engine } from './engine.ts';
import { bindError, ServerError } from './errors.ts';
import { chooseTransport } from './io/choose.ts';
import type { Endpoint, TransportFactory } from './io/transport.ts';
import { type Logger, silentLogger } from './log.ts';
import { type MetricsServer, type RateLimitState, renderMetrics, startMetricsServer } from './metrics.ts';
import {
  type IoMode,
  ServerOptionsSchema,
  type ServerSettings,
  type ServerSettingsInput,
} from './options.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';
import { type ServerStats, statsBufferBytes, statsRegion, sumStats } from './stats.ts';
import { VERSION } from './version.ts';
import { startWorkers, type WorkerPool } from './workers/pool.ts';

/**
 * Options of {@link createServer}. All are optional:
 * - `host`: the IP address to listen on (default `127.0.0.1`). `::` listens on every IPv6 and IPv4 address
 *   (one dual-stack socket), `0.0.0.0` on every IPv4 address, `::1` on IPv6 loopback.
 * - `port`: the UDP port (default 5005; 0 lets the OS pick one, see {@link TockServer.address}).
 * - `workers`: worker threads, each with its own socket on the port (`SO_REUSEPORT`), or `auto` for one per
 *   core (default 1: no threads, the socket is served on the calling thread).
 * - `textFormat`: the format of plain-text replies and of the JSON `time` field: `ctime` (default), `iso`,
 *   `unix` or `unix-ms`.
 * - `timeZone`: the IANA zone of `ctime` and `iso` replies (default: the machine's zone).
 * - `ntp`: what NTP replies announce: `stratum` (1–15, default 2), `referenceId` (default `LOCL`),
 *   `precision`, `leap`, `rootDelay`, `rootDispersion` (see the protocol's `NtpServerOptions`).
 * - `rateLimit`: `rate` replies per second per source (default 16; 0 turns limiting off), `burst` (32),
 *   `table` (the most sources tracked, 65,536), `exempt` (CIDR ranges, default loopback).
 * - `strictSize`: answer only requests at least as large as their reply (default false).
 * - `metrics`: `port` (default: none) and `host` (default `127.0.0.1`) of the HTTP `/metrics` and
 *   `/healthz` endpoint.
 * - `logLevel`: for `tockd`'s logger (the library logs to `logger`, which filters itself).
 * - `clockOffset` (a duration such as `1h` or `-500ms`) and `clockRate` (ppm): serve a deliberately wrong
 *   clock.
 * - `clock`: the true clock (default: a {@link createSystemClock} clock with sub-ms resolution).
 * - `io`: `batched` (default): datagrams move in batches through a native addon (`recvmmsg`/`sendmmsg`,
 *   Linux) and get the kernel's receive timestamp; where the addon does not load, the server logs
 *   `io-fallback` once and uses `dgram` (`node:dgram`), which `io: 'dgram'` picks outright.
 * - `transport`: a socket implementation of your own (overrides `io`).
 * - `logger`: where to report events such as a worker fallback or socket errors (default: nowhere).
 *
 * A custom `clock` or `transport` is a function, which cannot be handed to worker threads: with either,
 * `workers` must be 1 (`auto` then means 1).
 */
export type ServerOptions = ServerSettingsInput & {
  readonly clock?: Clock;
  readonly transport?: TransportFactory;
  readonly logger?: Logger;
};

/** A running (or not yet started) tock server; see {@link createServer}. */
export interface TockServer {
  /**
   * Binds the socket(s), starts the workers and the metrics endpoint, and starts answering. Resolves with
   * the bound address.
   * @throws ServerError `ADDRESS_IN_USE`, `ADDRESS_NOT_AVAILABLE`, `PERMISSION_DENIED` or `BIND_FAILED` when
   *   a socket cannot be bound; `ALREADY_STARTED` when called twice or after {@link TockServer.close}.
   */
  listen(): Promise<Endpoint>;
  /**
   * The address the server listens on (with the actual port when `port` was 0).
   * @throws ServerError `NOT_LISTENING` before `listen()` resolved or after `close()`.
   */
  address(): Endpoint;
  /** Where `/metrics` and `/healthz` are served, when `metrics.port` was given and the server listens. */
  metricsAddress(): Endpoint | undefined;
  /**
   * Stops gracefully: no datagram is answered from now on (late ones are counted as `shutting-down`),
   * replies already handed to the sockets are given up to a second to leave, then the sockets, the workers
   * and the metrics endpoint are closed. Safe to call at any time and more than once.
   */
  close(): Promise<void>;
  /** A snapshot of the counters of all workers together, and of the rate limiter. */
  stats(): ServerStats & { readonly rateLimit?: RateLimitState };
  /** A snapshot of each worker's counters (one entry for a server without worker threads). */
  workerStats(): readonly ServerStats[];
  /** The Prometheus text exposition that `GET /metrics` serves. */
  metrics(): Promise<string>;
  /** How many workers answer (after `listen()`): `workers`, or 1 where threads cannot share a port. */
  workers(): number;
  /**
   * The transport in use (after `listen()`): `batched`, `dgram` (asked for, or where the batched addon did not
   * load), or `custom` for a `transport` option.
   */
  io(): IoMode | 'custom' | undefined;
  /**
   * Resolves if the server stopped by itself: a worker thread died (a bug), and the server closed the
   * others. Never rejects; never resolves for a server that is only closed with `close()`.
   */
  readonly failed: Promise<ServerError>;
  /** The options in effect, with every default filled in. */
  readonly settings: ServerSettings;
}

/** Platforms where `node:dgram`'s `reusePort` spreads datagrams over the sockets of one port. */
const REUSE_PORT_PLATFORMS: ReadonlySet<string> = new Set(['linux', 'freebsd', 'dragonfly', 'sunos', 'aix']);

/**
 * How many workers to run: `requested` (`auto`: `cores`), or 1 where the platform cannot share a UDP port
 * between sockets, with the message that says so.
 */
export function planWorkers(
  requested: number | 'auto',
  platform: string,
  cores: number,
): { readonly workers: number; readonly fallback?: string } {
  const workers = requested === 'auto' ? Math.max(1, cores) : requested;
  if (workers > 1 && !REUSE_PORT_PLATFORMS.has(platform)) {
    return {
      workers: 1,
      fallback:
        `--workers ${requested}: ${platform} cannot spread one UDP port over several sockets ` +
        '(SO_REUSEPORT load balancing, Linux or FreeBSD); running 1 worker',
    };
  }
  return { workers };
}

/**
 * Creates a UDP time server that answers plain text (daytime), tock's JSON envelope and NTP (SNTP server
 * mode) on one port, using `handle` from `@tock/protocol` for every datagram. Nothing is bound until
 * {@link TockServer.listen}.
 *
 * With `workers` above 1, each worker thread binds its own socket on the port (`SO_REUSEPORT`) and the
 * kernel spreads clients over them; the workers count into one shared block of counters and rate limit
 * through one shared table, so that stats, metrics and limits are those of one server.
 *
 * Every datagram gets its receive time from the clock as soon as it arrives; the transmit time is read
 * last thing before the reply is sent. Malformed, truncated, oversized or rate-limited datagrams are
 * dropped (or, for JSON, answered with an error envelope) and counted in {@link TockServer.stats}; neither
 * they nor socket errors stop the server.
 *
 * @throws ServerError `INVALID_OPTIONS` naming the first bad option.
 */
export function createServer(options: ServerOptions = {}): TockServer {
  const { clock: givenClock, transport: givenTransport, logger = silentLogger, ...data } = options;
  const parsed = ServerOptionsSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'options';
    throw new ServerError('INVALID_OPTIONS', `${where}: ${issue?.message ?? 'invalid'}`, {
      cause: parsed.error,
    });
  }
  const settings = parsed.data;
  const inProcessOnly = givenClock !== undefined || givenTransport !== undefined;
  if (inProcessOnly && typeof settings.workers === 'number' && settings.workers > 1) {
    throw new ServerError(
      'INVALID_OPTIONS',
      'workers: a custom clock or transport cannot be handed to worker threads; use workers: 1',
    );
  }
  const clock = givenClock ?? createSystemClock().now;

  let regions: Float64Array[] = [];
  let limiter: RateLimiter | undefined;
  let engine: Engine | undefined;
  let pool: WorkerPool | undefined;
  let metricsServer: MetricsServer | undefined;
  let listening: Promise<Endpoint> | undefined;
  let listeningAddress: Endpoint | undefined;
  let closing: Promise<void> | undefined;
  let workerCount = 0;
  let ioInUse: IoMode | 'custom' | undefined;
  let reportFailure: (error: ServerError) => void = () => undefined;
  const failed = new Promise<ServerError>((resolve) => {
    reportFailure = resolve;
  });

  const rateLimitState = (): RateLimitState | undefined =>
    limiter === undefined
      ? undefined
      : {
          sources: limiter.sources(),
          limited: limiter.limitedSources(Number(clock()) / 1e6),
          capacity: limiter.capacity,
        };

  async function start(): Promise<Endpoint> {
    const plan = planWorkers(inProcessOnly ? 1 : settings.workers, process.platform, availableParallelism());
    if (plan.fallback !== undefined) logger.log('warn', 'workers-fallback', plan.fallback, { workers: 1 });
    workerCount = plan.workers;
    // With a custom clock, datagrams are stamped from it: the kernel's timestamps are of the real clock.
    const io = chooseTransport(settings.io, givenClock === undefined ? 'kernel' : 'clock');
    if (givenTransport === undefined && io.fallback !== undefined) {
      logger.log('warn', 'io-fallback', io.fallback, { io: io.io });
    }
    ioInUse = givenTransport === undefined ? io.io : 'custom';
    const counters = new SharedArrayBuffer(statsBufferBytes(workerCount));
    regions = Array.from({ length: workerCount }, (_, i) => statsRegion(counters, i));
    if (settings.rateLimit.rate > 0) limiter = createRateLimiter(settings.rateLimit);
    const epoch = clock();
    const { host } = settings;

    let address: Endpoint;
    if (workerCount === 1) {
      // The same assembly as each worker thread (workers/thread.ts), with this thread's clock.
      engine = buildEngine({
        settings,
        port: settings.port,
        worker: 0,
        counters,
        limiter: limiter?.buffer,
        epoch,
        transport: givenTransport ?? io.factory,
        reusePort: false,
        logger,
        clock,
      });
      try {
        address = await engine.bind();
      } catch (error) {
        throw bindError(error, host, settings.port);
      }
    } else {
      const port = await reservePort(host, settings.port);
      try {
        pool = await startWorkers({
          count: workerCount,
          settings,
          port,
          counters,
          limiter: limiter?.buffer,
          epoch,
          logger,
          io: io.io,
        });
      } catch (error) {
        throw bindError(error, host, port);
      }
      address = pool.address;
      void pool.failed.then((error) => {
        reportFailure(new ServerError('WORKER_FAILED', error.message, { cause: error }));
        void close();
      });
    }

    const { metrics } = settings;
    if (metrics.port !== undefined) {
      try {
        metricsServer = await startMetricsServer({
          host: metrics.host,
          port: metrics.port,
          render: renderAll,
          healthy: () => closing === undefined && listeningAddress !== undefined,
        });
      } catch (error) {
        await engine?.stop();
        await pool?.stop();
        throw bindError(error, metrics.host, metrics.port, 'metrics');
      }
    }
    listeningAddress = address;
    return address;
  }

  function renderAll(): Promise<string> {
    return renderMetrics({
      workers: regions.map((region) => sumStats([region])),
      rateLimit: rateLimitState(),
      version: VERSION,
    });
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      // Once listening, stop at once (no await before it): not one more datagram is answered.
      if (listeningAddress === undefined) await listening?.catch(() => undefined);
      await Promise.all([engine?.stop(), pool?.stop()]);
      await metricsServer?.close();
    })();
    return closing;
  }

  return {
    settings,
    failed,
    listen(): Promise<Endpoint> {
      if (listening !== undefined || closing !== undefined) {
        return Promise.reject(
          new ServerError('ALREADY_STARTED', 'listen() may be called once, before close()'),
        );
      }
      listening = start();
      return listening;
    },
    address(): Endpoint {
      const address = closing === undefined ? listeningAddress : undefined;
      if (address === undefined) throw new ServerError('NOT_LISTENING', 'the server is not listening');
      return address;
    },
    metricsAddress(): Endpoint | undefined {
      return closing === undefined ? metricsServer?.address : undefined;
    },
    close,
    stats() {
      const rateLimit = rateLimitState();
      const stats = sumStats(regions);
      return rateLimit === undefined ? stats : { ...stats, rateLimit };
    },
    workerStats: () => regions.map((region) => sumStats([region])),
    metrics: renderAll,
    workers: () => workerCount,
    io: () => ioInUse,
  };
}

/**
 * Makes sure no other socket has `host`:`port` (or picks a free port when it is 0) by binding it briefly
 * without `SO_REUSEPORT`: the workers then bind it with `SO_REUSEPORT`, which on its own would let them
 * join the sockets of another tockd already on the port instead of failing.
 */
function reservePort(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4', reuseAddr: false });
    socket.once('error', (error) => {
      socket.close();
      reject(bindError(error, host, port));
    });
    socket.bind({ address: host, port }, () => {
      const bound = socket.address().port;
      socket.close(() => resolve(bound));
    });
  });
}
