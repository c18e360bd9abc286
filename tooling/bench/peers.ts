/**
 * Servers that are not ours, started for the load generator's tests and for the benchmarks (the load
 * generator's, the server's bench/io.ts and the docs site's): chronyd (as an NTP server on a
 * loopback port, in the foreground so that it can be stopped and reaped), the lab's Python servers, and any
 * command that prints its listening address. Everything binds to 127.0.0.1 and is stopped by `stop()`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A server process started by this module. */
export interface PeerServer {
  /** `HOST:PORT` to give the load generator. */
  readonly target: string;
  readonly port: number;
  /** The process, while it runs. */
  readonly child: ChildProcess;
  /** The command line that started it, for reports. */
  readonly command: string;
  /** What it printed on stdout up to its listening line (tockd: its JSON log lines, `io` among them). */
  readonly banner: string;
  /** Stops the process (SIGTERM, then SIGKILL after 3 s) and waits until it has exited. */
  stop(): Promise<void>;
}

/** The repository's root. */
export const REPO_ROOT: string = fileURLToPath(new URL('../../', import.meta.url));

/** Whether a program is on PATH. */
export function hasProgram(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A UDP port on 127.0.0.1 that was free a moment ago. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

function stopper(child: ChildProcess, cleanup?: () => Promise<void>): () => Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await cleanup?.();
  };
}

/**
 * Spawns a command and waits (at most `timeoutMs`) until it prints a listening address on stdout: either the
 * lab servers' `listening HOST PORT` or tockd's `listening on udp HOST:PORT`.
 */
export function spawnListening(
  command: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly timeoutMs?: number } = {},
): Promise<PeerServer> {
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = stopper(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`${command} ${args.join(' ')}: ${why}\n${err}`)));
    };
    const timer = setTimeout(() => fail('no listening line in time'), options.timeoutMs ?? 10_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening\s+on\s+udp\s+(\S+):(\d+)/.exec(out) ?? /listening\s+(\S+)\s+(\d+)\s*$/m.exec(out);
      if (!m || settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume();
      // A wildcard address is reached on loopback.
      const bound = m[1]!.replace(/^\[|\]$/g, '');
      const host = bound === '0.0.0.0' ? '127.0.0.1' : bound === '::' ? '::1' : bound;
      const port = Number(m[2]);
      resolve({
        target: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
        port,
        child,
        command: [command, ...args].join(' '),
        banner: out,
        stop,
      });
    });
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? code}) before listening`));
  });
}

/** Starts one of the lab's Python servers (tests/lab/) on a free port of 127.0.0.1. */
export function startLabServer(name: 'lab_server_crlf.py' | 'lab_server_asctime.py'): Promise<PeerServer> {
  return spawnListening('python3', [join(REPO_ROOT, 'tests/lab', name), '0', '127.0.0.1']);
}

/** Sends NTP client requests until one is answered (or `timeoutMs` passes). */
function waitForNtp(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const request = new Uint8Array(48);
    request[0] = 0x23;
    request[47] = 1;
    const finish = (ok: boolean): void => {
      clearInterval(probe);
      clearTimeout(deadline);
      socket.close();
      resolve(ok);
    };
    socket.on('message', (reply) => {
      if (reply.length >= 48 && (reply[0]! & 7) === 4) finish(true);
    });
    socket.on('error', () => undefined);
    const send = (): void => socket.send(request, port, '127.0.0.1');
    const probe = setInterval(send, 100);
    const deadline = setTimeout(() => finish(false), timeoutMs);
    send();
  });
}

/**
 * Starts chronyd as an NTP server on a free port of 127.0.0.1, in the foreground (`-d`) so that it can be
 * stopped and reaped, without touching the system clock (`-x`). Resolves once it answers.
 */
export async function startChronyd(): Promise<PeerServer> {
  const dir = await mkdtemp(join(tmpdir(), 'tock-chronyd-'));
  await chmod(dir, 0o700);
  const port = await freeUdpPort();
  const conf = join(dir, 'chrony.conf');
  await writeFile(
    conf,
    [
      `port ${port}`,
      'bindaddress 127.0.0.1',
      'allow 127.0.0.1',
      'local stratum 8',
      'cmdport 0',
      'bindcmdaddress /',
      `pidfile ${join(dir, 'chronyd.pid')}`,
      `driftfile ${join(dir, 'drift')}`,
      '',
    ].join('\n'),
  );
  const args = ['-x', '-d', '-f', conf];
  const child = spawn('chronyd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const stop = stopper(child, () => rm(dir, { recursive: true, force: true }));
  const started = await Promise.race([
    waitForNtp(port, 10_000),
    new Promise<false>((resolve) => child.once('exit', () => resolve(false))),
  ]);
  if (!started) {
    await stop();
    throw new Error(`chronyd did not answer on 127.0.0.1:${port}\n${log}`);
  }
  return {
    target: `127.0.0.1:${port}`,
    port,
    child,
    command: ['chronyd', ...args].join(' '),
    banner: '',
    stop,
  };
}
