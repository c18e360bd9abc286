import { describe, expect, it } from 'vitest';
import { createJsonLogger, createLogThrottle, logs } from './log.ts';
import type { LogLevel } from './options.ts';

const at = () => new Date('2026-11-21T05:48:44.123Z');

describe('createJsonLogger', () => {
  it('writes one JSON object per line: time, level, event, msg, then the fields', () => {
    const lines: string[] = [];
    const logger = createJsonLogger((line) => lines.push(line), 'info', at);
    logger.log('info', 'listening', 'listening on udp 127.0.0.1:5005', { port: 5005, nonce: 7n });
    expect(lines).toEqual([
      '{"time":"2026-11-21T05:48:44.123Z","level":"info","event":"listening","msg":"listening on udp 127.0.0.1:5005","port":5005,"nonce":"7"}\n',
    ]);
  });

  it('drops events below its level', () => {
    const lines: string[] = [];
    const logger = createJsonLogger((line) => lines.push(line), 'warn', at);
    logger.log('info', 'a', 'a');
    logger.log('debug', 'b', 'b');
    logger.log('warn', 'c', 'c');
    logger.log('error', 'd', 'd');
    expect(lines.map((l) => JSON.parse(l).event)).toEqual(['c', 'd']);
    expect(logs(logger, 'error')).toBe(true);
    expect(logs(logger, 'info')).toBe(false);
  });

  it('keeps its own keys from being overwritten, and writes errors as objects', () => {
    const lines: string[] = [];
    const logger = createJsonLogger((line) => lines.push(line), 'debug', at);
    const error = Object.assign(new Error('send EPERM'), { code: 'EPERM' });
    logger.log('warn', 'socket-error', 'oops', { level: 'fake', msg: 'fake', error });
    expect(JSON.parse(lines[0]!)).toEqual({
      time: '2026-11-21T05:48:44.123Z',
      level: 'warn',
      event: 'socket-error',
      msg: 'oops',
      error: { name: 'Error', message: 'send EPERM', code: 'EPERM' },
    });
  });
});

describe('createLogThrottle', () => {
  const recorder = (level: LogLevel = 'debug') => {
    const lines: { level: string; event: string; msg: string; fields: Record<string, unknown> }[] = [];
    const logger = {
      level,
      log: (l: string, event: string, msg: string, fields?: Record<string, unknown>) =>
        lines.push({ level: l, event, msg, fields: fields ?? {} }),
    } as Parameters<typeof createLogThrottle>[0];
    return { lines, logger };
  };

  it('logs at most one line per interval and counts the ones it kept back', () => {
    const { lines, logger } = recorder();
    let t = 0;
    const report = createLogThrottle(logger, {
      level: 'error',
      event: 'internal-error',
      what: 'a datagram could not be handled',
      fields: { worker: 3 },
      intervalMs: 10_000,
      now: () => t,
    });
    report(new Error('boom 1'));
    report(new Error('boom 2'));
    t = 5_000;
    report(new Error('boom 3'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'error',
      event: 'internal-error',
      msg: 'a datagram could not be handled: boom 1',
      fields: { worker: 3 },
    });
    expect(lines[0]!.fields.suppressed).toBeUndefined();
    t = 10_000;
    report('not an Error');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      msg: 'a datagram could not be handled: not an Error',
      fields: { suppressed: 2 },
    });
  });

  it('only counts what the logger does not want, and survives a logger that throws', () => {
    const quiet = recorder('warn');
    const report = createLogThrottle(quiet.logger, { level: 'info', event: 'x', what: 'x', now: () => 0 });
    report(new Error('a'));
    expect(quiet.lines).toHaveLength(0);
    const throwing = createLogThrottle(
      {
        level: 'error',
        log: () => {
          throw new Error('disk full');
        },
      },
      { level: 'error', event: 'x', what: 'x' },
    );
    expect(() => throwing(new Error('a'))).not.toThrow();
  });
});
