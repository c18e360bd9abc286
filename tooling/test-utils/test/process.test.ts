import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { run, runOk, start, stopAll } from '../src/index.ts';

const node = process.execPath;
/** Whether a process with this pid runs (a zombie does not: nothing here may reap an orphan). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Whether `pid` is gone within `ms`: SIGKILL is queued at once but takes effect when the process is next
 * scheduled, which on a busy machine can be a while after the signal was sent.
 */
async function diesWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (alive(pid)) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

afterAll(stopAll);

describe('run', () => {
  it('resolves with the status and both outputs, a failure status included', async () => {
    const r = await run(node, [
      '-e',
      'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)',
    ]);
    expect(r).toEqual({ code: 3, signal: null, stdout: 'out', stderr: 'err' });
  });

  it('writes the input to stdin and closes it', async () => {
    const r = await run('cat', [], { input: 'Time request' });
    expect(r.stdout).toBe('Time request');
  });

  it('kills a program that outlives the timeout and rejects, saying so with its output', async () => {
    const began = performance.now();
    const pids: number[] = [];
    await expect(
      run('sh', ['-c', 'echo started; exec sleep 30'], {
        timeoutMs: 1000,
        onSpawn: (child) => pids.push(child.pid!),
      }),
    ).rejects.toThrow(/ was killed after 1000 ms:\nstarted\n$/);
    expect(performance.now() - began).toBeLessThan(5000);
    expect(await diesWithin(pids[0]!, 5000)).toBe(true);
  });

  it('with group, a timeout kills the background jobs of a shell script too', async () => {
    // The shell prints its background job's pid, then waits for it.
    let out = '';
    await expect(
      run('sh', ['-c', 'sleep 30 & echo $!; wait'], {
        timeoutMs: 500,
        group: true,
        onSpawn: (child) => child.stdout!.on('data', (chunk: string) => (out += chunk)),
      }),
    ).rejects.toThrow(/killed after 500 ms/);
    const sleeper = Number(out.trim());
    expect(sleeper).toBeGreaterThan(0);
    expect(await diesWithin(sleeper, 5000)).toBe(true);
  });

  it('rejects when the program cannot be started', async () => {
    await expect(run('/nonexistent/tock-test-program', [])).rejects.toThrow(/ENOENT/);
  });

  it('runOk resolves with stdout on 0 and rejects on any other status', async () => {
    await expect(runOk('sh', ['-c', 'echo fine'])).resolves.toBe('fine\n');
    await expect(runOk('sh', ['-c', 'echo broken >&2; exit 4'])).rejects.toThrow(/failed \(4\):\nbroken/);
  });
});

describe('start', () => {
  it('resolves once stdout or stderr matches the ready pattern, with the match, and keeps reading', async () => {
    const script =
      'setTimeout(() => console.error("ready on 4242"), 200); setTimeout(() => console.log("later"), 400); setInterval(() => {}, 1000)';
    const began = performance.now();
    const p = await start(node, ['-e', script], { ready: /ready on (\d+)/ });
    expect(performance.now() - began).toBeGreaterThanOrEqual(150);
    expect(p.match[1]).toBe('4242');
    expect(p.stdout()).toBe('');
    await expect.poll(() => p.stdout()).toBe('later\n');
    expect(p.output()).toBe('ready on 4242\nlater\n');
    expect(await p.stop()).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('rejects with the output when the program exits before it is ready', async () => {
    await expect(
      start(node, ['-e', 'console.log("bye"); process.exit(2)'], { ready: /ready/ }),
    ).rejects.toThrow(/exited \(2\) before it was ready:\nbye\n/);
  });

  it('rejects and kills the program when it is not ready in time', async () => {
    let pid = 0;
    const script = 'echo $$; exec sleep 30';
    await expect(
      start('sh', ['-c', script], { ready: /never/, readyTimeoutMs: 1000 }).catch((error: Error) => {
        pid = Number(/\n(\d+)\n/.exec(error.message)?.[1]);
        throw error;
      }),
    ).rejects.toThrow(/was not ready within 1000 ms/);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
  });

  it('stop escalates to SIGKILL when the signal is ignored, and runs the cleanup', async () => {
    let cleaned = false;
    const script = 'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)';
    const p = await start(node, ['-e', script], {
      ready: /up/,
      cleanup: async () => {
        cleaned = true;
      },
    });
    expect(await p.stop()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(cleaned).toBe(true);
  }, 15_000);

  it('with lifetimeS, the program ends by itself after that long', async () => {
    const p = await start(node, ['-e', 'console.log("up"); setInterval(() => {}, 1000)'], {
      ready: /up/,
      lifetimeS: 1,
    });
    // coreutils timeout ends it (status 124) without anyone calling stop().
    expect(await p.exited).toEqual({ code: 124, signal: null });
  });

  it('stopAll stops every process still running', async () => {
    const a = await start(node, ['-e', 'console.log("a"); setInterval(() => {}, 1000)'], { ready: /a/ });
    const b = await start(node, ['-e', 'console.log("b"); setInterval(() => {}, 1000)'], { ready: /b/ });
    await stopAll();
    expect([a.child.exitCode ?? a.child.signalCode, b.child.exitCode ?? b.child.signalCode]).toEqual([
      'SIGTERM',
      'SIGTERM',
    ]);
  });
});
