/**
 * How fast is tockd's batched I/O? One run, on one machine, with the same closed-loop C generator
 * (tooling/bench/c-client.c, compiled here with the machine's cc) aimed in turn at:
 * - tockd, 1 worker, `--io batched` and `--io dgram`, in text and NTP;
 * - the networking lab's Python server (tests/lab/lab_server_crlf.py), text;
 * - chronyd as an NTP server (foreground, `-x`: it never touches the clock; no command socket);
 * - a minimal C server on recvmmsg/sendmmsg (tooling/bench/c-server.c), text and NTP: the yardstick for
 *   what one core can answer here when only the kernel costs anything.
 * With two or more CPUs and `taskset`, every server is pinned to CPU 1 and the generator to CPU 0, so that
 * each server has exactly one core (`--no-pin` lets the scheduler place them). Each server's CPU time is
 * read from /proc, giving its cost per reply. The targets alternate within each round so that all see the
 * same machine; the result is the median of the rounds, as ratios (a shared machine makes absolute rates
 * meaningless). No assertion: it reports.
 *
 * Usage: node bench/io.ts [--rounds 3] [--duration 3] [--connections 16] [--no-pin] [--json] [--out FILE]
 * (`--out`: also write the results, with every round and the machine, to FILE: the docs' benchmark page
 * reads apps/docs/data/io-bench.json)
 * (after `pnpm turbo run build --filter @tock/server`; needs cc, python3 and chronyd).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { C_CLIENT, C_SERVER, cpuSeconds, currentLoad, describeMachine, median } from '@tock/bench';
import {
  findProgram,
  LAB_SERVERS,
  runOk,
  startListening,
  startChronyd as startPeerChronyd,
} from '@tock/test-utils';

const TOCKD = fileURLToPath(new URL('../bin/tockd.js', import.meta.url));
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    json: { type: 'boolean', default: false },
    'no-pin': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);
/** Server on CPU 1, generator on CPU 0: each server gets one whole core. */
const pin = !values['no-pin'] && availableParallelism() >= 2 && findProgram('taskset') !== undefined;
const onCpu = (cpu: number, command: string, args: readonly string[]): [string, string[]] =>
  pin ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, [...args]];
const log = (line: string): void => {
  if (!values.json) process.stderr.write(`${line}\n`);
};

interface Server {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<unknown>;
}
interface CResult {
  readonly sent: number;
  readonly valid: number;
  readonly lost: number;
  readonly rps: number;
  readonly p50Us: number;
  readonly p99Us: number;
  /** The server's CPU time per reply, in µs (user + system, all threads, from /proc). */
  readonly cpuUsPerReply: number;
  /** Share of one core the server used while measured. */
  readonly serverCores: number;
}

/**
 * Starts a server on CPU 1 (shared tooling: it waits for the listening line) and names it with the I/O path
 * tockd reports there, so that a batched run cannot silently fall back to dgram unnoticed.
 */
async function startServer(name: string, command: string, args: readonly string[]): Promise<Server> {
  const server = await startListening(...onCpu(1, command, args));
  const io = /"io":"(\w+)"/.exec(server.stdout())?.[1];
  return {
    name: io === undefined ? name : `${name} (io ${io})`,
    port: server.port,
    child: server.child,
    stop: server.stop,
  };
}

/** chronyd as an NTP server on loopback, started by the repository's shared benchmark tooling. */
async function startChronyd(): Promise<Server> {
  const { port, child, stop } = await startPeerChronyd();
  if (pin && child.pid !== undefined) await runOk('taskset', ['-a', '-p', '-c', '1', String(child.pid)]);
  return { name: 'chronyd', port, child, stop };
}

let binary = '';
async function measure(
  mode: 'ntp' | 'text',
  server: Server,
  clients: number,
  seconds: number,
): Promise<CResult> {
  const before = await cpuSeconds(server.child.pid);
  const stdout = await runOk(
    ...onCpu(0, binary, [mode, '127.0.0.1', String(server.port), String(clients), String(seconds), '500']),
    { timeoutMs: (seconds + 30) * 1000 },
  );
  const after = await cpuSeconds(server.child.pid);
  const cpu = before === null || after === null ? Number.NaN : after - before;
  const result = JSON.parse(stdout) as Omit<CResult, 'cpuUsPerReply' | 'serverCores'> & { durationS: number };
  return {
    ...result,
    cpuUsPerReply: (cpu / Math.max(1, result.valid)) * 1e6,
    serverCores: cpu / result.durationS,
  };
}

const loadAtStart = currentLoad();
const dir = await mkdtemp(join(tmpdir(), 'tock-io-bench-'));
binary = join(dir, 'c-client');
await runOk('cc', ['-O2', '-pthread', '-o', binary, C_CLIENT], { timeoutMs: 120_000 });
const cServerBinary = join(dir, 'c-server');
await runOk('cc', ['-O2', '-o', cServerBinary, C_SERVER], { timeoutMs: 120_000 });
const servers: Server[] = [];
try {
  const common = ['--port', '0', '--workers', '1', '--rate-limit', '0', '--log-level', 'info'];
  const batched = await startServer('tockd', process.execPath, [TOCKD, ...common, '--io', 'batched']);
  servers.push(batched);
  const dgram = await startServer('tockd', process.execPath, [TOCKD, ...common, '--io', 'dgram']);
  servers.push(dgram);
  const lab = await startServer('lab server (Python)', 'python3', [LAB_SERVERS.crlf, '0', '127.0.0.1']);
  servers.push(lab);
  const chronyd = await startChronyd();
  servers.push(chronyd);
  const cServer = await startServer('C recvmmsg/sendmmsg', cServerBinary, ['0']);
  servers.push(cServer);
  const targets = [
    { id: 'batched-text', server: batched, mode: 'text' },
    { id: 'dgram-text', server: dgram, mode: 'text' },
    { id: 'lab-text', server: lab, mode: 'text' },
    { id: 'batched-ntp', server: batched, mode: 'ntp' },
    { id: 'dgram-ntp', server: dgram, mode: 'ntp' },
    { id: 'chronyd-ntp', server: chronyd, mode: 'ntp' },
    { id: 'c-text', server: cServer, mode: 'text' },
    { id: 'c-ntp', server: cServer, mode: 'ntp' },
  ] as const;
  log(
    `${rounds} rounds of ${duration}s per target, ${connections} clients, closed loop (tooling/bench/c-client.c)` +
      (pin ? ', servers on CPU 1, generator on CPU 0' : ', not pinned'),
  );
  const results = new Map<string, CResult[]>(targets.map((t) => [t.id, []]));
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round so that no target always runs first (or right after another).
    const order = targets.map((_, i) => targets[(i + r) % targets.length] as (typeof targets)[number]);
    for (const t of order) {
      await measure(t.mode, t.server, connections, 0.3); // warm up
      const result = await measure(t.mode, t.server, connections, duration);
      results.get(t.id)?.push(result);
      log(
        `round ${r + 1} ${t.id.padEnd(12)} ${t.server.name.padEnd(22)} ${result.rps.toFixed(0).padStart(7)} replies/s ` +
          `p50 ${result.p50Us} µs p99 ${result.p99Us} µs lost ${result.lost} ` +
          `server ${result.serverCores.toFixed(2)} cores, ${result.cpuUsPerReply.toFixed(2)} µs CPU/reply`,
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
        cpuUsPerReply: median(rs.map((x) => x.cpuUsPerReply)),
      },
    ]),
  ) as Record<
    (typeof targets)[number]['id'],
    { rps: number; p50Us: number; p99Us: number; lost: number; cpuUsPerReply: number }
  >;
  const ratios = {
    batchedVsLabText: summary['batched-text'].rps / summary['lab-text'].rps,
    batchedVsChronydNtp: summary['batched-ntp'].rps / summary['chronyd-ntp'].rps,
    batchedVsDgramText: summary['batched-text'].rps / summary['dgram-text'].rps,
    batchedVsDgramNtp: summary['batched-ntp'].rps / summary['dgram-ntp'].rps,
    dgramVsLabText: summary['dgram-text'].rps / summary['lab-text'].rps,
    dgramVsChronydNtp: summary['dgram-ntp'].rps / summary['chronyd-ntp'].rps,
    p99BatchedOverChronydNtp: summary['batched-ntp'].p99Us / summary['chronyd-ntp'].p99Us,
    // The yardstick: what a server with no user-space cost reaches, against the same references.
    cVsLabText: summary['c-text'].rps / summary['lab-text'].rps,
    cVsChronydNtp: summary['c-ntp'].rps / summary['chronyd-ntp'].rps,
    batchedVsCText: summary['batched-text'].rps / summary['c-text'].rps,
    batchedVsCNtp: summary['batched-ntp'].rps / summary['c-ntp'].rps,
  };
  const names = Object.fromEntries(targets.map((t) => [t.id, t.server.name]));
  if (values.out !== undefined) {
    const file = {
      tool: 'packages/server/bench/io.ts',
      date: new Date().toISOString(),
      machine: describeMachine(loadAtStart),
      settings: {
        rounds,
        durationS: duration,
        connections,
        pinned: pin,
        generator: 'tooling/bench/c-client.c (closed loop, one thread and socket per client)',
      },
      names,
      summary,
      ratios,
      runs: Object.fromEntries(results),
    };
    await writeFile(values.out, `${JSON.stringify(file, null, 2)}\n`);
    log(`wrote ${values.out}`);
  }
  if (values.json) {
    console.log(JSON.stringify({ rounds, duration, connections, pinned: pin, summary, ratios }));
  } else {
    log('\nmedians:');
    for (const [id, s] of Object.entries(summary)) {
      log(
        `  ${id.padEnd(12)} ${s.rps.toFixed(0).padStart(7)} replies/s  p50 ${s.p50Us} µs  p99 ${s.p99Us} µs  ` +
          `${s.cpuUsPerReply.toFixed(2)} µs CPU/reply`,
      );
    }
    log('\nratios (replies/s, same run):');
    for (const [k, v] of Object.entries(ratios)) log(`  ${k.padEnd(26)} ${v.toFixed(2)}`);
  }
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  await rm(dir, { recursive: true, force: true });
}
