/**
 * A new user's first hour: after `./dev start`, every `node …` command of the README's "Asking tockd the
 * time" and "Load testing" sections works exactly as written (only the port is this test's tockd's), and a
 * CLI whose build is missing says what to run instead of printing a stack trace.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, run, stopAll } from '@tock/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningTockd, startTockd } from '../server/support.ts';

/** The fenced code of the README section headed `## title`. */
function sectionCode(readme: string, title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start, `README has no section "${title}"`).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
}

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const COMMANDS = ['Asking tockd the time', 'Load testing']
  .map((title) => sectionCode(README, title))
  .join('\n')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line.startsWith('node '));

let tockd: RunningTockd;

beforeAll(async () => {
  tockd = await startTockd(['--host', '127.0.0.1', '--port', '0']);
});

afterAll(async () => {
  await tockd?.stop('SIGTERM');
  await stopAll();
});

describe("the README's commands, as written, against a running tockd", () => {
  it('finds the commands (tock in text, NTP and JSON; tock-loadgen)', () => {
    expect(COMMANDS.length).toBeGreaterThanOrEqual(3);
    expect(COMMANDS.some((c) => c.includes('packages/client/bin/tock.js'))).toBe(true);
    expect(COMMANDS.some((c) => c.includes('packages/loadgen/bin/tock-loadgen.js'))).toBe(true);
  });

  it.each(COMMANDS)('%s', async (command) => {
    expect(command, 'the README aims its commands at 127.0.0.1:5005, where ./dev start runs tockd').toContain(
      '127.0.0.1:5005',
    );
    // No shell quoting in these lines: they split on spaces as a shell would split them.
    const [, ...args] = command.replace('127.0.0.1:5005', `127.0.0.1:${tockd.port}`).split(/\s+/);
    const result = await run(process.execPath, args, { timeoutMs: 30_000, cwd: REPO_ROOT });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).not.toBe('');
    if (args.includes('--json')) expect(() => JSON.parse(result.stdout)).not.toThrow();
  });
});

describe('a CLI whose build is missing', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'tock-unbuilt-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it.each([
    ['client', 'tock'],
    ['server', 'tockd'],
    ['loadgen', 'tock-loadgen'],
  ])('%s: says what to run, with no stack trace, and exits 70', async (pkg, command) => {
    // The launcher alone, as in a clone that was never built: there is no dist/ beside it.
    const bin = join(scratch, pkg, 'bin', `${command}.js`);
    cpSync(join(REPO_ROOT, 'packages', pkg, 'bin', `${command}.js`), bin);
    const result = await run(process.execPath, [bin, '--help'], { timeoutMs: 15_000 });
    expect(result.code).toBe(70);
    expect(result.stderr).toContain(`${command}: its build is missing`);
    expect(result.stderr).toContain('./dev build');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
