import type { JsonTimeResponse, NtpPacket, Protocol, TextFormat } from '@tock/protocol';

/** The server a result came from. */
export interface ServerEndpoint {
  /** The host as given in the target (a name or an address). */
  readonly host: string;
  /** The address the request went to and the reply came from. */
  readonly address: string;
  /** The UDP port. */
  readonly port: number;
  /** The address family. */
  readonly family: 'IPv4' | 'IPv6';
}

/** What every result has. */
export interface QueryResultBase {
  /** The protocol spoken. */
  readonly protocol: Protocol;
  /**
   * The server's time when it sent the reply (T3 for NTP and JSON; the time line for text). A `Date` keeps
   * whole milliseconds; `offsetMs` and `delayMs` keep the fractions.
   */
  readonly time: Date;
  /** The server that answered. */
  readonly server: ServerEndpoint;
  /** How many requests were sent, counting the first (1 means the first request was answered). */
  readonly attempts: number;
}

/**
 * The result of a plain-text (daytime) query. The line carries no send or receive timestamps and, in the
 * common `ctime` format, only whole seconds, so no offset or delay is computed: `offsetMs` and `delayMs`
 * are `null` and `resolutionMs` says how coarse `time` is.
 */
export interface TextQueryResult extends QueryResultBase {
  readonly protocol: 'text';
  /** Always `null` for text: see {@link TextQueryResult}. */
  readonly offsetMs: null;
  /** Always `null` for text: see {@link TextQueryResult}. */
  readonly delayMs: null;
  /**
   * The resolution of the line in milliseconds: 1000 for `ctime` and `unix` (whole seconds), 1 for `iso`
   * with milliseconds and `unix-ms`. The server's true time lies in `[time, time + resolutionMs)`.
   */
  readonly resolutionMs: number;
  /** The format the line was in. */
  readonly format: TextFormat;
  /** The reply exactly as received, decoded as UTF-8 (line ending included when the server sent one). */
  readonly raw: string;
}

/** The result of a tock JSON query. */
export interface JsonQueryResult extends QueryResultBase {
  readonly protocol: 'json';
  /** How far the server's clock is ahead of ours, in milliseconds (negative when behind). */
  readonly offsetMs: number;
  /** Round-trip network delay in milliseconds, without the server's processing time. */
  readonly delayMs: number;
  /** The server's `time.response` envelope, as received. */
  readonly raw: JsonTimeResponse;
}

/** The result of an NTP (SNTP, RFC 4330) query. */
export interface NtpQueryResult extends QueryResultBase {
  readonly protocol: 'ntp';
  /** How far the server's clock is ahead of ours, in milliseconds (negative when behind). */
  readonly offsetMs: number;
  /** Round-trip network delay in milliseconds, without the server's processing time. */
  readonly delayMs: number;
  /** The server's reply packet, every field as on the wire. */
  readonly raw: NtpPacket;
}

/** What {@link query} resolves to; `protocol` tells which. */
export type QueryResult = TextQueryResult | JsonQueryResult | NtpQueryResult;
