/**
 * Every way a query can fail, with what it means. This table is the single source: {@link TockClientError}
 * carries one of its keys as `code`, the CLI maps each to an exit status and prints it in `--json` errors,
 * and the README lists it. Codes are stable; new ones may be added, none will change meaning.
 */
export const CLIENT_ERROR_CODES = {
  BAD_TARGET:
    'The target is not `host`, `host:port`, `[v6-address]:port` or `{ host, port }` with a port from 1 to 65535.',
  BAD_OPTION:
    'An option is of the wrong type or out of range (protocol, timeout, retries, format, timeZone).',
  RESOLVE_FAILED: 'The host name could not be resolved to an address.',
  UNREACHABLE:
    'The server host answered the request with an ICMP error (port unreachable: nothing listens there).',
  SOCKET_ERROR: 'The local UDP socket failed (bind, connect or send).',
  TIMEOUT: 'No reply came from the server within the timeout, after every retry.',
  INVALID_REPLY:
    'The server sent something, but nothing usable: not a reply of the protocol asked for, a reply to another request, or an NTP reply that says the server is unsynchronised.',
  KISS_OF_DEATH:
    "The NTP server answered with a Kiss-o'-Death (stratum 0) such as RATE or DENY: slow down or stop asking it.",
  SERVER_ERROR:
    'The tock server answered the JSON request with an error envelope; `serverCode` holds its code.',
  ABORTED: 'The AbortSignal passed in `signal` fired before a reply arrived.',
} as const;

/** A stable error code: a key of {@link CLIENT_ERROR_CODES}. */
export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES;

/** All client error codes, in table order. */
export const CLIENT_ERROR_CODE_LIST: readonly ClientErrorCode[] = Object.keys(
  CLIENT_ERROR_CODES,
) as ClientErrorCode[];

/** Optional facts attached to a {@link TockClientError}. */
export interface TockClientErrorDetails {
  /** The underlying error (an errno exception, the abort reason). */
  readonly cause?: unknown;
  /** For `KISS_OF_DEATH`: the kiss code, such as `RATE`, `DENY` or `RSTR`. */
  readonly kissCode?: string;
  /** For `SERVER_ERROR`: the code of the server's JSON error envelope. */
  readonly serverCode?: string;
  /** How many requests had been sent when the query failed (0 when it failed before sending). */
  readonly attempts?: number;
}

/**
 * The one error class of `@tock/client`: every rejection of {@link query} is a `TockClientError` whose
 * `code` comes from {@link CLIENT_ERROR_CODES}. The message is one line meant for people; programs should
 * branch on `code`.
 */
export class TockClientError extends Error {
  /** Always `'TockClientError'`. */
  override readonly name: 'TockClientError' = 'TockClientError';
  /** The stable code, see {@link CLIENT_ERROR_CODES}. */
  readonly code: ClientErrorCode;
  /** For `KISS_OF_DEATH`: the kiss code (`RATE`, `DENY`, `RSTR`, ...). */
  readonly kissCode: string | undefined;
  /**
   * For `SERVER_ERROR`: the code of the server's JSON error envelope, one of the protocol's
   * `JSON_ERROR_CODES`, or a code added by a newer server.
   */
  readonly serverCode: string | undefined;
  /** How many requests had been sent when the query failed. */
  readonly attempts: number;

  /**
   * @param code - one of {@link CLIENT_ERROR_CODES}.
   * @param message - one line for people, without a trailing period.
   * @param details - optional facts, see {@link TockClientErrorDetails}.
   */
  constructor(code: ClientErrorCode, message: string, details: TockClientErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.kissCode = details.kissCode;
    this.serverCode = details.serverCode;
    this.attempts = details.attempts ?? 0;
  }
}
