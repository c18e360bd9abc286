/**
 * `@tock/server`: tock's UDP time server, the library behind the `tockd` command. One port answers three
 * protocols: plain text (RFC 867 daytime, the lab's `Time request`), tock's JSON envelope, and NTP
 * (SNTP server mode, RFC 5905 / RFC 4330).
 *
 * ```ts
 * import { createServer } from '@tock/server';
 * const server = createServer({ host: '::', port: 5005 });
 * const { address, port } = await server.listen();
 * // … later
 * console.log(server.stats());
 * await server.close();
 * ```
 *
 * @packageDocumentation
 */
export { createSystemClock, type SystemClock, type SystemClockOptions } from './clock/system-clock.ts';
export { SERVER_ERROR_CODES, ServerError, type ServerErrorCode, type ServerErrorInfo } from './errors.ts';
export type {
  Endpoint,
  ReceivedDatagram,
  Transport,
  TransportEvents,
  TransportFactory,
  TransportOptions,
} from './io/transport.ts';
export { ServerOptionsSchema, type ServerSettings, type ServerSettingsInput } from './options.ts';
export { createServer, type ServerOptions, type TockServer } from './server.ts';
export { DROP_REASONS, type DropReason, type ServerStats } from './stats.ts';
