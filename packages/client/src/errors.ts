import { CodedError } from '@tock/cli-kit';

/** A stable error code: a key of {@link CLIENT_ERROR_CODES}. */
export type ClientErrorCode =
  | 'USAGE'
  | 'BAD_TARGET'
  | 'INVALID_OPTIONS'
  | 'RESOLVE_FAILED'
  | 'UNREACHABLE'
  | 'SOCKET_ERROR'
  | 'TIMEOUT'
  | 'INVALID_REPLY'
  | 'KISS_OF_DEATH'
  | 'SERVER_ERROR'
  | 'ABORTED';

/** What an error code means, and the exit status `tock` ends with when it stops on it. */
export interface ClientErrorInfo {
  /** The exit status of `tock` when it stops on this error. */
  readonly exitCode: number;
  /** What the error means, for people. */
  readonly description: string;
  /** Raised by {@link query} only: `tock` reports it as `USAGE` (the value came from its command line). */
  readonly apiOnly?: boolean;
}

/**
 * Every way a query or the `tock` command can fail, with what it means and the exit status of `tock`. This
 * table is the single source: {@link TockClientError} carries one of its keys as `code`, the CLI takes its
 * exit status from it and prints the code in `--json` errors, and the README lists it. Codes are stable;
 * new ones may be added, none will change meaning.
 */
export const CLIENT_ERROR_CODES: Readonly<Record<ClientErrorCode, ClientErrorInfo>> = {
  USAGE: {
    exitCode: 2,
    description:
      'The command line is not one `tock` accepts: an unknown flag, a missing or bad value, a missing or bad HOST[:PORT].',
  },
  BAD_TARGET: {
    exitCode: 2,
    apiOnly: true,
    description:
      'The target is not `host`, `host:port`, `[v6-address]:port` or `{ host, port }` with a port from 1 to 65535.',
  },
  INVALID_OPTIONS: {
    exitCode: 2,
    apiOnly: true,
    description:
      'An option passed to query() is of the wrong type or out of range (protocol, timeout, retries, format, timeZone).',
  },
  RESOLVE_FAILED: { exitCode: 1, description: 'The host name could not be resolved to an address.' },
  UNREACHABLE: {
    exitCode: 1,
    description:
      'The server host answered the request with an ICMP error (port unreachable: nothing listens there).',
  },
  SOCKET_ERROR: { exitCode: 1, description: 'The local UDP socket failed (bind, connect or send).' },
  TIMEOUT: {
    exitCode: 1,
    description: 'No reply came from the server within the timeout, after every retry.',
  },
  INVALID_REPLY: {
    exitCode: 1,
    description:
      'The server sent something, but nothing usable: not a reply of the protocol asked for, a reply to another request, or an NTP reply that says the server is unsynchronised.',
  },
  KISS_OF_DEATH: {
    exitCode: 1,
    description:
      "The NTP server answered with a Kiss-o'-Death (stratum 0) such as RATE or DENY: slow down or stop asking it.",
  },
  SERVER_ERROR: {
    exitCode: 1,
    description:
      'The tock server answered the JSON request with an error envelope; `serverCode` holds its code.',
  },
  ABORTED: {
    exitCode: 130,
    description:
      'The query was interrupted: Ctrl-C, or the AbortSignal passed in `signal` fired before a reply arrived.',
  },
};

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
export class TockClientError extends CodedError<ClientErrorCode> {
  /** Always `'TockClientError'`. */
  override readonly name: 'TockClientError' = 'TockClientError';
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
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kissCode = details.kissCode;
    this.serverCode = details.serverCode;
    this.attempts = details.attempts ?? 0;
  }

  /** The exit status of `tock` for this error, from {@link CLIENT_ERROR_CODES}. */
  get exitCode(): number {
    return CLIENT_ERROR_CODES[this.code].exitCode;
  }
}
