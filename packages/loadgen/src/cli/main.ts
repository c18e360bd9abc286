import { readFile, writeFile } from 'node:fs/promises';
import { reportError, versionText, writeProcess } from '@tock/cli-kit';
import { compare } from '../compare.ts';
import { LOADGEN_ERROR_CODES, LoadgenError } from '../errors.ts';
import { merge } from '../merge.ts';
import type { ResolvedOptions } from '../options.ts';
import { describeRun, formatHuman } from '../report/human.ts';
import { formatJson } from '../report/json.ts';
import { createProgressBar } from '../report/progress.ts';
import { type LoadgenResult, parseResult } from '../result.ts';
import { planResolved, runPlan } from '../run/dispatch.ts';
import { formatTarget } from '../target.ts';
import { renderHelp } from './help.ts';
import { type OutputSettings, parseCommandLine } from './parse.ts';
import { VERSION } from './version.ts';

export type { CliReference, CliReferenceFlag } from '@tock/cli-kit';
export { CLI_REFERENCE } from './reference.ts';

/** What `tock-loadgen` talks to besides the network: output streams, the terminal, stop signals. */
export interface CliIo {
  /** Writes text to stdout (`out`) or stderr (`err`). */
  write(stream: 'out' | 'err', text: string): void;
  /** Whether stderr is a terminal: then a progress bar is drawn there. */
  readonly progressTerminal: boolean;
  /** Terminal width in characters. */
  readonly columns?: number;
  /** Calls `listener` when the user asks to stop (Ctrl-C); returns a function that unsubscribes. */
  onStop(listener: () => void): () => void;
}

/** The real process: stdout, stderr (a closed one, as in `tock-loadgen … | head -c1`, is not an error), SIGINT and SIGTERM. */
export const processIo: CliIo = {
  write: writeProcess,
  progressTerminal: process.stderr.isTTY === true,
  columns: process.stderr.columns,
  onStop(listener) {
    process.on('SIGINT', listener);
    process.on('SIGTERM', listener);
    return () => {
      process.off('SIGINT', listener);
      process.off('SIGTERM', listener);
    };
  },
};

/**
 * Runs `tock-loadgen` with `argv` (the arguments after the program name) and resolves with its exit status
 * (see {@link LOADGEN_ERROR_CODES}): 0 success, 1 the regression gate failed, 2 a bad command line, 3 the run
 * could not be carried out, 4 the server gave invalid replies or none, 70 a bug. This is the only place errors become
 * exit statuses and messages; a user's mistake never prints a stack trace.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    const command = parseCommandLine(argv);
    switch (command.kind) {
      case 'help':
        io.write('out', renderHelp(VERSION));
        return 0;
      case 'version':
        io.write('out', versionText(VERSION));
        return 0;
      case 'merge': {
        const results: LoadgenResult[] = [];
        for (const file of command.files) results.push(parseResult(await readText(file), file));
        return await finish(merge(results), command.output, io);
      }
      case 'run':
        return await runCommand(command.resolved, command.output, io);
    }
  } catch (error) {
    return reportError('tock-loadgen', error, io.write);
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new LoadgenError('RUN_FAILED', `cannot read ${file}: ${(error as Error).message}`);
  }
}

async function runCommand(resolved: ResolvedOptions, output: OutputSettings, io: CliIo): Promise<number> {
  // The options were resolved once, as the flags were checked; the I/O is chosen once, here, for the run.
  const plan = planResolved(resolved);
  const { options: o, io: sockets } = plan;
  // Read the baseline first: a typo in its name should not cost a whole run.
  const baseline = output.compare ? parseResult(await readText(output.compare), output.compare) : undefined;
  if (sockets.fallback !== undefined) {
    io.write('err', `tock-loadgen: --io batched: ${sockets.fallback}; using node:dgram\n`);
  }
  io.write(
    'err',
    describeRun({
      target: formatTarget(plan.target),
      protocol: o.protocol,
      connections: o.connections,
      workers: o.workers,
      durationS: o.amount === undefined ? o.durationMs / 1000 : undefined,
      amount: o.amount,
      rate: o.rate,
      warmupS: o.warmupMs / 1000,
      ramp: o.ramp !== undefined,
      io: sockets.io,
    }),
  );
  const controller = new AbortController();
  const unsubscribe = io.onStop(() => {
    io.write(
      'err',
      '\ntock-loadgen: stopping; waiting for outstanding replies (press again to quit at once)\n',
    );
    controller.abort();
    // A second signal gets the default behaviour: the process ends.
    unsubscribe();
  });
  const bar = io.progressTerminal
    ? createProgressBar({ write: (text) => io.write('err', text), columns: io.columns ?? 80 })
    : undefined;
  try {
    const result = await runPlan(plan, {
      signal: controller.signal,
      ...(bar ? { onProgress: (p) => bar.update(p) } : {}),
    });
    bar?.done();
    return await finish(result, output, io, baseline);
  } finally {
    bar?.done();
    unsubscribe();
  }
}

async function finish(
  result: LoadgenResult,
  output: OutputSettings,
  io: CliIo,
  baselineGiven?: LoadgenResult,
): Promise<number> {
  const baseline =
    baselineGiven ??
    (output.compare ? parseResult(await readText(output.compare), output.compare) : undefined);
  io.write('out', output.json ? formatJson(result) : formatHuman(result));
  if (output.outputFile) {
    try {
      await writeFile(output.outputFile, formatJson(result));
    } catch (error) {
      throw new LoadgenError('RUN_FAILED', `cannot write ${output.outputFile}: ${(error as Error).message}`);
    }
  }
  let status = 0;
  if (baseline) {
    const verdict = compare(result, baseline, { maxRegressionPct: output.maxRegressionPct });
    io.write(output.json ? 'err' : 'out', `gate against ${output.compare}:\n${verdict.message}\n`);
    if (!verdict.ok) {
      const worst = verdict.figures
        .filter((f) => f.regressed)
        .map((f) => f.message.replace(/^REGRESSION: /, ''));
      io.write('err', `tock-loadgen: regression: ${worst.join('; ')} [REGRESSION]\n`);
      status = LOADGEN_ERROR_CODES.REGRESSION.exitCode;
    }
  }
  if (result.valid === 0 || result.invalid > 0) {
    const why =
      result.valid === 0
        ? `no valid reply to ${result.sent.toLocaleString('en-US')} requests`
        : `${result.invalid.toLocaleString('en-US')} invalid replies`;
    io.write('err', `tock-loadgen: ${why} [BAD_REPLIES]\n`);
    status = Math.max(status, LOADGEN_ERROR_CODES.BAD_REPLIES.exitCode);
  }
  return status;
}
