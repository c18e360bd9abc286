// Helpers for the tests that run the built `tockd`: start it on a free port, run peer programs with a hard
// timeout, find peer binaries, and a small UDP client. Every process started here is killed by its pid.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `tockd` executable of the server package (it imports the built CLI: run `turbo run build` first). */
export const TOCKD: string = fileURLToPath(new URL('../../../packages/server/bin/tockd.js', import.meta.url));

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Processes started here and still running, with whether each leads its own process group. */
const running = new Map<ChildProcess, boolean>();

function kill(child: ChildProcess, group: boolean): void {
  if (group && child.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGKILL'); // the group this child leads: its own children too
    } catch {
      // already gone
    }
  } else {
    child.kill('SIGKILL');
  }
}

/** Kills (SIGKILL, by pid) every process these helpers started that is still running. For afterAll. */
export function killAll(): void {
  for (const [child, group] of running) kill(child, group);
  running.clear();
}

function track(child: ChildProcess, timeoutMs: number, onTimeout: () => void, group = false): void {
  running.set(child, group);
  const timer = setTimeout(() => {
    onTimeout();
    kill(child, group);
  }, timeoutMs);
  child.once('exit', () => {
    clearTimeout(timer);
    running.delete(child);
  });
}

/**
 * Runs a program to completion, killing it after `timeoutMs`; never rejects for a non-zero exit. With
 * `group`, the program runs in a process group of its own and a timeout kills the whole group (for shell
 * scripts that start background jobs).
 */
export function run(
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv; group?: boolean } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: options.group ?? false,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    track(
      child,
      options.timeoutMs ?? 15_000,
      () => {
        timedOut = true;
      },
      options.group,
    );
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, timedOut }));
    child.stdin.on('error', () => undefined);
    if (options.input === undefined) child.stdin.end();
    else child.stdin.end(options.input);
  });
}

/** Runs `tockd ARGS` with the node running the tests. */
export function runTockd(args: readonly string[], timeoutMs = 10_000): Promise<RunResult> {
  return run(process.execPath, [TOCKD, ...args], { timeoutMs });
}

/** A `tockd` that printed its listening line. */
export interface RunningTockd {
  readonly child: ChildProcess;
  /** The listening line, without its newline. */
  readonly listeningLine: string;
  /** The port it listens on (from the listening line). */
  readonly port: number;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  /** Sends `signal` and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const LISTENING = /listening on udp (?:\[([^\]]+)\]|([^\s:]+)):(\d+) /;

/**
 * Starts `tockd ARGS` (add `--port 0` for a free port) and resolves once it prints its listening line;
 * rejects if it exits first. It is killed after `timeoutMs` whatever happens.
 */
export function startTockd(args: readonly string[], timeoutMs = 60_000): Promise<RunningTockd> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TOCKD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
      child.once('exit', (code, signal) => done({ code, signal }));
    });
    track(child, timeoutMs, () => undefined);
    child.on('error', reject);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.slice(0, stdout.indexOf('\n'));
      const match = started || !stdout.includes('\n') ? null : LISTENING.exec(line);
      if (match === null) return;
      started = true;
      resolve({
        child,
        listeningLine: line,
        port: Number(match[3]),
        output: () => ({ stdout, stderr }),
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then(({ code, signal }) => {
      if (!started)
        reject(new Error(`tockd exited (${code ?? signal}) before listening:\n${stderr}${stdout}`));
    });
  });
}

/** The absolute path of `name` on PATH (or in the sbin directories, where chronyd lives), if installed. */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Finds a peer program. Missing under CI (where scripts/system-deps.sh installs them) is a failure; on a
 * developer's machine the test is skipped with the reason.
 */
export function requireTool(
  ctx: { skip: (note?: string) => never },
  name: string,
  debianPackage: string,
): string {
  const path = findTool(name);
  if (path !== undefined) return path;
  if (process.env.CI) {
    throw new Error(
      `${name} is not installed; CI must install the Debian package ${debianPackage} (scripts/system-deps.sh)`,
    );
  }
  return ctx.skip(
    `${name} is not installed (apt-get install ${debianPackage}, or run scripts/system-deps.sh)`,
  );
}

// The UDP test client is the server package's own (one copy for its unit tests and these).
export { exchange, type UdpClient, udpClient } from '../../../packages/server/test/udp-client.ts';

/** A ctime line as C's ctime() writes it, with the CRLF tockd adds. */
export const CTIME_LINE =
  /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n$/;
