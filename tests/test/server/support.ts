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
export function runTockd(
  args: readonly string[],
  timeoutMs = 10_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunResult> {
  return run(process.execPath, [TOCKD, ...args], { timeoutMs, env });
}

/** One event tockd logged: a JSON line on stdout. */
export interface TockdEvent {
  readonly time: string;
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly event: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** The events of tockd's stdout, one JSON object per line (throws on a line that is not one). */
export function parseEvents(stdout: string): TockdEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as TockdEvent);
}

/** A `tockd` that logged its `listening` event. */
export interface RunningTockd {
  readonly child: ChildProcess;
  /** The message of the listening event. */
  readonly listeningLine: string;
  /** The listening event. */
  readonly listening: TockdEvent;
  /** The port it listens on. */
  readonly port: number;
  /** The metrics URL (`http://…/metrics`), when started with `--metrics-port`. */
  readonly metricsUrl: string | undefined;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  /** The events logged so far. */
  events(): TockdEvent[];
  /** Sends `signal` and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `tockd ARGS` (add `--port 0` for a free port) and resolves once it logs its `listening` event;
 * rejects if it exits first. It is killed after `timeoutMs` whatever happens.
 */
export function startTockd(
  args: readonly string[],
  timeoutMs = 60_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningTockd> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TOCKD, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
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
      if (started) return;
      const complete = stdout.slice(0, stdout.lastIndexOf('\n') + 1);
      const listening = parseEvents(complete).find((e) => e.event === 'listening');
      if (listening === undefined) return;
      started = true;
      resolve({
        child,
        listening,
        listeningLine: listening.msg,
        port: listening.port as number,
        metricsUrl: listening.metrics as string | undefined,
        output: () => ({ stdout, stderr }),
        events: () => parseEvents(stdout.slice(0, stdout.lastIndexOf('\n') + 1)),
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

/** What `chronyd -Q` said of a server: its exit status and output, and the offset it saw (null if it said none). */
export interface ChronydQuery {
  readonly code: number | null;
  readonly output: string;
  /** "System clock wrong by X seconds": the local clock minus the server's, in seconds. */
  readonly offsetS: number | null;
}

/**
 * Asks the NTP server on 127.0.0.1:`port` for the time with `chronyd -Q` (four samples, after full RFC 5905
 * checks; it never sets the clock) and reads the offset it reports.
 */
export async function chronydQuery(chronyd: string, port: number): Promise<ChronydQuery> {
  const r = await run(chronyd, ['-Q', '-t', '8', `server 127.0.0.1 port ${port} iburst maxsamples 4`], {
    timeoutMs: 20_000,
  });
  const output = r.stdout + r.stderr;
  const m = /System clock wrong by (-?[\d.]+) seconds/.exec(output);
  return { code: r.code, output, offsetS: m === null ? null : Number(m[1]) };
}

// The UDP test client is the server package's own (one copy for its unit tests and these).
export { exchange, type UdpClient, udpClient } from '../../../packages/server/test/udp-client.ts';

/** A ctime line as C's ctime() writes it, with the CRLF tockd adds. */
export const CTIME_LINE =
  /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n$/;

/** One sample of a Prometheus text exposition: `name{label="value",…} 12`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Reads a Prometheus text exposition (format 0.0.4): its samples, without comments. */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) throw new Error(`not a sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1]!, labels, value: m[3] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[3]) });
  }
  return samples;
}

/** Fetches `url` (a tockd `/metrics`) and returns a function summing the samples of a name whose labels match. */
export async function scrape(
  url: string,
): Promise<(name: string, labels?: Readonly<Record<string, string>>) => number> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const samples = parsePrometheus(await response.text());
  return (name, labels = {}) =>
    samples
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.value, 0);
}
