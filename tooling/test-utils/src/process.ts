/**
 * The one way tock's tests, benchmarks and release scripts run programs. `run` runs one to completion with a
 * hard time limit: it resolves with the exit status and output whatever the status, and rejects only when
 * the program could not be started or was killed for taking too long. `start` starts a long-running one
 * and resolves once it prints a ready pattern. Every process started here is tracked until it has exited,
 * so that `stopAll` (in afterAll) leaves none behind; each is signalled by its pid, or by its process group
 * when started with `group` (shell scripts that start background jobs).
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** How a program ended: its exit code, or the signal that ended it. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** How a program run by {@link run} ended, with everything it printed. */
export interface RunResult extends Exit {
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to its stdin, which is then closed (without it, stdin is closed at once). */
  readonly input?: string;
  /** Killed (SIGKILL) after this long, and the promise rejects. Default 15 s. */
  readonly timeoutMs?: number;
  /** Run it in a process group of its own and kill the whole group (its background jobs too). */
  readonly group?: boolean;
  /** Called with the child as soon as it is spawned, for a test that signals it. */
  readonly onSpawn?: (child: ChildProcess) => void;
}

/** Options of {@link start}. */
export interface StartOptions {
  /** Ready once stdout or stderr (each on its own) matches this. */
  readonly ready: RegExp;
  /** How long it may take to get ready before it is killed and the promise rejects. Default 10 s. */
  readonly readyTimeoutMs?: number;
  /**
   * Run it under coreutils `timeout`, so that it ends after this many seconds even if nothing stops it
   * (say, the test runner was killed: nothing here reaps orphans). `child` is then `timeout`'s process.
   */
  readonly lifetimeS?: number;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Run it in a process group of its own and signal the whole group. */
  readonly group?: boolean;
  /** Runs once the process has exited, however it was stopped (say, removing its temporary folder). */
  readonly cleanup?: () => Promise<void>;
}

/** A long-running program started by {@link start}. */
export interface Started {
  readonly child: ChildProcess;
  /** What the ready pattern matched. */
  readonly match: RegExpExecArray;
  /** Everything it printed so far on stdout, on stderr, and both interleaved. */
  stdout(): string;
  stderr(): string;
  output(): string;
  /** Resolves once it has exited (and its cleanup has run). */
  readonly exited: Promise<Exit>;
  /** Sends `signal` (default SIGTERM), SIGKILL 5 s later if it still runs; resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/** A process this module started, until it has exited. */
interface Tracked {
  readonly child: ChildProcess;
  readonly group: boolean;
  readonly exited: Promise<Exit>;
}

const running = new Set<Tracked>();

/** How long `stop` waits after its signal before SIGKILL. */
const GRACE_MS = 5000;

function describe(command: string, args: readonly string[]): string {
  return [command, ...args].join(' ');
}

function spawnTracked(
  command: string,
  args: readonly string[],
  options: { cwd?: string | undefined; env?: NodeJS.ProcessEnv | undefined; group?: boolean | undefined },
  cleanup?: () => Promise<void>,
): Tracked {
  // stdin is a pipe: `run` writes the input to it; `start` never does, so a program can take its end of
  // file as "the one who started me is gone".
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: options.group ?? false,
  });
  child.stdin.on('error', () => undefined);
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  // `close`, not `exit`: by then everything it printed has been read.
  const exited = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  }).then(async (exit) => {
    await cleanup?.();
    return exit;
  });
  const tracked: Tracked = { child, group: options.group ?? false, exited };
  running.add(tracked);
  void exited.then(() => running.delete(tracked));
  return tracked;
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function signal(tracked: Tracked, sig: NodeJS.Signals): void {
  const { child } = tracked;
  if (tracked.group && child.pid !== undefined) {
    try {
      process.kill(-child.pid, sig); // the group it leads: its own children too
    } catch {
      // already gone
    }
  } else if (isRunning(child)) {
    child.kill(sig);
  }
}

async function stopTracked(tracked: Tracked, sig: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
  if (!isRunning(tracked.child)) return tracked.exited;
  signal(tracked, sig);
  const timer = setTimeout(() => signal(tracked, 'SIGKILL'), GRACE_MS);
  try {
    return await tracked.exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `command args` to completion and resolves with how it ended and what it printed; a failure status
 * is a result, not an error. Rejects when the program cannot be started, or when it runs longer than
 * `timeoutMs`: it (or its group) is then killed, and the error says so with its output.
 */
export async function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const tracked = spawnTracked(command, args, options);
  const { child } = tracked;
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const failed = new Promise<never>((_, reject) => child.once('error', reject));
  options.onSpawn?.(child);
  child.stdin!.end(options.input);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signal(tracked, 'SIGKILL');
  }, timeoutMs);
  try {
    const exit = await Promise.race([tracked.exited, failed]);
    if (timedOut)
      throw new Error(`${describe(command, args)} was killed after ${timeoutMs} ms:\n${stdout}${stderr}`);
    return { ...exit, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** Like {@link run}, but rejects unless the program exits 0; resolves with its stdout. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  const r = await run(command, args, options);
  if (r.code !== 0) {
    throw new Error(
      `${describe(command, args)} failed (${r.code ?? r.signal})${options.cwd ? ` in ${options.cwd}` : ''}:\n${r.stdout}${r.stderr}`,
    );
  }
  return r.stdout;
}

/**
 * Starts a long-running program and resolves once its stdout or its stderr matches `ready`. Rejects, after
 * stopping it, when it exits first, cannot be started, or is not ready within `readyTimeoutMs`.
 */
export async function start(
  command: string,
  args: readonly string[],
  options: StartOptions,
): Promise<Started> {
  const [file, argv] =
    options.lifetimeS === undefined
      ? [command, args]
      : ['timeout', ['--kill-after=5', String(options.lifetimeS), command, ...args]];
  const tracked = spawnTracked(file, argv, options, options.cleanup);
  const { child } = tracked;
  let stdout = '';
  let stderr = '';
  let output = '';
  const stop = (sig?: NodeJS.Signals): Promise<Exit> => stopTracked(tracked, sig);
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`${describe(command, args)} was not ready within ${readyTimeoutMs} ms:\n${output}`),
          ),
        readyTimeoutMs,
      );
      const check = (): void => {
        const found = options.ready.exec(stdout) ?? options.ready.exec(stderr);
        if (found !== null) resolve(found);
      };
      child.stdout!.on('data', (chunk: string) => {
        stdout += chunk;
        output += chunk;
        check();
      });
      child.stderr!.on('data', (chunk: string) => {
        stderr += chunk;
        output += chunk;
        check();
      });
      child.once('error', reject);
      void tracked.exited.then(({ code, signal }) =>
        reject(
          new Error(`${describe(command, args)} exited (${code ?? signal}) before it was ready:\n${output}`),
        ),
      );
    });
    return {
      child,
      match,
      stdout: () => stdout,
      stderr: () => stderr,
      output: () => output,
      exited: tracked.exited,
      stop,
    };
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Stops every process started here that is still running (SIGTERM, SIGKILL 5 s later), and resolves once
 * all have exited. For afterAll.
 */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((tracked) => stopTracked(tracked)));
}
