import { reportError, UsageError, versionText, type WriteText, writeProcess } from '@tock/cli-kit';
import { TockClientError } from '../errors.ts';
import { localTimeZone, query } from '../query.ts';
import { DEFAULT_PORT, targetParts } from '../target.ts';
import { type CliOptions, parseCommandLine, renderHelp, VERSION } from './options.ts';
import { errorJson, formatResultLine, resultJson } from './output.ts';

export type { CliReference, CliReferenceFlag } from '@tock/cli-kit';
export { CLI_REFERENCE } from './reference.ts';

/** Where `tock` writes, and what can stop it. {@link main} uses the process's streams and SIGINT by default. */
export interface CliIo {
  /** Writes to standard output. */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** Aborts the running query (the process default is Ctrl-C, SIGINT). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Runs `tock` with `argv` (the arguments after the program name) and returns its exit status, from
 * `CLIENT_ERROR_CODES`: 0 when the server answered, 1 when the query failed, 2 for a usage error, 130 when
 * interrupted, 70 for a bug. Never throws for a user mistake or a network failure: those become one line on
 * standard error (or, with `--json`, one JSON object on standard output). A closed standard output (`tock … |
 * head -c1`) is not an error.
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
      stdout: (text) => writeProcess('out', text),
      stderr: (text) => writeProcess('err', text),
      signal: controller.signal,
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const write: WriteText = (stream, text) => (stream === 'out' ? io.stdout(text) : io.stderr(text));
  let json = false;
  try {
    const command = parseCommandLine(argv);
    if (command.kind === 'help') {
      io.stdout(renderHelp());
      return 0;
    }
    if (command.kind === 'version') {
      io.stdout(versionText(VERSION));
      return 0;
    }
    const { options } = command;
    json = options.json;
    const target = resolveTarget(command.target, options);
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
    return 0;
  } catch (caught) {
    // A target or an option query() rejects came from this command line: a usage error.
    const error =
      caught instanceof TockClientError && (caught.code === 'BAD_TARGET' || caught.code === 'INVALID_OPTIONS')
        ? new UsageError(caught.message)
        : caught;
    if (json && error instanceof TockClientError) {
      io.stdout(`${JSON.stringify(errorJson(error))}\n`);
      return error.exitCode;
    }
    return reportError('tock', error, write);
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
