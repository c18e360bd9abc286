/**
 * Helpers for the release tests: talk UDP to a server on loopback, and measure an installed node_modules.
 * Programs, ports and peers come from @tock/test-utils.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Sends `payload` to 127.0.0.1:`port` and resolves with the first reply, or undefined when none came
 * within `timeoutMs` or the port refused it (nothing listening yet).
 */
export async function udpExchange(
  port: number,
  payload: Buffer,
  timeoutMs: number,
): Promise<Buffer | undefined> {
  const socket = dgram.createSocket('udp4');
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    socket.connect(port, '127.0.0.1');
    await once(socket, 'connect', { signal: timeout });
    socket.send(payload);
    const [reply] = (await once(socket, 'message', { signal: timeout })) as [Buffer];
    return reply;
  } catch (error) {
    // `once` rejects with the socket's error (ECONNREFUSED: the ICMP answer of a closed port) or on timeout.
    if ((error as { code?: string }).code === 'ECONNREFUSED' || timeout.aborted) return undefined;
    throw error;
  } finally {
    socket.close();
  }
}

/** The sum of the sizes of the regular files under `dir` (what `du --apparent-size` counts, without folders). */
export function filesSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += filesSize(path);
    else if (entry.isFile()) total += lstatSync(path).size;
  }
  return total;
}

/**
 * The first node_modules folder above `dir`, if any: a package found there would let an install that
 * misses a dependency work anyway, so the smoke test refuses to run below one.
 */
export function nodeModulesAbove(dir: string): string | undefined {
  for (let at = dirname(dir); ; at = dirname(at)) {
    if (existsSync(join(at, 'node_modules'))) return join(at, 'node_modules');
    if (dirname(at) === at) return undefined;
  }
}
