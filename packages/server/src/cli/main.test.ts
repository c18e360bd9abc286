import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { exchange } from '../../test/udp-client.ts';
import { FLAGS } from './flags.ts';
import { type CliIo, main } from './main.ts';
import { VERSION } from './version.ts';

/** A CliIo that records output and lets the test send a stop signal. */
function testIo() {
  const out: string[] = [];
  const err: string[] = [];
  let stop: ((signal: string) => void) | undefined;
  let onOut: ((text: string) => void) | undefined;
  const io: CliIo = {
    write(stream, text) {
      (stream === 'out' ? out : err).push(text);
      if (stream === 'out') onOut?.(text);
    },
    onStop(listener) {
      stop = listener;
      return () => {
        stop = undefined;
      };
    },
  };
  const nextOut = (): Promise<string> =>
    new Promise((resolve) => {
      onOut = resolve;
    });
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

  it('serves until stopped: prints the listening line, answers, and exits 0 on the signal', async () => {
    const t = testIo();
    const listening = t.nextOut();
    const exit = main(['--port', '0', '--time-zone', 'UTC', '--format', 'unix'], t.io);
    const line = await listening;
    expect(line).toMatch(
      /^tockd \S+ listening on udp 127\.0\.0\.1:\d+ \(text, JSON, NTP; format unix, time zone UTC, stratum 2\)\n$/,
    );
    const port = Number(/:(\d+) /.exec(line)![1]);
    expect((await exchange('Time request', port)).toString()).toMatch(/^\d+\r\n$/);
    t.stop('SIGTERM');
    expect(await exit).toBe(0);
    expect(t.out.at(-1)).toBe(
      'tockd: SIGTERM: closed after 1 datagram: 1 replied to, 0 dropped, 0 send errors\n',
    );
    expect(t.subscribed()).toBe(false);
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
