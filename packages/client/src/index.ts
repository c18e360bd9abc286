/**
 * `@tock/client`: ask a time server for its time over UDP, in plain text (daytime), tock's JSON envelope or
 * NTP, with the clock offset and round-trip delay for JSON and NTP.
 *
 * - {@link query} sends the request, matches the reply, retries, and always closes its socket.
 * - Every failure is a {@link TockClientError} with a stable `code` from {@link CLIENT_ERROR_CODES}.
 *
 * The `tock` command line program is in `@tock/client/cli` (and the `tock` bin).
 *
 * @packageDocumentation
 */
/** The protocol and text-format names used in {@link QueryOptions}, re-exported from `@tock/protocol`. */

/** The base of every tock error class: a stable `code` and the exit status its CLI ends with. */
export { CodedError } from '@tock/cli-kit';
export type { Protocol, TextFormat } from '@tock/protocol';
export {
  CLIENT_ERROR_CODE_LIST,
  CLIENT_ERROR_CODES,
  type ClientErrorCode,
  type ClientErrorInfo,
  TockClientError,
  type TockClientErrorDetails,
} from './errors.ts';
export type { IgnoreReason } from './protocols/exchange.ts';
export {
  type IgnoredDatagram,
  QUERY_DEFAULTS,
  type QueryOptions,
  type QueryResultFor,
  query,
} from './query.ts';
export type {
  JsonQueryResult,
  NtpQueryResult,
  QueryResult,
  QueryResultBase,
  ServerEndpoint,
  TextQueryResult,
} from './result.ts';
export { DEFAULT_PORT, type Target } from './target.ts';
