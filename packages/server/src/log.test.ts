import { describe, expect, it } from 'vitest';
import { createJsonLogger, logs } from './log.ts';

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
