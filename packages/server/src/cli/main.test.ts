import { createSocket } from 'node:dgram';
import { exchange } from '@tock/test-utils';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../version.ts';
import { FLAGS } from './flags.ts';
import { type CliIo, main } from './main.ts';

/** A CliIo that records output and lets the test send a stop signal. */
function testIo(sources: Pick<CliIo, 'env' | 'readFile'> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let stop: ((signal: string) => void) | undefined;
  let read = 0;
  let waiting: (() => void) | undefined;
  const io: CliIo = {
    ...sources,
    write(stream, text) {
      (stream === 'out' ? out : err).push(text);
      if (stream === 'out') waiting?.();
    },
    onStop(listener) {
      stop = listener;
      return () => {
        stop = undefined;
      };
    },
  };
  /** The next stdout write not returned yet, waiting for it if need be. */
  const nextOut = async (): Promise<string> => {
    while (read >= out.length) await new Promise<void>((resolve) => (waiting = resolve));
    return out[read++]!;
  };
  return {
    io,
    out,
    err,
    stop: (signal: string) => stop?.(signal),
    subscribed: () => stop !== undefined,
    nextOut,
  };
}

describe('main', () => {
  it('--help prints every flag and exits 0', async () => {
    const t = testIo();
    expect(await main(['--help'], t.io)).toBe(0);
    const help = t.out.join('');
    for (const flag of FLAGS) expect(help).toContain(`--${flag.name}`);
    expect(help).toContain('Usage: tockd [flags]');
    expect(t.err).toEqual([]);
  });

  it('--version prints the package version', async () => {
    const t = testIo();
    expect(await main(['--version'], t.io)).toBe(0);
    expect(t.out.join('')).toBe(`${VERSION}\n`);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('a bad flag exits 2 with one message naming it, and no stack trace', async () => {
    const t = testIo();
    expect(await main(['--stratum', '99'], t.io)).toBe(2);
    const message = t.err.join('');
    expect(message).toBe(
      'tockd: --stratum must be an integer from 1 to 15, not "99" [USAGE]\nRun "tockd --help" to see every flag.\n',
    );
    expect(t.out).toEqual([]);
  });

  it('serves until stopped: logs where it listens as JSON, answers, and exits 0 on the signal', async () => {
    const t = testIo();
    const listening = t.nextOut();
    const exit = main(['--port', '0', '--time-zone', 'UTC', '--format', 'unix'], t.io);
    const event = JSON.parse(await listening);
    expect(event).toMatchObject({ level: 'info', event: 'listening', address: '127.0.0.1', workers: 1 });
    expect(event.msg).toMatch(
      /^tockd \S+ listening on udp 127\.0\.0\.1:\d+ \(text, JSON, NTP; format unix, time zone UTC, stratum 2\)$/,
    );
    expect((await exchange('Time request', event.port)).toString()).toMatch(/^\d+\r\n$/);
    t.stop('SIGTERM');
    expect(await exit).toBe(0);
    const events = t.out.map((line) => JSON.parse(line));
    expect(events.map((e) => e.event)).toEqual(['listening', 'stopping', 'stopped']);
    expect(events[2]).toMatchObject({
      msg: 'SIGTERM: closed after 1 datagram: 1 replied to, 0 dropped, 0 send errors',
      signal: 'SIGTERM',
      received: 1,
      receivedPerWorker: [1],
    });
    expect(t.subscribed()).toBe(false);
    expect(t.err).toEqual([]);
  });

  it('warns, as a JSON event, that it serves a wrong clock', async () => {
    const t = testIo();
    const listening = t.nextOut();
    const exit = main(['--port', '0', '--clock-offset', '-90s'], t.io);
    await listening;
    const warning = t.nextOut();
    expect(JSON.parse(await warning)).toMatchObject({
      level: 'warn',
      event: 'wrong-clock',
      clockOffset: '-90s',
    });
    t.stop('SIGINT');
    expect(await exit).toBe(0);
  });

  it('logs the settings in effect at --log-level debug', async () => {
    const t = testIo({ env: { TOCK_RATE_BURST: '7' } });
    const exit = main(['--port', '0', '--log-level', 'debug'], t.io);
    expect(JSON.parse(await t.nextOut()).event).toBe('listening');
    const settings = JSON.parse(await t.nextOut());
    expect(settings).toMatchObject({
      level: 'debug',
      event: 'settings',
      settings: { rateLimit: { burst: 7 } },
    });
    t.stop('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('logs nothing but errors at --log-level error', async () => {
    const t = testIo();
    const exit = main(['--port', '0', '--log-level', 'error', '--leap', '3'], t.io);
    // main() subscribes to signals before its first await: stop it while it binds.
    expect(t.subscribed()).toBe(true);
    t.stop('SIGTERM');
    expect(await exit).toBe(0);
    expect(t.out).toEqual([]);
  });

  it('a bad config file exits 2 naming the key, and no stack trace', async () => {
    const t = testIo({ readFile: () => '{"port": 99999}' });
    expect(await main(['--config', '/etc/tockd.json'], t.io)).toBe(2);
    expect(t.err.join('')).toBe(
      'tockd: /etc/tockd.json: "port" must be an integer from 0 to 65535, not 99999 [INVALID_CONFIG]\n',
    );
    expect(t.out).toEqual([]);
  });

  it('exits 1 with ADDRESS_IN_USE when the port is taken', async () => {
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      const t = testIo();
      expect(await main(['--port', String(socket.address().port)], t.io)).toBe(1);
      expect(t.err.join('')).toBe(
        `tockd: cannot listen on 127.0.0.1:${socket.address().port}: the port is in use [ADDRESS_IN_USE]\n`,
      );
      expect(t.subscribed()).toBe(false);
    } finally {
      socket.close();
    }
  });
});
