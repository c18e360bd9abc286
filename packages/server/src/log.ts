import { LOG_LEVELS, type LogLevel } from './options.ts';

/** Extra data of a log event: values that JSON can hold (bigints are written as strings, errors as objects). */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Where the server reports what happens to it: starting, listening, stopping, errors it survived. Never
 * called per datagram. `tockd` writes one JSON line per event ({@link createJsonLogger}).
 */
export interface Logger {
  /** The most detailed level wanted: events of less important levels are not even built. */
  readonly level: LogLevel;
  /**
   * Reports one event.
   * @param level - how important it is.
   * @param event - a stable name for the kind of event, such as `listening` (for filters and alerts).
   * @param msg - one sentence for people.
   * @param fields - data about it.
   */
  log(level: LogLevel, event: string, msg: string, fields?: LogFields): void;
}

const RANK: Readonly<Record<LogLevel, number>> = Object.fromEntries(
  LOG_LEVELS.map((l, i) => [l, i]),
) as Record<LogLevel, number>;

/** Whether `logger` wants events of `level`. */
export function logs(logger: Logger, level: LogLevel): boolean {
  return RANK[level] <= RANK[logger.level];
}

/** What {@link createLogThrottle} writes: one kind of error, at one level. */
export interface LogThrottleOptions {
  readonly level: LogLevel;
  /** The event name, such as `send-error`. */
  readonly event: string;
  /** What happened, for people: the error's message is appended (`what: message`). */
  readonly what: string;
  /** Fields written with every line (such as the worker's number). */
  readonly fields?: LogFields;
  /** The least time between two lines, in milliseconds (default 10 s). */
  readonly intervalMs?: number;
  /** A monotonic clock in milliseconds (default `performance.now`; tests pass their own). */
  readonly now?: () => number;
}

/** How often, at most, a throttled error is logged by default: once per 10 seconds. */
export const LOG_THROTTLE_INTERVAL_MS = 10_000;

/**
 * Logs an error that may happen for every datagram without flooding the log: at most one line per
 * `intervalMs`, which counts (`suppressed`) the ones not logged since the last line. Errors the logger's
 * level does not want are only counted. Never throws.
 */
export function createLogThrottle(logger: Logger, options: LogThrottleOptions): (error: unknown) => void {
  const { level, event, what, fields = {} } = options;
  const intervalMs = options.intervalMs ?? LOG_THROTTLE_INTERVAL_MS;
  const now = options.now ?? (() => performance.now());
  let last = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (thrown: unknown): void => {
    const at = now();
    if (at - last < intervalMs || !logs(logger, level)) {
      suppressed++;
      return;
    }
    last = at;
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    try {
      logger.log(level, event, `${what}: ${error.message}`, {
        ...fields,
        error,
        ...(suppressed > 0 ? { suppressed } : {}),
      });
    } catch {
      // A logger that throws must not take the datagram loop down with it.
    }
    suppressed = 0;
  };
}

/** A logger that drops everything (the library's default). */
export const silentLogger: Logger = { level: 'error', log: () => undefined };

/** `fields` with errors and bigints turned into plain data, to post to another thread or write as JSON. */
export function plainFields(fields: LogFields): LogFields {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, jsonValue(k, v)]));
}

const CORE = new Set(['time', 'level', 'event', 'msg']);

function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return code === undefined
      ? { name: value.name, message: value.message }
      : { name: value.name, message: value.message, code };
  }
  return value;
}

/**
 * A logger that writes one JSON object per line: `time` (ISO 8601, UTC), `level`, `event`, `msg`, then the
 * event's fields, e.g.
 * `{"time":"2026-11-21T05:48:44.123Z","level":"info","event":"listening","msg":"…","port":5005}`.
 * Events less important than `level` are dropped.
 *
 * @param write - receives each line, with its newline.
 * @param level - the most detailed level written.
 * @param now - the time of an event (the real clock, never a skewed one).
 */
export function createJsonLogger(
  write: (line: string) => void,
  level: LogLevel,
  now: () => Date = () => new Date(),
): Logger {
  const logger: Logger = {
    level,
    log(eventLevel, event, msg, fields = {}) {
      if (!logs(logger, eventLevel)) return;
      const record: Record<string, unknown> = { time: now().toISOString(), level: eventLevel, event, msg };
      for (const [key, value] of Object.entries(fields)) if (!CORE.has(key)) record[key] = value;
      write(`${JSON.stringify(record, jsonValue)}\n`);
    },
  };
  return logger;
}
