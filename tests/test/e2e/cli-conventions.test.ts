/**
 * The three commands, built, as a user runs them: the same shape for an unknown flag and a bad value, the
 * same exit statuses, the same version flag, and no crash when their standard output is closed early.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, run as runProgram } from '@tock/test-utils';
import { describe, expect, it } from 'vitest';

const COMMANDS = [
  { command: 'tockd', folder: 'server', bin: 'tockd.js', near: ['--prot', '5005'], suggestion: '--port' },
  {
    command: 'tock',
    folder: 'client',
    bin: 'tock.js',
    near: ['--protocl', 'ntp', 'h'],
    suggestion: '--protocol',
  },
  {
    command: 'tock-loadgen',
    folder: 'loadgen',
    bin: 'tock-loadgen.js',
    near: ['--conections', '4', '127.0.0.1:5005'],
    suggestion: '--connections',
  },
] as const;

interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a built bin with this Node.js; `closeStdout` closes the read end of its stdout before it writes. */
async function run(bin: string, args: readonly string[], closeStdout = false): Promise<Outcome> {
  const r = await runProgram(process.execPath, [bin, ...args], {
    timeoutMs: 20_000,
    ...(closeStdout ? { onSpawn: (child) => child.stdout?.destroy() } : {}),
  });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

const binOf = (c: (typeof COMMANDS)[number]): string => join(REPO_ROOT, 'packages', c.folder, 'bin', c.bin);
const versionOf = (c: (typeof COMMANDS)[number]): string =>
  (
    JSON.parse(readFileSync(join(REPO_ROOT, 'packages', c.folder, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

describe.each(COMMANDS)('$command', (c) => {
  it('answers an unknown flag in the shared shape, with did-you-mean, and exit 2', async () => {
    const r = await run(binOf(c), c.near);
    expect(r).toEqual({
      status: 2,
      stdout: '',
      stderr: `${c.command}: unknown flag ${c.near[0]}; did you mean ${c.suggestion}? [USAGE]\nRun "${c.command} --help" to see every flag.\n`,
    });
    const far = await run(binOf(c), ['--frobnicate']);
    expect(far.status).toBe(2);
    expect(far.stderr).toBe(
      `${c.command}: unknown flag --frobnicate [USAGE]\nRun "${c.command} --help" to see every flag.\n`,
    );
  });

  it('answers a bad value in the shared shape, and exit 2', async () => {
    const r = await run(
      binOf(c),
      c.command === 'tock-loadgen' ? ['--io', 'uring', '127.0.0.1:5005'] : ['--io', 'uring', 'h'],
    );
    if (c.command === 'tock') {
      // tock has no --io: the same unknown-flag shape.
      expect(r.stderr).toBe('tock: unknown flag --io [USAGE]\nRun "tock --help" to see every flag.\n');
    } else {
      expect(r.stderr).toBe(
        `${c.command}: --io must be one of batched, dgram, not "uring" [USAGE]\nRun "${c.command} --help" to see every flag.\n`,
      );
    }
    expect(r.status).toBe(2);
    const port = await run(
      binOf(c),
      c.command === 'tock-loadgen' ? ['-c', 'many', '127.0.0.1:5005'] : ['--port', 'many', 'h'],
    );
    expect(port.status).toBe(2);
    expect(port.stderr).toMatch(
      new RegExp(`^${c.command}: --\\S+ must be an integer from \\d+ to \\d+, not "many" \\[USAGE\\]\\n`),
    );
  });

  it('prints its version alone for -V and --version, exit 0', async () => {
    for (const flag of ['-V', '--version']) {
      expect(await run(binOf(c), [flag])).toEqual({ status: 0, stdout: `${versionOf(c)}\n`, stderr: '' });
    }
  });

  it('lists exit statuses 2 (USAGE) and 70 in --help, and -V, --version', async () => {
    const r = await run(binOf(c), ['--help']);
    expect(r.status).toBe(0);
    // Each exit status row: "  N   meaning [CODES]", continued on lines indented further.
    const rows = new Map<number, string>();
    let current: number | undefined;
    for (const line of r.stdout.slice(r.stdout.indexOf('\nExit status:\n')).split('\n').slice(2)) {
      const row = /^ {2}(\d+) +(.*)$/.exec(line);
      if (row !== null) {
        current = Number(row[1]);
        rows.set(current, row[2]!);
      } else if (current !== undefined && /^ {4,}\S/.test(line))
        rows.set(current, `${rows.get(current)} ${line.trim()}`);
      else break;
    }
    expect([...rows.keys()]).toEqual(expect.arrayContaining([0, 2, 70]));
    expect(rows.get(2)).toMatch(/\[USAGE[\],]/);
    expect(rows.get(70)).toMatch(/An internal error \(a bug in /);
    expect(r.stdout).toMatch(/^ {2}-V, --version +Print the version and exit\.$/m);
  });

  it('survives a closed stdout (EPIPE, as in `| head -c1`): exit 0, nothing on stderr', async () => {
    const r = await run(binOf(c), ['--help'], true);
    expect(r).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});
