import { CodedError, EXIT_INTERNAL } from './errors.ts';

/** Where a command writes: stdout (`out`) or stderr (`err`). */
export type WriteText = (stream: 'out' | 'err', text: string) => void;

let outputErrorsIgnored = false;

/**
 * Writes to the process's stdout or stderr, and keeps a closed one (EPIPE, as in `tock … | head -c1`)
 * from crashing the command with a stack trace: what cannot be written is dropped.
 */
export const writeProcess: WriteText = (stream, text) => {
  if (!outputErrorsIgnored) {
    outputErrorsIgnored = true;
    process.stdout.on('error', () => undefined);
    process.stderr.on('error', () => undefined);
  }
  (stream === 'out' ? process.stdout : process.stderr).write(text);
};

/**
 * Turns an error that reached a command's top level into its message and exit status, the same way in
 * every tock command:
 * - a {@link CodedError} (a user's mistake, or a failure the command expects): one line,
 *   `COMMAND: MESSAGE [CODE]`, plus `Run "COMMAND --help" to see every flag.` for `USAGE`; its exit status;
 * - anything else is a bug: `COMMAND: internal error: STACK`, exit status {@link EXIT_INTERNAL}.
 * @returns the exit status.
 */
export function reportError(command: string, error: unknown, write: WriteText): number {
  if (error instanceof CodedError) {
    write('err', `${command}: ${error.message} [${error.code}]\n`);
    if (error.code === 'USAGE') write('err', `Run "${command} --help" to see every flag.\n`);
    return error.exitCode;
  }
  // A bug, not a user's mistake: the stack trace helps whoever reports it.
  write(
    'err',
    `${command}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return EXIT_INTERNAL;
}

/** What `--version` prints, the same in every tock command: the version alone, on one line. */
export function versionText(version: string): string {
  return `${version}\n`;
}
