/**
 * Helpers for the client's interop tests: find and start real peers (the lab servers, chronyd), run the
 * built `tock` program, and make sure every process started is stopped. Loopback only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** The root of the repository. */
export const REPO_ROOT: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The built `tock` launcher, found through the workspace dependency on `@tock/client`. */
export const TOCK_BIN: string = join(dirname(require.resolve('@tock/client/package.json')), 'bin', 'tock.js');

/** Fails with a clear message when the client has not been built (the bin imports dist/). */
export function requireBuiltClient(): void {
  const cli = join(dirname(TOCK_BIN), '..', 'dist', 'cli.mjs');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm turbo run build\` before these tests`);
}

/** Where a program is on PATH (plus the sbin directories, where chronyd lives), or undefined. */
export function findProgram(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Finds a program a test needs. Under CI (`CI` set) the Debian peers are guaranteed installed, so a missing
 * one is an error; locally it returns a reason to skip.
 */
export function needProgram(name: string, debianPackage: string): { path: string } | { skip: string } {
  const path = findProgram(name);
  if (path !== undefined) return { path };
  const reason = `${name} is not installed (Debian package ${debianPackage}; scripts/system-deps.sh installs it)`;
  if (process.env.CI) throw new Error(`${reason}, and CI is set: the test peers must be installed`);
  return { skip: reason };
}

const running = new Set<ChildProcess>();

/** A process started by a test, running until {@link RunningProcess.stop}. */
export interface RunningProcess {
  readonly child: ChildProcess;
  /** Everything it wrote so far. */
  readonly output: () => string;
  /** SIGTERM, then SIGKILL if it has not exited within 3 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts a long-running process and resolves once its stdout or stderr matches `ready` (returning the match),
 * or rejects if it exits or does not get ready within `timeoutMs` (and then kills it).
 */
export async function startProcess(
  command: string,
  args: readonly string[],
  options: { ready: RegExp; timeoutMs?: number; env?: NodeJS.ProcessEnv },
): Promise<{ process: RunningProcess; match: RegExpExecArray }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const handle: RunningProcess = { child, output: () => output, stop: () => stopProcess(child) };
  try {
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`${command} did not get ready within ${options.timeoutMs ?? 10_000} ms:\n${output}`),
          ),
        options.timeoutMs ?? 10_000,
      );
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const m = options.ready.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${command} exited (${code ?? signal}) before it was ready:\n${output}`));
      });
    });
    return { process: handle, match };
  } catch (error) {
    await handle.stop();
    throw error;
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Stops every process the helpers started that is still running (call in afterAll). */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...running].map((child) => stopProcess(child)));
}

/** The outcome of {@link runProcess}. */
export interface ProcessResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a program to completion with a hard timeout (SIGKILL, and the promise rejects). `onSpawn` gets the
 * child, for tests that signal it.
 */
export async function runProcess(
  command: string,
  args: readonly string[],
  options: {
    timeoutMs?: number;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    onSpawn?: (child: ChildProcess) => void;
  } = {},
): Promise<ProcessResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  options.onSpawn?.(child);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  try {
    const [status, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    if (timedOut)
      throw new Error(`${command} ${args.join(' ')} was killed after ${timeoutMs} ms:\n${stdout}${stderr}`);
    return { status, signal, stdout, stderr };
  } finally {
    clearTimeout(timer);
    running.delete(child);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Runs the built `tock` as a user would: `node packages/client/bin/tock.js ARGS`. */
export function runTock(
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<ProcessResult> {
  return runProcess(process.execPath, [TOCK_BIN, ...args], options);
}

/** A UDP port that is free on every one of `hosts` right now (bound on all, then released). */
export async function freeUdpPort(hosts: readonly string[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const sockets: dgram.Socket[] = [];
    try {
      let port = 0;
      for (const host of hosts) {
        const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
        sockets.push(socket);
        socket.bind(port, host);
        await Promise.race([
          once(socket, 'listening'),
          once(socket, 'error').then(([e]) => {
            throw e;
          }),
        ]);
        port = socket.address().port;
      }
      return port;
    } catch {
      // That port was taken on another host; try again.
    } finally {
      await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    }
  }
  throw new Error(`no UDP port free on all of ${hosts.join(', ')}`);
}

/** A UDP socket that counts requests and never answers; `nextRequest()` resolves when one arrives. */
export async function startSilentServer(host = '127.0.0.1'): Promise<{
  target: string;
  received: () => number;
  nextRequest: () => Promise<void>;
  close: () => Promise<void>;
}> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.bind(0, host);
  await once(socket, 'listening');
  let count = 0;
  socket.on('message', () => {
    count++;
  });
  return {
    target: host.includes(':') ? `[${host}]:${socket.address().port}` : `${host}:${socket.address().port}`,
    received: () => count,
    nextRequest: async () => {
      await once(socket, 'message');
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** The two lab servers in tests/lab, as the networking-lab write-ups have them. */
export const LAB_SERVERS = {
  /** Replies `time.ctime() + "\r\n"` to any datagram. */
  crlf: join(REPO_ROOT, 'tests', 'lab', 'lab_server_crlf.py'),
  /** Reads at most 10 bytes of each datagram and replies `time.asctime()` without a line ending. */
  asctime: join(REPO_ROOT, 'tests', 'lab', 'lab_server_asctime.py'),
} as const;

/** Starts a lab server on `host`, port 0, and returns it with the port it bound. */
export async function startLabServer(
  python: string,
  variant: keyof typeof LAB_SERVERS,
  host = '127.0.0.1',
  env?: NodeJS.ProcessEnv,
): Promise<{ process: RunningProcess; port: number; target: string }> {
  const { process: child, match } = await startProcess(python, ['-u', LAB_SERVERS[variant], '0', host], {
    ready: /^listening (\S+) (\d+)$/m,
    env,
  });
  const port = Number(match[2]);
  return { process: child, port, target: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}` };
}
