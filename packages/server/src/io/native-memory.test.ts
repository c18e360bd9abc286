// The batched I/O addon under AddressSanitizer: builds a debug copy with -fsanitize=address into a
// temporary directory, then runs test/native-harness.ts (every datagram size up to 64 KiB, bursts, bad
// addresses, bad arguments, closing inside a batch, finalizers) in a child Node with libasan preloaded.
// Any out-of-bounds read or write, use after free or double free ends that child with ASan's report.
// Skipped where there is no Linux, gcc, libasan or node-gyp. `TOCK_VALGRIND=1` also runs it under valgrind.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/** The addon's sources and binding.gyp, in the @tock/udp package. */
const NATIVE = join(dirname(createRequire(import.meta.url).resolve('@tock/udp/package.json')), 'native');
const HARNESS = fileURLToPath(new URL('../../test/native-harness.ts', import.meta.url));

function tool(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function nodeGyp(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return undefined;
  }
}

const libasan = process.platform === 'linux' ? tool('gcc', ['-print-file-name=libasan.so']) : undefined;
const gyp = nodeGyp();
const canSanitize = libasan?.startsWith('/') === true && existsSync(libasan) && gyp !== undefined;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function buildSanitized(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tock-asan-'));
  dirs.push(dir);
  cpSync(join(NATIVE, 'binding.gyp'), join(dir, 'binding.gyp'));
  cpSync(join(NATIVE, 'src'), join(dir, 'src'), { recursive: true });
  const build = spawnSync(process.execPath, [gyp as string, 'rebuild', '--', '-Dsanitize=address'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(build.status, build.stderr).toBe(0);
  return dir;
}

describe.runIf(canSanitize)('the batched I/O addon under AddressSanitizer', () => {
  it('handles every datagram size, bad arguments and closing inside a batch without a memory error', () => {
    const dir = buildSanitized();
    const run = spawnSync(process.execPath, ['--expose-gc', HARNESS, '3'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        TOCK_IO_ADDON: dir,
        LD_PRELOAD: libasan,
        // Node itself is not built for leak checking; the addon's frees are checked by use-after-free.
        ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1:halt_on_error=1',
      },
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(output).not.toMatch(/AddressSanitizer/);
    expect(run.status, output).toBe(0);
    const counts = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
    expect(counts.received).toBeGreaterThan(0);
    expect(counts.truncated).toBeGreaterThan(0);
  }, 240_000);
});

describe.runIf(process.platform === 'linux')('the batched I/O addon in worker threads', () => {
  it('survives worker threads terminated with their socket open (the addon is unloaded first)', () => {
    // In a child process: a crash here would otherwise take the test runner with it.
    const transport = new URL('./batched-transport.ts', import.meta.url).href;
    const worker = `
      import { createBatchedTransport } from ${JSON.stringify(transport)};
      import { parentPort } from 'node:worker_threads';
      const events = { datagram() {}, sendError() {}, socketError() {} };
      const t = createBatchedTransport({ host: '127.0.0.1', port: 0, clock: () => 0n, events });
      parentPort.postMessage((await t.bind()).port);
      setInterval(() => {}, 1000);`;
    const main = `
      import { Worker } from 'node:worker_threads';
      const url = new URL('data:text/javascript,' + encodeURIComponent(${JSON.stringify(worker)}));
      for (let i = 0; i < 4; i++) {
        const w = new Worker(url, { type: 'module' });
        await new Promise((resolve) => w.once('message', resolve));
        await w.terminate();
      }
      console.log('ok');`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', main], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: run.status, signal: run.signal, stdout: run.stdout.trim() }, run.stderr).toEqual({
      status: 0,
      signal: null,
      stdout: 'ok',
    });
  });
});

describe.runIf(process.env.TOCK_VALGRIND === '1' && tool('valgrind', ['--version']) !== undefined)(
  'the batched I/O addon under valgrind',
  () => {
    it('runs the harness with no invalid read, write or free, and no error in the addon', () => {
      // V8's JIT compilers trip valgrind's uninitialised-value checks on their own; those reports never
      // name tock_udp.node, so they are let through, and anything naming the addon fails the test.
      const run = spawnSync(
        'valgrind',
        ['--smc-check=all-non-file', '-q', process.execPath, '--expose-gc', HARNESS, '1'],
        { encoding: 'utf8', timeout: 600_000 },
      );
      const output = `${run.stdout}\n${run.stderr}`;
      expect(output).not.toMatch(/Invalid (read|write|free)|tock_udp/);
      expect(run.status, output).toBe(0);
      expect(run.stdout).toMatch(/"received":[1-9]/);
    }, 620_000);
  },
);
