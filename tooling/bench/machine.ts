/**
 * What every tock benchmark records besides its own figures: the CPU time a server process used, medians,
 * and a description of the machine and the commit it ran on (for the docs' benchmark page).
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { REPO_ROOT } from '@tock/test-utils';

/** CPU seconds a process has used so far (user + system, every thread), from /proc; null when unknown. */
export async function cpuSeconds(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The first line a program prints for `args` (its version), or `unknown`. */
export function versionOf(program: string, args: readonly string[]): string {
  try {
    return (
      execFileSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
        .trim()
        .split('\n')[0] ?? 'unknown'
    );
  } catch {
    return 'unknown';
  }
}

/** The machine a benchmark ran on, as the docs' benchmark page shows it. */
export interface MachineDescription {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly python: string;
  readonly chronyd: string;
  /** The short commit, and whether tracked files had uncommitted changes. */
  readonly tockCommit: string;
  /** The load average (1, 5 and 15 minutes) when the benchmark began. */
  readonly loadAverageAtStart: number[];
}

/** Describes this machine; `loadAverageAtStart` defaults to the load average now. */
export function describeMachine(loadAverageAtStart: number[] = currentLoad()): MachineDescription {
  const cpu = cpus();
  let dirty = false;
  try {
    dirty =
      execFileSync('git', ['-C', REPO_ROOT, 'status', '--porcelain', '--untracked-files=no'], {
        encoding: 'utf8',
      }).trim() !== '';
  } catch {
    // Not a git checkout: the commit says `unknown`.
  }
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: `${process.platform} ${release()}`,
    node: process.version,
    python: versionOf('python3', ['--version']),
    chronyd: versionOf('chronyd', ['--version']),
    tockCommit: `${versionOf('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD'])}${dirty ? ' with uncommitted changes' : ''}`,
    loadAverageAtStart,
  };
}

/** The load average now, rounded to hundredths. */
export function currentLoad(): number[] {
  return loadavg().map((x) => Math.round(x * 100) / 100);
}
