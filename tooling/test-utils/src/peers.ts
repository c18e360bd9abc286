/**
 * Servers that are not ours, started on loopback for the interop tests and the benchmarks: chronyd as an
 * NTP server, the networking lab's Python servers (tests/lab/), and any program that prints its listening
 * address (tockd, the C yardstick server, the load generator's fake servers). Each is a process of
 * {@link start}: `stop()` ends it, and `stopAll()` in afterAll ends any left running.
 */
import { randomFillSync } from 'node:crypto';
import dgram from 'node:dgram';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from './ports.ts';
import { type Started, start } from './process.ts';
import { REPO_ROOT } from './repo.ts';

/** A server started here, listening on `host`:`port`. */
export interface PeerServer extends Started {
  /** `HOST:PORT` (`[HOST]:PORT` for IPv6), as tock and tock-loadgen take it. */
  readonly target: string;
  readonly host: string;
  readonly port: number;
  /** The command line that started it, for reports. */
  readonly command: string;
}

function peer(started: Started, command: string, host: string, port: number): PeerServer {
  return {
    ...started,
    target: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    host,
    port,
    command,
  };
}

/**
 * What a server prints once it listens: the lab servers' (and the C server's) `listening HOST PORT` line, or
 * tockd's `listening on udp HOST:PORT`. The port must be followed by something, so a line cut in two by
 * the pipe is not read as a shorter port.
 */
const LISTENING = /listening on udp (\S+):(\d+)(?=\D)|^listening (\S+) (\d+)(?=\s)/m;

/**
 * Starts a program and resolves once it prints where it listens (see {@link LISTENING}). A wildcard
 * address is reached on loopback.
 */
export async function startListening(
  command: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv; readonly readyTimeoutMs?: number } = {},
): Promise<PeerServer> {
  const started = await start(command, args, { ready: LISTENING, ...options });
  const { match } = started;
  const bound = (match[1] ?? match[3])!.replace(/^\[|\]$/g, '');
  const host = bound === '0.0.0.0' ? '127.0.0.1' : bound === '::' ? '::1' : bound;
  return peer(started, [command, ...args].join(' '), host, Number(match[2] ?? match[4]));
}

/** The two lab servers in tests/lab, as the networking-lab write-ups have them. */
export const LAB_SERVERS: { readonly crlf: string; readonly asctime: string } = {
  /** Replies `time.ctime() + "\r\n"` to any datagram. */
  crlf: join(REPO_ROOT, 'tests/lab/lab_server_crlf.py'),
  /** Reads at most 10 bytes of each datagram and replies `time.asctime()` without a line ending. */
  asctime: join(REPO_ROOT, 'tests/lab/lab_server_asctime.py'),
};

/** Starts one of the lab's Python servers on a free port of `host` (default 127.0.0.1). */
export function startLabServer(
  variant: keyof typeof LAB_SERVERS,
  options: { readonly host?: string; readonly python?: string; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<PeerServer> {
  const args = ['-u', LAB_SERVERS[variant], '0', options.host ?? '127.0.0.1'];
  return startListening(options.python ?? 'python3', args, options.env ? { env: options.env } : {});
}

/** A 48-byte SNTPv4 client request (mode 3) with a random transmit timestamp (servers drop a zero one). */
export function ntpRequest(): Buffer {
  const packet = Buffer.alloc(48);
  packet[0] = 0x23;
  randomFillSync(packet, 40, 8);
  packet[40] = packet[40]! | 0x80;
  return packet;
}

/** Resolves once an NTP server answers on `host`:`port` (asking every 100 ms); rejects after `timeoutMs`. */
export async function waitForNtp(port: number, host = '127.0.0.1', timeoutMs = 10_000): Promise<void> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.on('error', () => undefined); // nothing bound there yet: keep asking
  let probe: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      socket.on('message', (reply) => {
        if (reply.length >= 48 && (reply[0]! & 7) === 4) resolve();
      });
      const send = (): void => socket.send(ntpRequest(), port, host);
      probe = setInterval(send, 100);
      deadline = setTimeout(
        () => reject(new Error(`no NTP server answered on ${host}:${port} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      send();
    });
  } finally {
    clearInterval(probe);
    clearTimeout(deadline);
    socket.close();
  }
}

/**
 * Starts chronyd as an NTP server on a free port of `hosts` (default 127.0.0.1), as /work/shared/INTEROP.md
 * shows: in the foreground (`-d`, a child that can be stopped and reaped), never touching the system clock
 * (`-x`), `local stratum 8`, no command socket (`cmdport 0`, `bindcmdaddress /`, so it does not take over
 * the system's in /run/chrony), its files in a private temporary folder removed once it exits. Resolves
 * once it answers NTP on the first host. `lifetimeS`: see {@link start}.
 */
export async function startChronyd(
  options: { readonly hosts?: readonly string[]; readonly path?: string; readonly lifetimeS?: number } = {},
): Promise<PeerServer> {
  const hosts = options.hosts ?? ['127.0.0.1'];
  const dir = await mkdtemp(join(tmpdir(), 'tock-chronyd-'));
  await chmod(dir, 0o700);
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const port = await freeUdpPort(hosts);
    const conf = join(dir, 'chrony.conf');
    await writeFile(
      conf,
      [
        `port ${port}`,
        ...hosts.flatMap((host) => [`bindaddress ${host}`, `allow ${host}`]),
        'local stratum 8',
        'cmdport 0',
        'bindcmdaddress /',
        `pidfile ${join(dir, 'chronyd.pid')}`,
        `driftfile ${join(dir, 'drift')}`,
        '',
      ].join('\n'),
    );
    // As root chronyd drops to its own user; otherwise it must be told to stay the current one.
    const user = process.getuid?.() === 0 ? [] : ['-u', userInfo().username];
    const args = ['-x', '-d', '-f', conf, ...user];
    const path = options.path ?? 'chronyd';
    const started = await start(path, args, {
      ready: /Disabled control of system clock/,
      cleanup,
      ...(options.lifetimeS === undefined ? {} : { lifetimeS: options.lifetimeS }),
    });
    const server = peer(started, [path, ...args].join(' '), hosts[0]!, port);
    try {
      // It binds its socket just after saying it will not touch the clock.
      await waitForNtp(port, server.host);
    } catch (error) {
      await server.stop();
      throw new Error(`${(error as Error).message}\n${server.output()}`);
    }
    return server;
  } catch (error) {
    await cleanup();
    throw error;
  }
}
