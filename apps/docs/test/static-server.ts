/**
 * Serves the built site the plainest way there is: Python's `http.server`, which maps a URL to the file of
 * that name and `/dir/` to `dir/index.html`, and nothing else (no `/page` → `page.html` rewriting). A site
 * that works here works from any static host: a default nginx, a bucket, a file share.
 */
import { start } from '@tock/test-utils';

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
  const server = await start(
    python,
    ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', root],
    { ready: /Serving HTTP on \S+ port (\d+)/, readyTimeoutMs: START_TIMEOUT_MS },
  ).catch((error: Error) => {
    throw new Error(
      `cannot serve the site with ${python} -m http.server (Debian package python3): ${error.message}`,
    );
  });
  return {
    origin: `http://127.0.0.1:${server.match[1]}`,
    async close() {
      await server.stop();
    },
  };
}
