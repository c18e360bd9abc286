/**
 * The error convention of every tock package: a table of stable codes, each with the exit status its CLI
 * ends with and what it means, and an error class per package whose `code` is a key of that table.
 * (fastify `lib/errors.js`, trpc `rpc/codes.ts`: one table feeds the message, the exit status and the docs.)
 */

/** The exit status of every usage error (a flag, value or argument that is not allowed), in every CLI. */
export const EXIT_USAGE = 2;

/** The exit status of an internal error (a bug), in every CLI: `EX_SOFTWARE` of sysexits.h. */
export const EXIT_INTERNAL = 70;

/** What an error code means, and the exit status a CLI ends with when it stops on it. */
export interface ErrorInfo {
  /** The exit status of the package's CLI when it stops on this error. */
  readonly exitCode: number;
  /** What the error means, for people (one or two sentences, Markdown code spans allowed). */
  readonly description: string;
  /** Raised by the library API only: the CLI never ends with it (its exit status is then not listed). */
  readonly apiOnly?: boolean;
}

/**
 * A package's code table: every code its error class may carry. Every table has `USAGE`, with exit status
 * {@link EXIT_USAGE}, for a command line the CLI does not accept.
 */
export type ErrorTable<Code extends string> = Readonly<Record<Code | 'USAGE', ErrorInfo>>;

/**
 * The base of each package's error class (`ServerError`, `TockClientError`, `LoadgenError`): a message for
 * people and a stable `code` from the package's code table, which also gives the exit status.
 */
export abstract class CodedError<Code extends string = string> extends Error {
  /** What went wrong: a key of the package's code table. Stable; the message may change. */
  readonly code: Code;

  /**
   * @param code - a key of the package's code table.
   * @param message - one line for people, naming what is wrong (the flag, address or file).
   * @param options - `cause`: the underlying error.
   */
  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }

  /** The exit status the CLI ends with for this error, from the package's code table. */
  abstract get exitCode(): number;
}

/**
 * A command line the CLI does not accept: an unknown flag, a missing or bad value, a missing or extra
 * argument. Its code is `USAGE` and its exit status {@link EXIT_USAGE} in every CLI.
 */
export class UsageError extends CodedError<'USAGE'> {
  /**
   * @param message - names the flag or argument and what is allowed, such as
   *   `--port must be an integer from 0 to 65535, not "x"`.
   */
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }

  /** Always {@link EXIT_USAGE}. */
  get exitCode(): number {
    return EXIT_USAGE;
  }
}
