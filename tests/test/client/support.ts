/**
 * Helpers for the client's tests: run the built `tock` program as a user would, and a UDP server that never
 * answers. Processes, peers and ports come from @tock/test-utils.
 */
import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type RunResult, run } from '@tock/test-utils';

const require = createRequire(import.meta.url);

/** The built `tock` launcher, found through the workspace dependency on `@tock/client`. */
export const TOCK_BIN: string = join(dirname(require.resolve('@tock/client/package.json')), 'bin', 'tock.js');

/** Fails with a clear message when the client has not been built (the bin imports dist/). */
export function requireBuiltClient(): void {
  const cli = join(dirname(TOCK_BIN), '..', 'dist', 'cli.mjs');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm turbo run build\` before these tests`);
}

/** Runs the built `tock` as a user would: `node packages/client/bin/tock.js ARGS`. */
export function runTock(
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<RunResult> {
  return run(process.execPath, [TOCK_BIN, ...args], options);
}

/** A UDP socket that counts requests and never answers; `nextRequest()` resolves when one arrives. */
export async function startSilentServer(host = '127.0.0.1'): Promise<{
  target: string;
  received: () => number;
  nextRequest: () => Promise<void>;
  close: () => Promise<void>;
}> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.bind(0, host);
  await once(socket, 'listening');
  let count = 0;
  socket.on('message', () => {
    count++;
  });
  return {
    target: host.includes(':') ? `[${host}]:${socket.address().port}` : `${host}:${socket.address().port}`,
    received: () => count,
    nextRequest: async () => {
      await once(socket, 'message');
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
