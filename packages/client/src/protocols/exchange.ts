import { type Instant, looksLikeTimeLine } from '@tock/protocol';
import type { ClientErrorCode } from '../errors.ts';
import type { QueryResult } from '../result.ts';

/** One request sent during a query: what its reply must carry (`token`) and when it left (T1). */
export interface SentRequest<Token> {
  readonly token: Token;
  readonly t1: Instant;
}

/** Why a query failed, before it becomes a `TockClientError` (which also counts the attempts). */
export interface Problem {
  readonly code: ClientErrorCode;
  readonly message: string;
  readonly kissCode?: string;
  readonly serverCode?: string;
}

/**
 * Why a datagram was not taken as the reply. A closed set:
 * - `wrong-sender`: it came from another address or port than the one asked;
 * - `unmatched`: a reply of the right protocol, but not to a request of this query (JSON `id` or NTP origin
 *   timestamp differs, NTP mode is not "server", an error envelope without `id`);
 * - `malformed`: not a reply of the protocol asked for at all.
 */
export type IgnoreReason = 'wrong-sender' | 'unmatched' | 'malformed';

/** The result fields a protocol computes; the query adds `server` and `attempts`. */
export type ResultPart<R extends QueryResult = QueryResult> = R extends QueryResult
  ? Omit<R, 'server' | 'attempts'>
  : never;

/**
 * What to do with a datagram from the server:
 * - `accept`: it answers one of our requests; the query is done.
 * - `fail`: it answers one of our requests but says no (Kiss-o'-Death, error envelope, unsynchronised): the
 *   query fails now, without retrying.
 * - `ignore`: not for us; keep waiting. When nothing better arrives, `problem` (or an `INVALID_REPLY` naming
 *   `detail`) is reported instead of a plain timeout, since the server did send something.
 */
export type Verdict<R extends QueryResult = QueryResult> =
  | { readonly kind: 'accept'; readonly result: ResultPart<R> }
  | { readonly kind: 'fail'; readonly problem: Problem }
  | {
      readonly kind: 'ignore';
      readonly reason: IgnoreReason;
      readonly detail: string;
      readonly problem?: Problem;
    };

/** One protocol's side of a query: how to build requests and how to judge what comes back. Never throws. */
export interface ProtocolExchange<Token, R extends QueryResult = QueryResult> {
  /** Builds a new request with a fresh token (nonce). */
  newRequest(): { readonly bytes: Uint8Array; readonly token: Token };
  /**
   * Judges a datagram that came from the server's address.
   * @param bytes - the datagram.
   * @param t4 - when it arrived.
   * @param sent - every request of this query so far, oldest first; a reply may answer any of them.
   */
  readReply(bytes: Uint8Array, t4: Instant, sent: readonly SentRequest<Token>[]): Verdict<R>;
}

const lenientUtf8 = new TextDecoder('utf-8', { fatal: false });

/** A short, printable preview of a datagram for messages. */
export function preview(bytes: Uint8Array): string {
  const text = lenientUtf8.decode(bytes.subarray(0, 48));
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
  return `${bytes.length} bytes ${shown}`;
}

/** A hint when a JSON or NTP query got a plain-text time line back: the server speaks daytime only. */
export function textLineHint(bytes: Uint8Array): string {
  if (bytes.length > 64) return '';
  return looksLikeTimeLine(lenientUtf8.decode(bytes))
    ? ' (it looks like a plain-text time line: try protocol text)'
    : '';
}
