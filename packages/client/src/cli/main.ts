import packageJson from '../../package.json' with { type: 'json' };
import { type ClientErrorCode, TockClientError } from '../errors.ts';
import { localTimeZone, query } from '../query.ts';
import { DEFAULT_PORT, targetParts } from '../target.ts';
import { type CliOptions, EXIT, parseCommandLine, renderHelp } from './options.ts';
import { errorJson, formatResultLine, resultJson } from './output.ts';

export { CLI_REFERENCE, type CliReference, type CliReferenceFlag } from './reference.ts';

/** Where `tock` writes, and what can stop it. {@link main} uses the process's streams and SIGINT by default. */
export interface CliIo {
  /** Writes to standard output. */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** Aborts the running query (the process default is Ctrl-C, SIGINT). */
  readonly signal?: AbortSignal | undefined;
}

/** The exit status for each error code (documented in the help's "Exit status"). */
export function exitStatusFor(code: ClientErrorCode): number {
  switch (code) {
    case 'BAD_TARGET':
    case 'BAD_OPTION':
      return EXIT.usage;
    case 'ABORTED':
      return EXIT.interrupted;
    case 'RESOLVE_FAILED':
    case 'UNREACHABLE':
    case 'SOCKET_ERROR':
    case 'TIMEOUT':
    case 'INVALID_REPLY':
    case 'KISS_OF_DEATH':
    case 'SERVER_ERROR':
      return EXIT.failed;
  }
}

/**
 * Runs `tock` with `argv` (the arguments after the program name) and returns its exit status: 0 when the
 * server answered, 1 when the query failed, 2 for a usage error, 130 when interrupted. Never throws for a
 * user mistake or a network failure: those become one line on standard error (or, with `--json`, one JSON
 * object on standard output).
 *
 * @param argv - the arguments, such as `['--json', '127.0.0.1:5005']`.
 * @param io - where to write, and an optional AbortSignal; defaults to the process's streams and SIGINT.
 */
export async function main(argv: readonly string[], io?: CliIo): Promise<number> {
  if (io !== undefined) return run(argv, io);
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    return await run(argv, {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      signal: controller.signal,
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const usage = (message: string): number => {
    io.stderr(`tock: ${message} (see tock --help)\n`);
    return EXIT.usage;
  };
  const command = parseCommandLine(argv);
  if (command.kind === 'error') return usage(command.message);
  const { options } = command;
  if (options.help) {
    io.stdout(renderHelp());
    return EXIT.ok;
  }
  if (options.version) {
    io.stdout(`tock ${packageJson.version}\n`);
    return EXIT.ok;
  }
  try {
    const target = resolveTarget(command.target!, options);
    const result = await query(target, {
      protocol: options.protocol,
      timeout: options.timeout,
      retries: options.retries,
      format: options.format,
      timeZone: options.timeZone,
      signal: io.signal,
    });
    io.stdout(
      options.json
        ? `${JSON.stringify(resultJson(result))}\n`
        : `${formatResultLine(result, options.timeZone ?? localTimeZone())}\n`,
    );
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof TockClientError)) {
      io.stderr(
        `tock: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      return EXIT.failed;
    }
    const status = exitStatusFor(error.code);
    if (status === EXIT.usage) return usage(error.message);
    if (options.json) io.stdout(`${JSON.stringify(errorJson(error))}\n`);
    else io.stderr(`tock: ${error.message} [${error.code}]\n`);
    return status;
  }
}

/** HOST[:PORT] plus `--port`: the port may be given once, or twice only if both agree. */
function resolveTarget(target: string, options: CliOptions): { host: string; port: number } {
  const parts = targetParts(target);
  if (parts.port !== undefined && options.port !== undefined && parts.port !== options.port) {
    throw new TockClientError(
      'BAD_TARGET',
      `port given twice: ${parts.port} in HOST and ${options.port} in --port`,
    );
  }
  return { host: parts.host, port: parts.port ?? options.port ?? DEFAULT_PORT };
}
