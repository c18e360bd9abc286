/**
 * Serves the built site the plainest way there is: Python's `http.server`, which maps a URL to the file of
 * that name and `/dir/` to `dir/index.html`, and nothing else (no `/page` → `page.html` rewriting). A site
 * that works here works from any static host: a default nginx, a bucket, a file share.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export interface StaticServer {
  readonly origin: string;
  close(): Promise<void>;
}

/** How long Python may take to say it is serving. */
const START_TIMEOUT_MS = 15_000;

/** Serves `root` with `python3 -m http.server` on a free port of 127.0.0.1. */
export async function serveStatic(
  root: string,
  python = process.env.PYTHON ?? 'python3',
): Promise<StaticServer> {
  const child: ChildProcess = spawn(
    python,
    ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', root],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    let serving = false;
    const timer = setTimeout(
      () => fail(new Error(`${python} -m http.server did not start: ${output}`)),
      START_TIMEOUT_MS,
    );
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill();
      reject(error);
    };
    child.once('error', (error) =>
      fail(new Error(`cannot run ${python} (Debian package python3): ${error.message}`)),
    );
    child.once('exit', (code) => fail(new Error(`${python} -m http.server exited with ${code}: ${output}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Serving HTTP on \S+ port (\d+)/.exec(output);
      if (match && !serving) {
        serving = true;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(Number(match[1]));
      }
    });
    // http.server logs each request on stderr; read it so the pipe never fills.
    child.stderr?.on('data', (chunk: Buffer) => {
      if (!serving) output += chunk.toString();
    });
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill();
      await exited;
    },
  };
}
