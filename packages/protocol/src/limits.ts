/** The largest datagram tock reads at all, in bytes; larger ones are ignored unread (`oversized`). */
export const MAX_DATAGRAM_BYTES = 1024;

/** The largest JSON request answered, in bytes; a larger one gets a `REQUEST_TOO_LARGE` error. */
export const JSON_MAX_REQUEST_BYTES = 512;

/** The longest request `id` in a JSON envelope, in characters. */
export const JSON_MAX_ID_LENGTH = 64;

/** The size of an NTP header without extension fields, in bytes. */
export const NTP_PACKET_BYTES = 48;
