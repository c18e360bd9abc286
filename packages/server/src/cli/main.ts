import { reportError, versionText, writeProcess } from '@tock/cli-kit';
import { formatHostPort } from '@tock/protocol';
import { ServerError } from '../errors.ts';
import type { Endpoint } from '../io/transport.ts';
import { createJsonLogger, type Logger } from '../log.ts';
import type { ServerSettings } from '../options.ts';
import { createServer, type TockServer } from '../server.ts';
import { VERSION } from '../version.ts';
import { renderHelp } from './help.ts';
import { type ConfigSources, parseCommandLine } from './parse.ts';

export type { CliReference, CliReferenceFlag } from '@tock/cli-kit';
export { CLI_REFERENCE } from './reference.ts';

/** What `tockd` talks to besides the network: output streams, the environment and the signals that stop it. */
export interface CliIo extends ConfigSources {
  /** Writes text to stdout (`out`) or stderr (`err`). */
  write(stream: 'out' | 'err', text: string): void;
  /** Calls `listener` with the signal's name when the server should stop; returns a function that unsubscribes. */
  onStop(listener: (signal: string) => void): () => void;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** The real process: stdout, stderr (a closed one, say `tockd | head -1`, is not an error), the environment, files, SIGINT and SIGTERM. */
export const processIo: CliIo = {
  env: process.env,
  write: writeProcess,
  onStop(listener) {
    for (const signal of STOP_SIGNALS) process.on(signal, listener);
    return () => {
      for (const signal of STOP_SIGNALS) process.off(signal, listener);
    };
  },
};

/**
 * Runs `tockd` with `argv` (the arguments after the script name) and resolves with its exit status: 0 after
 * `--help`, `--version` or a stop signal; 2 for a bad flag, environment variable or config file; 1 when a
 * socket cannot be bound; 70 for a bug (or a worker thread that died). This is the only place errors become exit statuses and messages; a
 * user's mistake never prints a stack trace.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    const command = parseCommandLine(argv, io);
    switch (command.kind) {
      case 'help':
        io.write('out', renderHelp(VERSION));
        return 0;
      case 'version':
        io.write('out', versionText(VERSION));
        return 0;
      case 'serve': {
        const logger = createJsonLogger((line) => io.write('out', line), command.settings.logLevel);
        for (const warning of command.warnings) logger.log('warn', 'config-warning', warning);
        return await serve(command.settings, command.configFile, logger, io);
      }
    }
  } catch (error) {
    return reportError('tockd', error, io.write);
  }
}

async function serve(
  settings: ServerSettings,
  configFile: string | undefined,
  logger: Logger,
  io: CliIo,
): Promise<number> {
  let wake: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    wake = resolve;
  });
  // Listen for signals before binding, so that one arriving at any point stops the server cleanly.
  const unsubscribe = io.onStop((signal) => wake(signal));
  try {
    const server = createServer({ ...settings, logger });
    try {
      const address = await server.listen();
      logListening(logger, server, address, configFile);
      logger.log('debug', 'settings', 'the settings in effect, defaults filled in', {
        settings: server.settings,
      });
      const outcome = await Promise.race([stopped, server.failed]);
      if (outcome instanceof ServerError) throw outcome;
      const began = performance.now();
      logger.log('info', 'stopping', `${outcome}: stopping`, { signal: outcome });
      await server.close();
      logStopped(logger, server, outcome, performance.now() - began);
      return 0;
    } finally {
      await server.close();
    }
  } finally {
    unsubscribe();
  }
}

/** `tockd 1.2.3 listening on udp 127.0.0.1:5005 (text, JSON, NTP; format ctime, time zone UTC, stratum 2)` */
function logListening(
  logger: Logger,
  server: TockServer,
  address: Endpoint,
  configFile: string | undefined,
): void {
  const s = server.settings;
  const dual = address.family === 'IPv6' && address.address === '::' ? ', IPv4 too' : '';
  const workers = server.workers();
  const metrics = server.metricsAddress();
  const metricsUrl =
    metrics === undefined ? undefined : `http://${formatHostPort(metrics.address, metrics.port)}/metrics`;
  const extras = [
    workers === 1 ? '' : `; ${workers} workers`,
    metricsUrl === undefined ? '' : `; metrics on ${metricsUrl}`,
  ].join('');
  logger.log(
    'info',
    'listening',
    `tockd ${VERSION} listening on udp ${formatHostPort(address.address, address.port)} (text, JSON, NTP${dual}; ` +
      `format ${s.textFormat}, time zone ${s.timeZone}, stratum ${s.ntp.stratum}${extras})`,
    {
      version: VERSION,
      address: address.address,
      port: address.port,
      workers,
      io: server.io(),
      ...(metricsUrl === undefined ? {} : { metrics: metricsUrl }),
      rateLimit:
        s.rateLimit.rate > 0
          ? {
              rate: s.rateLimit.rate,
              burst: s.rateLimit.burst,
              table: s.rateLimit.table,
              exempt: s.rateLimit.exempt,
            }
          : 'off',
      strictSize: s.strictSize,
      ...(configFile === undefined ? {} : { config: configFile }),
    },
  );
  if (s.clockOffset !== '0s' || s.clockRate !== 0 || s.ntp.leap !== 0) {
    logger.log(
      'warn',
      'wrong-clock',
      `serving a deliberately wrong clock: offset ${s.clockOffset}, rate ${s.clockRate} ppm, leap indicator ${s.ntp.leap}`,
      { clockOffset: s.clockOffset, clockRate: s.clockRate, leap: s.ntp.leap },
    );
  }
}

/** `SIGTERM: closed after 120 datagrams: 118 replied to, 2 dropped, 0 send errors` */
function logStopped(logger: Logger, server: TockServer, signal: string, durationMs: number): void {
  const stats = server.stats();
  const sum = (record: Readonly<Record<string, number>>): number =>
    Object.values(record).reduce((a, b) => a + b, 0);
  const received = sum(stats.received);
  const replied = sum(stats.replies);
  const dropped = sum(stats.dropped);
  logger.log(
    'info',
    'stopped',
    `${signal}: closed after ${received} ${received === 1 ? 'datagram' : 'datagrams'}: ${replied} replied to, ` +
      `${dropped} dropped, ${stats.sendErrors} send errors`,
    {
      signal,
      received,
      replied,
      dropped,
      sendErrors: stats.sendErrors,
      receivedPerWorker: server.workerStats().map((w) => sum(w.received)),
      shutdownMs: Math.round(durationMs),
    },
  );
}
