/**
 * Helpers for the release tests: find the programs they need (under CI a missing one is an error, not a
 * skip), talk UDP to a server on loopback, and measure an installed node_modules.
 */
import { randomFillSync } from 'node:crypto';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { accessSync, constants, existsSync, lstatSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** Where `name` is on PATH (or in the sbin folders, where chronyd lives), or undefined. */
export function findProgram(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The path of a program a test needs, or a reason to skip without it. Under CI (`CI` set) every
 * prerequisite is installed by .ci/run, so a missing one throws instead.
 */
export function needProgram(name: string, from: string): { path: string } | { skip: string } {
  const path = findProgram(name);
  if (path !== undefined) return { path };
  const reason = `${name} is not installed (${from})`;
  if (process.env['CI'])
    throw new Error(`${reason}, and CI is set: missing prerequisites fail the release tests`);
  return { skip: reason };
}

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

/** A 48-byte SNTPv4 client request (LI 0, VN 4, mode 3) with a random transmit timestamp (servers drop a zero one). */
export function ntpRequest(): Buffer {
  const packet = Buffer.alloc(48);
  packet[0] = 0x23;
  randomFillSync(packet, 40, 8);
  packet.writeUInt8(packet.readUInt8(40) | 0x80, 40);
  return packet;
}

/** Resolves once an NTP server answers on 127.0.0.1:`port`; rejects after `deadlineMs`. */
export async function waitForNtp(port: number, deadlineMs = 15_000): Promise<void> {
  const end = performance.now() + deadlineMs;
  while (performance.now() < end) {
    // Each try waits for an answer, the port's refusal, or 250 ms: no fixed sleep.
    const reply = await udpExchange(port, ntpRequest(), 250);
    if (reply !== undefined && reply.length >= 48) return;
  }
  throw new Error(`no NTP server answered on 127.0.0.1:${port} within ${deadlineMs} ms`);
}

/** A UDP port free on 127.0.0.1 right now (bound, then released). */
export async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  socket.close();
  return port;
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
