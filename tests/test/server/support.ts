// Helpers for the tests that run the built `tockd`: run it, start it on a free port and read its JSON log,
// ask it the time with chronyd, and read its metrics. Processes are run and stopped by @tock/test-utils.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Exit, type RunResult, run, start } from '@tock/test-utils';

/** The `tockd` executable of the server package (it imports the built CLI: run `turbo run build` first). */
export const TOCKD: string = fileURLToPath(new URL('../../../packages/server/bin/tockd.js', import.meta.url));

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
  /** Sends `signal` (SIGKILL 5 s later) and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/**
 * Starts `tockd ARGS` (add `--port 0` for a free port) and resolves once it logs its `listening` event;
 * rejects if it exits first. It ends after `lifetimeS` seconds whatever happens.
 */
export async function startTockd(
  args: readonly string[],
  lifetimeS = 60,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningTockd> {
  // A whole line of its log: the listening event, complete.
  const started = await start(process.execPath, [TOCKD, ...args], {
    ready: /^\{.*"event":"listening".*\}\n/m,
    readyTimeoutMs: 30_000,
    lifetimeS,
    env,
  });
  const events = (): TockdEvent[] => {
    const stdout = started.stdout();
    return parseEvents(stdout.slice(0, stdout.lastIndexOf('\n') + 1));
  };
  const listening = events().find((e) => e.event === 'listening')!;
  return {
    child: started.child,
    listening,
    listeningLine: listening.msg,
    port: listening.port as number,
    metricsUrl: listening.metrics as string | undefined,
    output: () => ({ stdout: started.stdout(), stderr: started.stderr() }),
    events,
    stop: (signal = 'SIGTERM') => started.stop(signal),
  };
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
