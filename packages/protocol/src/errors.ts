/**
 * Every way a call into `@tock/protocol` can throw, with what it means. {@link TockProtocolError} carries one
 * of these keys as `code`. Codes are stable; new ones may be added, none will change meaning.
 *
 * Only setup throws (building a handler context). Per-datagram work never does: {@link handle} returns a
 * typed reason, and the parsers return results.
 */
export const PROTOCOL_ERROR_CODES = {
  BAD_CONTEXT:
    'The options given to `createHandlerContext` are invalid (text format, time zone, NTP settings); the message names the first bad option and `cause` holds the validation error.',
} as const;

/** A stable error code: a key of {@link PROTOCOL_ERROR_CODES}. */
export type ProtocolErrorCode = keyof typeof PROTOCOL_ERROR_CODES;

/**
 * The one error class of `@tock/protocol`. Branch on `code` (see {@link PROTOCOL_ERROR_CODES}); the message
 * is one line meant for people.
 */
export class TockProtocolError extends Error {
  /** Always `'TockProtocolError'`. */
  override readonly name: 'TockProtocolError' = 'TockProtocolError';
  /** The stable code, see {@link PROTOCOL_ERROR_CODES}. */
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
