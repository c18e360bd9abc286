import { CodedError } from '@tock/cli-kit';
import { formatHostPort } from '@tock/protocol';

/** A stable error code: a key of {@link SERVER_ERROR_CODES}. */
export type ServerErrorCode =
  | 'USAGE'
  | 'INVALID_CONFIG'
  | 'INVALID_OPTIONS'
  | 'ADDRESS_IN_USE'
  | 'ADDRESS_NOT_AVAILABLE'
  | 'PERMISSION_DENIED'
  | 'BIND_FAILED'
  | 'ALREADY_STARTED'
  | 'NOT_LISTENING'
  | 'WORKER_FAILED';

/** What an error code means, and the exit status `tockd` ends with when it stops on it. */
export interface ServerErrorInfo {
  /** The exit status of `tockd` when it stops on this error. */
  readonly exitCode: number;
  /** What the error means, for people. */
  readonly description: string;
  /** Raised by {@link createServer} only: `tockd` never ends with it. */
  readonly apiOnly?: boolean;
}

/**
 * The errors tockd and {@link createServer} raise, with what each means and the exit status `tockd` ends
 * with. This table is the single source: the CLI's messages, its exit statuses and the README read it.
 * Codes are stable; new ones may be added, none will change meaning.
 */
export const SERVER_ERROR_CODES: Readonly<Record<ServerErrorCode, ServerErrorInfo>> = {
  USAGE: {
    exitCode: 2,
    description: 'A command-line flag is unknown, lacks its value, or has a value that is not allowed.',
  },
  INVALID_CONFIG: {
    exitCode: 2,
    description:
      'A TOCK_* environment variable or the --config file is unreadable, not JSON, or holds a key or value that is not allowed.',
  },
  INVALID_OPTIONS: {
    exitCode: 2,
    apiOnly: true,
    description: 'An option passed to createServer is out of range or of the wrong type.',
  },
  ADDRESS_IN_USE: { exitCode: 1, description: 'Another socket already has the port (EADDRINUSE).' },
  ADDRESS_NOT_AVAILABLE: {
    exitCode: 1,
    description: 'The host is not an address of this machine (EADDRNOTAVAIL).',
  },
  PERMISSION_DENIED: {
    exitCode: 1,
    description: 'Binding the port needs privileges (EACCES), e.g. a port below 1024.',
  },
  BIND_FAILED: { exitCode: 1, description: 'The socket could not be opened or bound for another reason.' },
  ALREADY_STARTED: {
    exitCode: 1,
    apiOnly: true,
    description: 'listen() was called twice, or after close().',
  },
  NOT_LISTENING: {
    exitCode: 1,
    apiOnly: true,
    description: 'address() was called before listen() finished or after close().',
  },
  WORKER_FAILED: {
    exitCode: 70,
    description: 'A worker thread died (a bug in tockd); the server stopped the others.',
  },
};

/**
 * The error tock's server raises for anything that is not a bug: a bad option, a port that cannot be bound,
 * a call in the wrong state. `code` is stable; `message` is for people and names what is wrong.
 */
export class ServerError extends CodedError<ServerErrorCode> {
  /**
   * @param code - what went wrong, from {@link SERVER_ERROR_CODES}.
   * @param message - what went wrong, for people: names the option, address or flag.
   * @param options - `cause`: the underlying error (the OS error of a failed bind, the zod error).
   */
  constructor(code: ServerErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'ServerError';
  }

  /** The exit status of `tockd` for this error, from {@link SERVER_ERROR_CODES}. */
  get exitCode(): number {
    return SERVER_ERROR_CODES[this.code].exitCode;
  }
}

/**
 * Turns the OS error of a failed bind into a {@link ServerError} that says where and why.
 * @param service - `udp` for the time service, `metrics` for the HTTP metrics endpoint.
 */
export function bindError(
  cause: unknown,
  host: string,
  port: number,
  service: 'udp' | 'metrics' = 'udp',
): ServerError {
  const errno = (cause as { code?: unknown } | null)?.code;
  const address = formatHostPort(host, port);
  const where = service === 'udp' ? address : `${address} for metrics (tcp)`;
  switch (errno) {
    case 'EADDRINUSE':
      return new ServerError('ADDRESS_IN_USE', `cannot listen on ${where}: the port is in use`, { cause });
    case 'EADDRNOTAVAIL':
      return new ServerError(
        'ADDRESS_NOT_AVAILABLE',
        `cannot listen on ${where}: not an address of this machine`,
        {
          cause,
        },
      );
    case 'EACCES':
    case 'EPERM':
      return new ServerError('PERMISSION_DENIED', `cannot listen on ${where}: permission denied`, { cause });
    default: {
      const detail = cause instanceof Error ? cause.message : String(cause);
      return new ServerError('BIND_FAILED', `cannot listen on ${where}: ${detail}`, { cause });
    }
  }
}
