/**
 * The error codes a tock server puts in a JSON `error` envelope, with what each means. This table is the
 * single source: the server, the client and the documentation all read it. Codes are stable; new ones may
 * be added, none will change meaning.
 */
export const JSON_ERROR_CODES = {
  MALFORMED_JSON: 'The datagram starts like JSON but is not a valid JSON object.',
  UNSUPPORTED_VERSION: 'The envelope version `v` is missing or not one this server speaks (only 1).',
  UNKNOWN_TYPE: 'The `type` is not a request this server answers (only `time.request`).',
  INVALID_FIELD: 'A field is missing, of the wrong type, or out of range; the message names it.',
  REQUEST_TOO_LARGE: 'The JSON request is larger than the limit (JSON_MAX_REQUEST_BYTES).',
} as const;

/** A stable error code of the JSON envelope: a key of {@link JSON_ERROR_CODES}. */
export type JsonErrorCode = keyof typeof JSON_ERROR_CODES;

/** All JSON error codes, in table order. */
export const JSON_ERROR_CODE_LIST: readonly JsonErrorCode[] = Object.keys(
  JSON_ERROR_CODES,
) as JsonErrorCode[];
