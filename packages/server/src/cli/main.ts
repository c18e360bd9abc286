import { SERVER_ERROR_CODES, ServerError } from '../errors.ts';
import type { Endpoint } from '../io/transport.ts';
import type { ServerSettings } from '../options.ts';
import { createServer } from '../server.ts';
import type { ServerStats } from '../stats.ts';
import { renderHelp } from './help.ts';
import { parseCommandLine } from './parse.ts';
import { VERSION } from './version.ts';

/** What `tockd` talks to besides the network: output streams and the signals that stop it. */
export interface CliIo {
  /** Writes text to stdout (`out`) or stderr (`err`). */
  write(stream: 'out' | 'err', text: string): void;
  /** Calls `listener` with the signal's name when the server should stop; returns a function that unsubscribes. */
  onStop(listener: (signal: string) => void): () => void;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Keeps a closed stdout or stderr (EPIPE, say `tockd | head -1`) from taking the server down with it. */
let outputErrorsIgnored = false;

/** The real process: stdout, stderr, SIGINT and SIGTERM. */
export const processIo: CliIo = {
  write(stream, text) {
    if (!outputErrorsIgnored) {
      outputErrorsIgnored = true;
      process.stdout.on('error', () => undefined);
      process.stderr.on('error', () => undefined);
    }
    (stream === 'out' ? process.stdout : process.stderr).write(text);
  },
  onStop(listener) {
    for (const signal of STOP_SIGNALS) process.on(signal, listener);
    return () => {
      for (const signal of STOP_SIGNALS) process.off(signal, listener);
    };
  },
};

/**
 * Runs `tockd` with `argv` (the arguments after the script name) and resolves with its exit status: 0 after
 * `--help`, `--version` or a stop signal; 2 for a bad flag; 1 when the socket cannot be bound. This is the
 * only place errors become exit statuses and messages; a user's mistake never prints a stack trace.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    const command = parseCommandLine(argv);
    switch (command.kind) {
      case 'help':
        io.write('out', renderHelp(VERSION));
        return 0;
      case 'version':
        io.write('out', `${VERSION}\n`);
        return 0;
      case 'serve':
        return await serve(command.settings, io);
    }
  } catch (error) {
    if (error instanceof ServerError) {
      io.write('err', `tockd: ${error.message} [${error.code}]\n`);
      if (error.code === 'USAGE') io.write('err', 'Run "tockd --help" to see every flag.\n');
      return SERVER_ERROR_CODES[error.code].exitCode;
    }
    // A bug, not a user's mistake: the stack trace helps whoever reports it.
    io.write(
      'err',
      `tockd: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 70;
  }
}

async function serve(settings: ServerSettings, io: CliIo): Promise<number> {
  let wake: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    wake = resolve;
  });
  // Listen for signals before binding, so that one arriving at any point stops the server cleanly.
  const unsubscribe = io.onStop((signal) => wake(signal));
  try {
    const server = createServer(settings);
    try {
      const address = await server.listen();
      io.write('out', `${listeningLine(address, settings)}\n`);
      const signal = await stopped;
      await server.close();
      io.write('out', `tockd: ${signal}: closed ${summary(server.stats())}\n`);
      return 0;
    } finally {
      await server.close();
    }
  } finally {
    unsubscribe();
  }
}

/** `tockd 1.2.3 listening on udp 127.0.0.1:5005 (text, JSON, NTP; format ctime, time zone UTC, stratum 2)` */
function listeningLine(address: Endpoint, settings: ServerSettings): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const dual = address.family === 'IPv6' && address.address === '::' ? ', IPv4 too' : '';
  return (
    `tockd ${VERSION} listening on udp ${host}:${address.port} (text, JSON, NTP${dual}; ` +
    `format ${settings.textFormat}, time zone ${settings.timeZone}, stratum ${settings.ntp.stratum})`
  );
}

function summary(stats: ServerStats): string {
  const sum = (record: Readonly<Record<string, number>>): number =>
    Object.values(record).reduce((a, b) => a + b, 0);
  const received = sum(stats.received);
  return (
    `after ${received} ${received === 1 ? 'datagram' : 'datagrams'}: ${sum(stats.replies)} replied to, ` +
    `${sum(stats.dropped)} dropped, ${stats.sendErrors} send errors`
  );
}
