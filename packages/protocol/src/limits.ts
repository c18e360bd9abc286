/** The largest datagram tock reads at all, in bytes; larger ones are ignored unread (`oversized`). */
export const MAX_DATAGRAM_BYTES = 1024;

/** The largest JSON request answered, in bytes; a larger one gets a `REQUEST_TOO_LARGE` error. */
export const JSON_MAX_REQUEST_BYTES = 512;

/** The longest request `id` in a JSON envelope, in characters. */
export const JSON_MAX_ID_LENGTH = 64;

/** The size of an NTP header without extension fields, in bytes. */
export const NTP_PACKET_BYTES = 48;

/**
 * Pad a text request with trailing spaces to this many bytes and it is at least as large as any text reply
 * (the longest, an `iso` line with a zone offset, is 31 bytes), so a server that never sends more than it
 * received (`tockd --strict-size`) still answers it. Trailing spaces change nothing: keywords are trimmed.
 */
export const TEXT_REQUEST_PADDED_BYTES = 32;

/**
 * Pad a JSON request with trailing spaces (valid JSON white space) to this many bytes and it is at least as
 * large as its response, whatever its `id` and `format`, so a server that never sends more than it received
 * still answers it.
 */
export const JSON_REQUEST_PADDED_BYTES = 256;
