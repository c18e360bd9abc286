/**
 * Measures tockd against the reference servers on this machine, in one run, and writes the results the
 * Benchmarks page draws its charts from (apps/docs/data/benchmarks.json, committed).
 *
 * It starts, on 127.0.0.1 only:
 * - tockd (packages/server, built) twice, with its default flags but for its I/O path: once with
 *   `--io batched` (the default: recvmmsg/sendmmsg through the native addon) and once with `--io dgram`
 *   (node:dgram), each answering text, JSON and NTP on one port;
 * - the networking lab's Python server (tests/lab/lab_server_crlf.py), plain text;
 * - chronyd as an NTP server (foreground, `-x`: it never touches the clock; no command socket).
 * Then it runs tock-loadgen against each (server, protocol) pair in turn, round after round, so that a
 * change in the machine's load during the run is spread over every server, and stops the servers.
 *
 * Usage (from the repository root, after `pnpm turbo run build`):
 *   node apps/docs/scripts/benchmarks.ts [--rounds 3] [--duration 3] [--connections 16] [--out FILE]
 * or `pnpm --filter docs run bench`. Needs python3 and chronyd (Debian: chrony).
 */
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuSeconds, currentLoad, describeMachine, median } from '@tock/bench';
import {
  REPO_ROOT as ROOT,
  run,
  startLabServer,
  startListening,
  startChronyd as startPeerChronyd,
} from '@tock/test-utils';

const DEFAULT_OUT = fileURLToPath(new URL('../data/benchmarks.json', import.meta.url));
const LOADGEN = 'packages/loadgen/bin/tock-loadgen.js';
const TOCKD = 'packages/server/bin/tockd.js';
const LAB = 'tests/lab/lab_server_crlf.py';

const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    out: { type: 'string', default: DEFAULT_OUT },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);

/** A server this script started. */
interface Server {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  readonly command: string;
  stop(): Promise<unknown>;
}

/** Starts tockd with the given I/O path, and checks (from its `listening` log line) that it uses it. */
async function startTockd(io: 'batched' | 'dgram'): Promise<Server> {
  const server = await startListening(
    process.execPath,
    [TOCKD, '--host', '127.0.0.1', '--port', '0', '--io', io],
    { cwd: ROOT },
  );
  if (!server.stdout().includes(`"io":"${io}"`)) {
    await server.stop();
    throw new Error(`tockd --io ${io} did not report that I/O path (fell back?)\n${server.stdout()}`);
  }
  return { name: `tockd (${io})`, ...server };
}

async function startLab(): Promise<Server> {
  return { name: 'lab server', ...(await startLabServer('crlf')) };
}

/** chronyd as an NTP server on loopback, started by the repository's shared benchmark tooling. */
async function startChronyd(): Promise<Server> {
  return { name: 'chronyd', ...(await startPeerChronyd()) };
}

/** The fields of a tock-loadgen result the page shows (the histogram is left out). */
interface Measurement {
  readonly rps: number;
  readonly latencyUs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  readonly sent: number;
  readonly valid: number;
  readonly invalid: number;
  readonly lost: number;
  readonly lossPct: number;
  readonly generatorSaturated: boolean;
  readonly eventLoopUtilization: number;
  /** CPU seconds the server process used during this measurement. */
  readonly serverCpuS: number | null;
  readonly warnings: readonly string[];
}

const loadAtStart = currentLoad();
const servers: Server[] = [];
const stopAll = (): Promise<unknown> => Promise.all(servers.splice(0).map((s) => s.stop()));
process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

try {
  const batched = await startTockd('batched');
  servers.push(batched);
  const dgram = await startTockd('dgram');
  servers.push(dgram);
  const lab = await startLab();
  servers.push(lab);
  const chronyd = await startChronyd();
  servers.push(chronyd);

  const cases = [
    { id: 'tockd-batched-text', server: batched, label: 'tockd (batched)', protocol: 'text' },
    { id: 'tockd-dgram-text', server: dgram, label: 'tockd (dgram)', protocol: 'text' },
    { id: 'lab-text', server: lab, label: 'lab server (Python)', protocol: 'text' },
    { id: 'tockd-batched-json', server: batched, label: 'tockd (batched)', protocol: 'json' },
    { id: 'tockd-dgram-json', server: dgram, label: 'tockd (dgram)', protocol: 'json' },
    { id: 'tockd-batched-ntp', server: batched, label: 'tockd (batched)', protocol: 'ntp' },
    { id: 'tockd-dgram-ntp', server: dgram, label: 'tockd (dgram)', protocol: 'ntp' },
    { id: 'chronyd-ntp', server: chronyd, label: 'chronyd', protocol: 'ntp' },
  ] as const;
  const runs = new Map<string, Measurement[]>(cases.map((c) => [c.id, []]));
  const commandOf = (target: string, protocol: string): string[] => [
    LOADGEN,
    target,
    '-c',
    String(connections),
    '-d',
    String(duration),
    '--protocol',
    protocol,
    '--json',
  ];

  for (let round = 1; round <= rounds; round++) {
    for (const c of cases) {
      const target = `127.0.0.1:${c.server.port}`;
      const cpuBefore = await cpuSeconds(c.server.child.pid);
      // tock-loadgen prints its JSON result on a failure status too.
      const { stdout, stderr } = await run(process.execPath, commandOf(target, c.protocol), {
        cwd: ROOT,
        timeoutMs: (duration + 60) * 1000,
      });
      if (stdout === '') throw new Error(`tock-loadgen failed against ${c.id}: ${stderr}`);
      const cpuAfter = await cpuSeconds(c.server.child.pid);
      const r = JSON.parse(stdout);
      const m: Measurement = {
        rps: r.rps,
        latencyUs: {
          p50: r.latencyUs.p50,
          p90: r.latencyUs.p90,
          p99: r.latencyUs.p99,
          p999: r.latencyUs.p999,
          max: r.latencyUs.max,
          mean: r.latencyUs.mean,
        },
        sent: r.sent,
        valid: r.valid,
        invalid: r.invalid,
        lost: r.lost,
        lossPct: r.lossPct,
        generatorSaturated: r.generator.saturated,
        eventLoopUtilization: r.generator.eventLoopUtilization,
        serverCpuS:
          cpuBefore === null || cpuAfter === null ? null : Math.round((cpuAfter - cpuBefore) * 100) / 100,
        warnings: r.warnings,
      };
      runs.get(c.id)!.push(m);
      process.stderr.write(
        `round ${round}/${rounds} ${c.id.padEnd(18)} ${Math.round(m.rps).toLocaleString('en-US').padStart(8)} replies/s, p50 ${m.latencyUs.p50} µs, p99 ${m.latencyUs.p99} µs, lost ${m.lost}, invalid ${m.invalid}\n`,
      );
    }
  }

  const results = {
    tool: 'apps/docs/scripts/benchmarks.ts',
    date: new Date().toISOString(),
    machine: describeMachine(loadAtStart),
    settings: {
      rounds,
      durationS: duration,
      connections,
      loadgen: `node ${commandOf('HOST:PORT', 'PROTOCOL').join(' ')}`,
      note: 'Every server and the load generator ran on this one machine, on 127.0.0.1, in the same run; each (server, protocol) pair was measured once per round, in turn.',
    },
    servers: {
      'tockd (batched)': `node ${TOCKD} --host 127.0.0.1 --port 0 --io batched`,
      'tockd (dgram)': `node ${TOCKD} --host 127.0.0.1 --port 0 --io dgram`,
      'lab server (Python)': `python3 ${LAB} 0 127.0.0.1`,
      chronyd:
        'chronyd -x -d -f CONF  (port PORT, bindaddress 127.0.0.1, allow 127.0.0.1, local stratum 8, cmdport 0, bindcmdaddress /)',
    },
    cases: cases.map((c) => {
      const list = runs.get(c.id)!;
      const cpuTotal = list.every((m) => m.serverCpuS !== null)
        ? list.reduce((sum, m) => sum + (m.serverCpuS ?? 0), 0)
        : null;
      const validTotal = list.reduce((sum, m) => sum + m.valid, 0);
      return {
        id: c.id,
        server: c.label,
        protocol: c.protocol,
        median: {
          rps: Math.round(median(list.map((m) => m.rps))),
          p50Us: median(list.map((m) => m.latencyUs.p50)),
          p99Us: median(list.map((m) => m.latencyUs.p99)),
          lossPct: median(list.map((m) => m.lossPct)),
        },
        repliesPerCpuSecond: cpuTotal === null || cpuTotal === 0 ? null : Math.round(validTotal / cpuTotal),
        runs: list,
      };
    }),
  };
  await writeFile(values.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stderr.write(`wrote ${values.out}\n`);
} finally {
  await stopAll();
}
