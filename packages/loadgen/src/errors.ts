import { CodedError } from '@tock/cli-kit';

/** What an error code means, and the exit status `tock-loadgen` ends with when it stops on it. */
export interface LoadgenErrorInfo {
  /** The exit status of `tock-loadgen` when it stops on this error. */
  readonly exitCode: number;
  /** What the error means, for people. */
  readonly description: string;
}

/**
 * Every way `tock-loadgen` can end other than success, with its exit status. One table: the CLI, the JSON
 * error envelope and the README all read it.
 */
export const LOADGEN_ERROR_CODES: Readonly<
  Record<'REGRESSION' | 'USAGE' | 'RUN_FAILED' | 'BAD_REPLIES', LoadgenErrorInfo>
> = {
  REGRESSION: {
    exitCode: 1,
    description:
      'The regression gate failed: throughput fell or p99 latency rose by more than --max-regression percent against --compare.',
  },
  USAGE: {
    exitCode: 2,
    description: 'Bad command line: an unknown flag, a bad value, a missing target.',
  },
  RUN_FAILED: {
    exitCode: 3,
    description:
      'The run could not be carried out: the target does not resolve, a socket or worker failed, a result file is unreadable.',
  },
  BAD_REPLIES: {
    exitCode: 4,
    description: 'The run finished, but the server gave no valid reply at all, or some replies were invalid.',
  },
};

/** A code of {@link LOADGEN_ERROR_CODES}. */
export type LoadgenErrorCode = keyof typeof LOADGEN_ERROR_CODES;

/** An error of `@tock/loadgen`, with a stable {@link LoadgenErrorCode}. */
export class LoadgenError extends CodedError<LoadgenErrorCode> {
  /**
   * @param code - which kind of failure, from {@link LOADGEN_ERROR_CODES}.
   * @param message - what happened, for a person.
   * @param options - `cause`: the underlying error.
   */
  constructor(code: LoadgenErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'LoadgenError';
  }

  /** The process exit status for this error. */
  get exitCode(): number {
    return LOADGEN_ERROR_CODES[this.code].exitCode;
  }
}
