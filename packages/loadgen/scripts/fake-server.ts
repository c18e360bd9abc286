/**
 * Fake time servers for tests, benchmarks and the perf gate: a UDP server that answers exactly as tockd does
 * (the protocol package's `handle()`), optionally misbehaving, or a plain UDP echo server.
 *
 * As a program: `node scripts/fake-server.ts [--echo] [--drop-every N] [--clock-offset S] [--duplicate]
 * [--delay MS] [--burn-us US] [--host H] [--port P]` prints `listening HOST PORT` once bound and runs until SIGTERM/SIGINT.
 */
import { createSocket, type Socket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createHandlerContext, handle } from '@tock/protocol';

/** How a fake server behaves. */
export interface FakeServerOptions {
  /** Address to bind (default 127.0.0.1). */
  readonly host?: string;
  /** Port to bind (default 0: a free port). */
  readonly port?: number;
  /** Echo every datagram back unchanged instead of answering as a time server. */
  readonly echo?: boolean;
  /** Drop every Nth datagram (the Nth, the 2Nth, …): exactly 1/N of the requests get no reply. */
  readonly dropEvery?: number;
  /** The server's clock is wrong by this many milliseconds. */
  readonly clockOffsetMs?: number;
  /** Answer every request twice. */
  readonly duplicate?: boolean;
  /** Answer each request this many milliseconds late. */
  readonly delayMs?: number;
  /** Spend this many microseconds of CPU on every request (a slower server). */
  readonly burnUs?: number;
}

/** CPU time this thread has used, in microseconds (process.threadCpuUsage where Node has it). */
function threadCpuUs(): number {
  const usage =
    (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.() ?? process.cpuUsage();
  return usage.user + usage.system;
}

/** A running fake server. */
export interface FakeServer {
  /** `HOST:PORT` to give the load generator. */
  readonly target: string;
  readonly port: number;
  /** Datagrams received so far. */
  readonly received: number;
  /** Datagrams dropped on purpose so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

function clockNs(offsetMs: number): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now() + offsetMs) * 1000)) * 1000n;
}

/** Starts a fake server; resolves once it is bound. */
export function startFakeServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const host = options.host ?? '127.0.0.1';
  const offset = options.clockOffsetMs ?? 0;
  const context = createHandlerContext(() => clockNs(offset), { timeZone: 'UTC' });
  const socket: Socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
  let received = 0;
  let dropped = 0;
  let closed = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  socket.on('message', (datagram, from) => {
    const receiveTime = clockNs(offset);
    received++;
    if (options.burnUs) {
      // CPU time, not wall time: on a busy machine a wall-clock wait spends less CPU when the thread is
      // preempted, and the server would look faster per CPU second than it is.
      const until = threadCpuUs() + options.burnUs;
      while (threadCpuUs() < until) {
        // Busy: a server that needs this much CPU per request.
      }
    }
    if (options.dropEvery !== undefined && received % options.dropEvery === 0) {
      dropped++;
      return;
    }
    let reply: Uint8Array;
    if (options.echo) {
      reply = datagram;
    } else {
      const result = handle(datagram, receiveTime, context);
      if (result.action !== 'reply') return;
      reply = result.bytes;
    }
    const send = (): void => {
      if (closed) return;
      socket.send(reply, from.port, from.address);
      if (options.duplicate) socket.send(reply, from.port, from.address);
    };
    if (options.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, options.delayMs);
      timers.add(timer);
    } else {
      send();
    }
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port ?? 0, host, () => {
      socket.off('error', reject);
      const port = socket.address().port;
      resolve({
        target: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
        port,
        get received() {
          return received;
        },
        get dropped() {
          return dropped;
        },
        close: () => {
          if (closed) return Promise.resolve();
          closed = true;
          for (const timer of timers) clearTimeout(timer);
          return new Promise<void>((done) => socket.close(() => done()));
        },
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      echo: { type: 'boolean' },
      'drop-every': { type: 'string' },
      'clock-offset': { type: 'string' },
      duplicate: { type: 'boolean' },
      delay: { type: 'string' },
      'burn-us': { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
    },
  });
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  const clockOffsetS = num(values['clock-offset']);
  const server = await startFakeServer({
    echo: values.echo ?? false,
    dropEvery: num(values['drop-every']),
    clockOffsetMs: clockOffsetS === undefined ? undefined : clockOffsetS * 1000,
    duplicate: values.duplicate ?? false,
    delayMs: num(values.delay),
    burnUs: num(values['burn-us']),
    host: values.host ?? '127.0.0.1',
    port: num(values.port) ?? 0,
  });
  process.stdout.write(`listening ${values.host ?? '127.0.0.1'} ${server.port}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
