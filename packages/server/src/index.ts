/**
 * `@tock/server`: tock's UDP time server, the library behind the `tockd` command. One port answers three
 * protocols: plain text (RFC 867 daytime, the lab's `Time request`), tock's JSON envelope, and NTP
 * (SNTP server mode, RFC 5905 / RFC 4330), on one thread or on worker threads sharing the port, with
 * per-source rate limits, Prometheus metrics and a deliberately wrong clock on request.
 *
 * ```ts
 * import { createServer } from '@tock/server';
 * const server = createServer({ host: '::', port: 5005, workers: 'auto', metrics: { port: 9123 } });
 * const { address, port } = await server.listen();
 * // … later
 * console.log(server.stats());
 * await server.close();
 * ```
 *
 * @packageDocumentation
 */

/** The base of every tock error class: a stable `code` and the exit status its CLI ends with. */
export { CodedError } from '@tock/cli-kit';
export { createSystemClock, type SystemClock, type SystemClockOptions } from './clock/system-clock.ts';
export { SERVER_ERROR_CODES, ServerError, type ServerErrorCode, type ServerErrorInfo } from './errors.ts';
export {
  type BatchedTransport,
  type BatchedTransportOptions,
  createBatchedTransport,
} from './io/batched-transport.ts';
export type {
  Endpoint,
  ReceivedDatagram,
  Transport,
  TransportEvents,
  TransportFactory,
  TransportOptions,
} from './io/transport.ts';
export { createJsonLogger, type LogFields, type Logger } from './log.ts';
export { METRICS, type RateLimitState } from './metrics.ts';
export {
  IO_MODES,
  type IoMode,
  LOG_LEVELS,
  type LogLevel,
  MetricsOptionsSchema,
  RateLimitOptionsSchema,
  ServerOptionsSchema,
  type ServerSettings,
  type ServerSettingsInput,
} from './options.ts';
export { createServer, type ServerOptions, type TockServer } from './server.ts';
export {
  DROP_REASON_HELP,
  DROP_REASONS,
  type DropReason,
  PROCESSING_BUCKETS_SECONDS,
  type ProcessingHistogram,
  type ServerStats,
} from './stats.ts';
