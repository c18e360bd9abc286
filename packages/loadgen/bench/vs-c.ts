/**
 * Is tock-loadgen fast enough? Measures it against a minimal C closed-loop generator (tooling/bench/c-client.c,
 * compiled here with the machine's cc into a temporary directory) on the same chronyd, in one run,
 * alternating the two so that both see the same machine. Requirement: tock-loadgen reaches at least half
 * the C generator's reply rate.
 *
 * Usage: node bench/vs-c.ts [--rounds 3] [--duration 5] [--connections 16] [--workers N] [--json]
 * (after `pnpm turbo run build --filter @tock/loadgen...`; needs chronyd and cc). Exit status 1 when the
 * median ratio is below 0.5.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { startChronyd } from '../../../tooling/bench/peers.ts';
import type { LoadgenResult } from '../src/index.ts';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
/** The C yardstick generator, shared by the repository's benchmarks. */
const C_CLIENT = fileURLToPath(new URL('../../../tooling/bench/c-client.c', import.meta.url));
// `pnpm run SCRIPT -- FLAGS` passes the `--` along.
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '16' },
    workers: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);

interface CResult {
  readonly sent: number;
  readonly valid: number;
  readonly lost: number;
  readonly rps: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const dir = await mkdtemp(join(tmpdir(), 'tock-vs-c-'));
const binary = join(dir, 'c-client');
await run('cc', ['-O2', '-pthread', '-o', binary, C_CLIENT]);
const chronyd = await startChronyd();
const log = (line: string): void => {
  if (!values.json) process.stderr.write(`${line}\n`);
};
const rows: Array<{ c: CResult; tock: LoadgenResult; ratio: number }> = [];
try {
  log(`chronyd on ${chronyd.target}; ${rounds} rounds of ${duration}s, ${connections} clients each`);
  for (let i = 0; i < rounds; i++) {
    const c = JSON.parse(
      (await run(binary, ['ntp', '127.0.0.1', String(chronyd.port), String(connections), String(duration)]))
        .stdout,
    ) as CResult;
    const tock = JSON.parse(
      (
        await run(
          process.execPath,
          [
            join(here, '../bin/tock-loadgen.js'),
            '-c',
            String(connections),
            '-d',
            String(duration),
            '--json',
            ...(values.workers === undefined ? [] : ['-w', values.workers]),
            chronyd.target,
          ],
          { maxBuffer: 16 << 20 },
        ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }))
      ).stdout,
    ) as LoadgenResult;
    const ratio = tock.rps / c.rps;
    rows.push({ c, tock, ratio });
    log(
      `round ${i + 1}: C ${Math.round(c.rps).toLocaleString('en-US')} replies/s, tock-loadgen ` +
        `${Math.round(tock.rps).toLocaleString('en-US')} replies/s (p99 ${tock.latencyUs.p99} µs, ` +
        `${tock.workers} worker${tock.workers === 1 ? '' : 's'}, event loop ${Math.round(tock.generator.eventLoopUtilization * 100)}% busy, ` +
        `saturated: ${tock.generator.saturated}, invalid ${tock.invalid}, lost ${tock.lost}): ratio ${ratio.toFixed(2)}`,
    );
  }
} finally {
  await chronyd.stop();
  await rm(dir, { recursive: true, force: true });
}
const summary = {
  rounds,
  durationS: duration,
  connections,
  cRps: median(rows.map((r) => r.c.rps)),
  tockRps: median(rows.map((r) => r.tock.rps)),
  tockP99Us: median(rows.map((r) => r.tock.latencyUs.p99)),
  tockSaturated: rows.map((r) => r.tock.generator.saturated),
  ratio: Math.round(median(rows.map((r) => r.ratio)) * 1000) / 1000,
};
log(
  `median: C ${Math.round(summary.cRps).toLocaleString('en-US')} replies/s, tock-loadgen ` +
    `${Math.round(summary.tockRps).toLocaleString('en-US')} replies/s, ratio ${summary.ratio} (requirement: at least 0.5)`,
);
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exitCode = summary.ratio >= 0.5 ? 0 : 1;
