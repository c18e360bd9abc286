/**
 * Is tock-loadgen fast enough to saturate a fast server? Measures it against a minimal C closed-loop generator
 * (tooling/bench/c-client.c, compiled here with the machine's cc into a temporary directory: one thread per
 * client, plain sendto/recvfrom) on the same servers, in one run: chronyd (NTP, on a loopback port) and tockd
 * (`--workers 1 --rate-limit 0`, when packages/server is built). For each server, every round runs the C
 * generator and tock-loadgen with `--io batched` and `--io dgram`, at each worker count asked for, in an
 * order that rotates from round to round, so that all see the same machine. The figure of merit is the
 * ratio of tock-loadgen's valid replies per second to the C generator's in the same round (a shared machine
 * makes absolute rates meaningless); the summary gives each one's median over the rounds and, per server and
 * I/O, the best worker count.
 *
 * Requirement: with the batched I/O, at its best worker count, tock-loadgen reaches at least `--min-ratio`
 * (default 0.9) of the C generator's rate against every server. Exit status 1 when it does not.
 *
 * Usage: node bench/vs-c.ts [--rounds 3] [--duration 3] [--connections 16] [--workers 1,2]
 * [--servers chronyd,tockd] [--min-ratio 0.9] [--json]
 * (after `pnpm turbo run build --filter @tock/loadgen... --filter @tock/server...`; needs cc, and chronyd for
 * the chronyd rows).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { C_CLIENT, median } from '@tock/bench';
import {
  findProgram,
  type PeerServer,
  REPO_ROOT,
  run,
  runOk,
  startChronyd,
  startListening,
} from '@tock/test-utils';
import type { LoadgenResult } from '../src/index.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const LOADGEN = join(here, '../bin/tock-loadgen.js');
const TOCKD = join(REPO_ROOT, 'packages/server/bin/tockd.js');
// `pnpm run SCRIPT -- FLAGS` passes the `--` along.
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    workers: { type: 'string', default: '1,2' },
    servers: { type: 'string', default: 'chronyd,tockd' },
    'min-ratio': { type: 'string', default: '0.9' },
    json: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);
const workerCounts = values.workers.split(',').map(Number);
const minRatio = Number(values['min-ratio']);
const IOS = ['batched', 'dgram'] as const;
type Io = (typeof IOS)[number];

interface CResult {
  readonly sent: number;
  readonly valid: number;
  readonly lost: number;
  readonly rps: number;
  readonly p99Us: number;
}

/** One generator configuration: the C generator, or tock-loadgen with an I/O and a worker count. */
type Contender =
  | { readonly kind: 'c' }
  | { readonly kind: 'loadgen'; readonly io: Io; readonly workers: number };
const contenders: Contender[] = [
  { kind: 'c' },
  ...IOS.flatMap((io) => workerCounts.map((workers): Contender => ({ kind: 'loadgen', io, workers }))),
];
const nameOf = (c: Contender): string => (c.kind === 'c' ? 'C' : `${c.io} -w ${c.workers}`);

interface Measurement {
  readonly rps: number;
  readonly p99Us: number;
  /** tock-loadgen only: the I/O it used, its busiest event loop, lost and invalid replies. */
  readonly io?: string;
  readonly eventLoopUtilization?: number;
  readonly lost: number;
  readonly invalid: number;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const log = (line: string): void => {
  if (!values.json) process.stderr.write(`${line}\n`);
};

let binary = '';
/** The longest one measurement may take: its duration, plus start-up and warm-up. */
const runLimitMs = (duration + 60) * 1000;
async function measure(contender: Contender, server: PeerServer): Promise<Measurement> {
  if (contender.kind === 'c') {
    const stdout = await runOk(
      binary,
      ['ntp', '127.0.0.1', String(server.port), String(connections), String(duration)],
      { timeoutMs: runLimitMs },
    );
    const c = JSON.parse(stdout) as CResult;
    return { rps: c.rps, p99Us: c.p99Us, lost: c.lost, invalid: 0 };
  }
  // tock-loadgen prints its JSON result on a failure status too (invalid replies, a missed schedule).
  const { stdout, stderr } = await run(
    process.execPath,
    [
      LOADGEN,
      '-c',
      String(connections),
      '-d',
      String(duration),
      // The C generator needs no warm-up; the JIT does.
      '--warmup',
      '0.5',
      '-w',
      String(contender.workers),
      '--io',
      contender.io,
      '--json',
      server.target,
    ],
    { timeoutMs: runLimitMs },
  );
  if (stdout === '') throw new Error(`tock-loadgen failed: ${stderr}`);
  const r = JSON.parse(stdout) as LoadgenResult;
  return {
    rps: r.rps,
    p99Us: r.latencyUs.p99,
    ...(r.io === undefined ? {} : { io: r.io }),
    eventLoopUtilization: r.generator.eventLoopUtilization,
    lost: r.lost,
    invalid: r.invalid,
  };
}

const wanted = new Set(values.servers.split(','));
const dir = await mkdtemp(join(tmpdir(), 'tock-vs-c-'));
binary = join(dir, 'c-client');
await runOk('cc', ['-O2', '-pthread', '-o', binary, C_CLIENT], { timeoutMs: 120_000 });
const servers: Array<{ readonly name: string; readonly server: PeerServer }> = [];
try {
  if (wanted.has('chronyd')) {
    if (findProgram('chronyd') !== undefined) servers.push({ name: 'chronyd', server: await startChronyd() });
    else log('chronyd is not installed: no chronyd rows');
  }
  if (wanted.has('tockd')) {
    if (existsSync(join(REPO_ROOT, 'packages/server/dist/cli.mjs'))) {
      const args = [TOCKD, '--host', '127.0.0.1', '--port', '0', '--workers', '1', '--rate-limit', '0'];
      servers.push({ name: 'tockd', server: await startListening(process.execPath, args) });
    } else {
      log('packages/server is not built: no tockd rows (pnpm turbo run build --filter @tock/server...)');
    }
  }
  if (servers.length === 0) throw new Error('no server to measure against');

  log(
    `${servers.map((s) => `${s.name} on ${s.server.target}`).join(', ')}; ${rounds} rounds of ${duration}s, ` +
      `${connections} clients, closed loop NTP; contenders: ${contenders.map(nameOf).join(', ')}`,
  );
  /** Per server, per contender: one measurement per round. */
  const results = new Map<string, Map<string, Measurement[]>>(
    servers.map((s) => [s.name, new Map(contenders.map((c) => [nameOf(c), []]))]),
  );
  /** Per server, per tock-loadgen contender: its ratio to the C generator in each round. */
  const ratios = new Map<string, Map<string, number[]>>(
    servers.map((s) => [s.name, new Map(contenders.slice(1).map((c) => [nameOf(c), []]))]),
  );
  for (let round = 0; round < rounds; round++) {
    for (const { name, server } of servers) {
      // Rotate the order each round so that no contender always runs first (or right after another).
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!);
      const got = new Map<string, Measurement>();
      for (const contender of order) {
        const m = await measure(contender, server);
        got.set(nameOf(contender), m);
        results.get(name)!.get(nameOf(contender))!.push(m);
      }
      const c = got.get('C')!;
      const cells = [`C ${fmt(c.rps)}`];
      for (const contender of contenders.slice(1)) {
        const m = got.get(nameOf(contender))!;
        const ratio = m.rps / c.rps;
        ratios.get(name)!.get(nameOf(contender))!.push(ratio);
        const busy =
          m.eventLoopUtilization === undefined ? '' : `, busy ${Math.round(m.eventLoopUtilization * 100)}%`;
        const io =
          m.io !== undefined && contender.kind === 'loadgen' && m.io !== contender.io
            ? ` [used ${m.io}]`
            : '';
        const bad = m.lost + m.invalid > 0 ? `, lost ${m.lost}, invalid ${m.invalid}` : '';
        cells.push(`${nameOf(contender)} ${fmt(m.rps)} (${ratio.toFixed(2)}${busy}${bad})${io}`);
      }
      log(`round ${round + 1} ${name.padEnd(7)} replies/s: ${cells.join(' | ')}`);
    }
  }

  const summary = servers.map(({ name }) => {
    const rows = contenders.map((contender) => {
      const ms = results.get(name)!.get(nameOf(contender))!;
      const rs = contender.kind === 'c' ? undefined : ratios.get(name)!.get(nameOf(contender))!;
      return {
        contender: nameOf(contender),
        ...(contender.kind === 'c' ? {} : { io: contender.io, workers: contender.workers }),
        rps: Math.round(median(ms.map((m) => m.rps))),
        p99Us: median(ms.map((m) => m.p99Us)),
        ratioToC: rs === undefined ? 1 : Math.round(median(rs) * 1000) / 1000,
        ratios: rs?.map((r) => Math.round(r * 1000) / 1000),
      };
    });
    const best = Object.fromEntries(
      IOS.map((io) => {
        const mine = rows.filter((r) => r.io === io);
        const top = mine.reduce((a, b) => (b.ratioToC > a.ratioToC ? b : a), mine[0]!);
        return [io, { workers: top.workers, ratioToC: top.ratioToC }];
      }),
    ) as Record<Io, { workers: number; ratioToC: number }>;
    return { server: name, rows, best };
  });
  for (const s of summary) {
    log(`\n${s.server}: medians of ${rounds} rounds`);
    for (const r of s.rows) {
      log(
        `  ${r.contender.padEnd(12)} ${fmt(r.rps).padStart(8)} replies/s  p99 ${fmt(r.p99Us).padStart(6)} µs` +
          (r.ratios
            ? `  ratio to C ${r.ratioToC.toFixed(2)} (rounds: ${r.ratios.map((x) => x.toFixed(2)).join(', ')})`
            : ''),
      );
    }
    log(
      `  best: batched -w ${s.best.batched.workers} ${s.best.batched.ratioToC.toFixed(2)} × C, ` +
        `dgram -w ${s.best.dgram.workers} ${s.best.dgram.ratioToC.toFixed(2)} × C`,
    );
  }
  const ok = summary.every((s) => s.best.batched.ratioToC >= minRatio);
  log(
    `\nrequirement: tock-loadgen --io batched at least ${minRatio} × C against every server: ${ok ? 'met' : 'NOT met'}`,
  );
  process.stdout.write(
    `${JSON.stringify({ rounds, durationS: duration, connections, minRatio, ok, servers: summary })}\n`,
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  await Promise.all(servers.map((s) => s.server.stop()));
  await rm(dir, { recursive: true, force: true });
}
