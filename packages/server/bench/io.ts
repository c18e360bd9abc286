/**
 * How fast is tockd's batched I/O? One run, on one machine, with the same closed-loop C generator
 * (tooling/bench/c-client.c, compiled here with the machine's cc) aimed in turn at:
 * - tockd, 1 worker, `--io batched` and `--io dgram`, in text and NTP;
 * - the networking lab's Python server (tests/lab/lab_server_crlf.py), text;
 * - chronyd as an NTP server (foreground, `-x`: it never touches the clock; no command socket).
 * The targets alternate within each round so that all see the same machine; the result is the median of the
 * rounds, as ratios (a shared 2-core machine makes absolute rates meaningless). No assertion: it reports.
 *
 * Usage: node bench/io.ts [--rounds 3] [--duration 3] [--connections 16] [--json]
 * (after `pnpm turbo run build --filter @tock/server`; needs cc, python3 and chronyd).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { startChronyd as startPeerChronyd } from '../../../tooling/bench/peers.ts';

const run = promisify(execFile);
/** The C yardstick generator, shared by the repository's benchmarks. */
const C_CLIENT = fileURLToPath(new URL('../../../tooling/bench/c-client.c', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const TOCKD = fileURLToPath(new URL('../bin/tockd.js', import.meta.url));
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    json: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);
const log = (line: string): void => {
  if (!values.json) process.stderr.write(`${line}\n`);
};

interface Server {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}
interface CResult {
  readonly sent: number;
  readonly valid: number;
  readonly lost: number;
  readonly rps: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

function stopper(child: ChildProcess, cleanup?: () => Promise<void>): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await cleanup?.();
  };
}

/** Spawns a server and resolves once its stdout shows a port: tockd's listening event or the lab's line. */
function spawnServer(name: string, command: string, args: readonly string[]): Promise<Server> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = stopper(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => void stop().then(() => reject(new Error(`${name}: no port`))), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /"event":"listening".*?"port":(\d+)/.exec(out) ?? /listening\s+\S+\s+(\d+)/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume();
      const io = /"io":"(\w+)"/.exec(out)?.[1];
      resolve({ name: io === undefined ? name : `${name} (io ${io})`, port: Number(m[1]), child, stop });
    });
    child.stderr?.resume();
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening`)));
  });
}

/** chronyd as an NTP server on loopback, started by the repository's shared benchmark tooling. */
async function startChronyd(): Promise<Server> {
  const { port, child, stop } = await startPeerChronyd();
  return { name: 'chronyd', port, child, stop };
}

let binary = '';
async function measure(
  mode: 'ntp' | 'text',
  port: number,
  clients: number,
  seconds: number,
): Promise<CResult> {
  const { stdout } = await run(binary, [
    mode,
    '127.0.0.1',
    String(port),
    String(clients),
    String(seconds),
    '500',
  ]);
  return JSON.parse(stdout) as CResult;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const dir = await mkdtemp(join(tmpdir(), 'tock-io-bench-'));
binary = join(dir, 'c-client');
await run('cc', ['-O2', '-pthread', '-o', binary, C_CLIENT]);
const servers: Server[] = [];
try {
  const common = ['--port', '0', '--workers', '1', '--rate-limit', '0', '--log-level', 'info'];
  const batched = await spawnServer('tockd', process.execPath, [TOCKD, ...common, '--io', 'batched']);
  servers.push(batched);
  const dgram = await spawnServer('tockd', process.execPath, [TOCKD, ...common, '--io', 'dgram']);
  servers.push(dgram);
  const lab = await spawnServer('lab server (Python)', 'python3', [
    join(REPO, 'tests/lab/lab_server_crlf.py'),
    '0',
    '127.0.0.1',
  ]);
  servers.push(lab);
  const chronyd = await startChronyd();
  servers.push(chronyd);
  const targets = [
    { id: 'batched-text', server: batched, mode: 'text' },
    { id: 'dgram-text', server: dgram, mode: 'text' },
    { id: 'lab-text', server: lab, mode: 'text' },
    { id: 'batched-ntp', server: batched, mode: 'ntp' },
    { id: 'dgram-ntp', server: dgram, mode: 'ntp' },
    { id: 'chronyd-ntp', server: chronyd, mode: 'ntp' },
  ] as const;
  log(
    `${rounds} rounds of ${duration}s per target, ${connections} clients, closed loop (tooling/bench/c-client.c)`,
  );
  const results = new Map<string, CResult[]>(targets.map((t) => [t.id, []]));
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round so that no target always runs first (or right after another).
    const order = targets.map((_, i) => targets[(i + r) % targets.length] as (typeof targets)[number]);
    for (const t of order) {
      await measure(t.mode, t.server.port, connections, 0.3); // warm up
      const result = await measure(t.mode, t.server.port, connections, duration);
      results.get(t.id)?.push(result);
      log(
        `round ${r + 1} ${t.id.padEnd(12)} ${t.server.name.padEnd(22)} ${result.rps.toFixed(0).padStart(7)} replies/s ` +
          `p50 ${result.p50Us} µs p99 ${result.p99Us} µs lost ${result.lost}`,
      );
    }
  }
  const summary = Object.fromEntries(
    [...results].map(([id, rs]) => [
      id,
      {
        rps: median(rs.map((x) => x.rps)),
        p50Us: median(rs.map((x) => x.p50Us)),
        p99Us: median(rs.map((x) => x.p99Us)),
        lost: rs.reduce((a, x) => a + x.lost, 0),
      },
    ]),
  ) as Record<(typeof targets)[number]['id'], { rps: number; p50Us: number; p99Us: number; lost: number }>;
  const ratios = {
    batchedVsLabText: summary['batched-text'].rps / summary['lab-text'].rps,
    batchedVsChronydNtp: summary['batched-ntp'].rps / summary['chronyd-ntp'].rps,
    batchedVsDgramText: summary['batched-text'].rps / summary['dgram-text'].rps,
    batchedVsDgramNtp: summary['batched-ntp'].rps / summary['dgram-ntp'].rps,
    dgramVsLabText: summary['dgram-text'].rps / summary['lab-text'].rps,
    dgramVsChronydNtp: summary['dgram-ntp'].rps / summary['chronyd-ntp'].rps,
    p99BatchedOverChronydNtp: summary['batched-ntp'].p99Us / summary['chronyd-ntp'].p99Us,
  };
  if (values.json) {
    console.log(JSON.stringify({ rounds, duration, connections, summary, ratios }));
  } else {
    log('\nmedians:');
    for (const [id, s] of Object.entries(summary)) {
      log(
        `  ${id.padEnd(12)} ${s.rps.toFixed(0).padStart(7)} replies/s  p50 ${s.p50Us} µs  p99 ${s.p99Us} µs`,
      );
    }
    log('\nratios (replies/s, same run):');
    for (const [k, v] of Object.entries(ratios)) log(`  ${k.padEnd(26)} ${v.toFixed(2)}`);
  }
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  await rm(dir, { recursive: true, force: true });
}
