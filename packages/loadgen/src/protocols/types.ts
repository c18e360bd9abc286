/** The protocols the load generator speaks. `echo` is for calibration against a plain UDP echo server. */
export type ProtocolName = 'ntp' | 'json' | 'text' | 'echo';

/** Every {@link ProtocolName}. */
export const PROTOCOLS: readonly ProtocolName[] = ['ntp', 'json', 'text', 'echo'];

/**
 * Why a reply counts as invalid. A closed set; the result counts invalid replies by these names.
 * - `malformed`: does not parse as a reply of the protocol (zod schema, NTP header, time line).
 * - `unmatched`: parses, but names no request this generator sent (unknown NTP origin or JSON id).
 * - `error-reply`: a JSON error envelope.
 * - `kiss-of-death`: an NTP Kiss-o'-Death (stratum 0).
 * - `unsynchronised`: an NTP reply that says the server is unsynchronised (leap 3, stratum 16, zero timestamps).
 * - `wrong-time`: the server's time lies outside [send − tolerance, receive + tolerance].
 * - `bad-echo`: a JSON reply that does not echo the request's `t1`, or an echo that changed the payload.
 */
export type InvalidReason =
  | 'malformed'
  | 'unmatched'
  | 'error-reply'
  | 'kiss-of-death'
  | 'unsynchronised'
  | 'wrong-time'
  | 'bad-echo';

/** Every {@link InvalidReason}. */
export const INVALID_REASONS: readonly InvalidReason[] = [
  'malformed',
  'unmatched',
  'error-reply',
  'kiss-of-death',
  'unsynchronised',
  'wrong-time',
  'bad-echo',
];

/** {@link ReplyCodec.key}: the protocol carries no request key (text); match the reply by arrival order. */
export const NO_KEY = -1;
/** {@link ReplyCodec.key}: the reply does not parse. */
export const KEY_MALFORMED = -2;
/** {@link ReplyCodec.key}: the reply parses but names no request of this client. */
export const KEY_UNMATCHED = -3;
/** {@link ReplyCodec.key}: a JSON error envelope without a request id. */
export const KEY_ERROR_REPLY = -4;

/** The invalid reason for a negative {@link ReplyCodec.key} result. */
export function reasonOfKey(key: number): InvalidReason {
  if (key === KEY_UNMATCHED) return 'unmatched';
  if (key === KEY_ERROR_REPLY) return 'error-reply';
  return 'malformed';
}

/** Settings every codec needs. */
export interface CodecSettings {
  /** How far a server's time may lie outside [send, receive], in milliseconds. */
  readonly toleranceMs: number;
  /** IANA zone in which to read `ctime` lines and ISO lines without an offset. */
  readonly timeZone: string;
  /** The datagram a text request carries. */
  readonly textRequest: string;
  /** A random non-zero 32-bit number naming this client in its requests (NTP nonce, JSON id, echo payload). */
  readonly salt: number;
}

/**
 * One client's request maker and reply checker for one protocol. Requests are numbered per client (`seq`,
 * 0, 1, 2, …); keyed protocols carry the number in the request so that the reply names it.
 *
 * A reply may be a view of a buffer that the next datagram overwrites (batched I/O reuses one view per
 * receive slot): `key` and `check` read it during the call and keep nothing that depends on its identity,
 * except that `check` may reuse what `key` just parsed of the same bytes (the engine calls `check` right after
 * `key`).
 */
export interface ReplyCodec {
  /** Whether replies name their request (NTP origin, JSON id, echo payload); text replies do not. */
  readonly keyed: boolean;
  /** The request datagram for request `seq`, sent at `sendWallMs` (epoch ms). */
  request(seq: number, sendWallMs: number): Uint8Array;
  /**
   * Which request a reply answers: its `seq`, {@link NO_KEY} for a protocol without keys, or a negative
   * code ({@link KEY_MALFORMED}, {@link KEY_UNMATCHED}, {@link KEY_ERROR_REPLY}).
   */
  key(reply: Uint8Array): number;
  /**
   * Checks a reply to request `seq`, sent at `sendWallMs` and answered at `receiveWallMs`.
   * @returns `undefined` when the reply is valid, else why not.
   */
  check(reply: Uint8Array, seq: number, sendWallMs: number, receiveWallMs: number): InvalidReason | undefined;
}

/** Whether a time claimed by a server, known to lie in `[atMs, atMs + resolutionMs)`, fits the window. */
export function withinWindow(
  atMs: number,
  resolutionMs: number,
  sendWallMs: number,
  receiveWallMs: number,
  toleranceMs: number,
): boolean {
  return atMs + resolutionMs > sendWallMs - toleranceMs && atMs <= receiveWallMs + toleranceMs;
}
