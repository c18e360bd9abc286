/**
 * Running programs for the release tooling: every one with a hard time limit (SIGKILL), its output kept,
 * and no process left behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/** How a program ended. */
export interface RunResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) after this long, and the promise rejects. Default 60 s. */
  readonly timeoutMs?: number;
}

/** Runs `command args` to completion and resolves with its status and output (it does not throw on a failure status). */
export async function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  try {
    const [status, signal] = (await Promise.race([
      once(child, 'close'),
      once(child, 'error').then(([error]) => {
        throw error;
      }),
    ])) as [number | null, NodeJS.Signals | null];
    if (timedOut)
      throw new Error(`${describe(command, args)} was killed after ${timeoutMs} ms\n${stdout}${stderr}`);
    return { status, signal, stdout, stderr };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Like {@link run}, but rejects unless the program exits 0; resolves with its stdout. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  const result = await run(command, args, options);
  if (result.status !== 0) {
    throw new Error(
      `${describe(command, args)} failed (${result.status ?? result.signal})${options.cwd ? ` in ${options.cwd}` : ''}:\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}

/** A long-running program started by {@link startProcess}. */
export interface Started {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** SIGTERM, SIGKILL 5 s later if still running; resolves once it has exited, with how. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a long-running program and resolves once a line it prints matches `ready` (with the match), or
 * rejects (and kills it) when it exits first or is not ready within `readyTimeoutMs`. It runs under
 * coreutils `timeout`, so it ends after `lifetimeS` seconds even if nothing stops it (say, the test runner
 * was killed): PID 1 here reaps no orphans.
 */
export async function startProcess(
  command: string,
  args: readonly string[],
  options: {
    readonly ready: RegExp;
    readonly lifetimeS: number;
    readonly readyTimeoutMs?: number;
    readonly env?: NodeJS.ProcessEnv;
    readonly cwd?: string;
  },
): Promise<{ started: Started; match: RegExpExecArray }> {
  // stdin is a pipe this process never writes to: a program may take its end of file as "my parent is gone".
  const child = spawn('timeout', ['--kill-after=5', String(options.lifetimeS), command, ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  let output = '';
  const started: Started = {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      }
      return exited;
    },
  };
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  try {
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`${describe(command, args)} was not ready within ${readyTimeoutMs} ms:\n${output}`),
          ),
        readyTimeoutMs,
      );
      const onData = (chunk: string): void => {
        output += chunk;
        const found = options.ready.exec(output);
        if (found !== null) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      child.stdout.setEncoding('utf8').on('data', onData);
      child.stderr.setEncoding('utf8').on('data', onData);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(
          new Error(`${describe(command, args)} exited (${code ?? signal}) before it was ready:\n${output}`),
        );
      });
    });
    return { started, match };
  } catch (error) {
    await started.stop();
    throw error;
  }
}

function describe(command: string, args: readonly string[]): string {
  return [command, ...args].join(' ');
}
