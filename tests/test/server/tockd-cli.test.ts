// tockd as a user runs it: the built bin/tockd.js in its own process.

import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { buildNtpRequest, decodeJsonReply, readNtpReply } from '@tock/protocol';
import { exchange, stopAll } from '@tock/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { CTIME_LINE, runTockd, startTockd } from './support.ts';

afterAll(stopAll);

const FLAGS = [
  '--host',
  '--port',
  '--workers',
  '--format',
  '--time-zone',
  '--stratum',
  '--reference-id',
  '--leap',
  '--precision',
  '--clock-offset',
  '--clock-rate',
  '--rate-limit',
  '--rate-burst',
  '--rate-limit-table',
  '--rate-limit-exempt',
  '--strict-size',
  '--metrics-port',
  '--metrics-host',
  '--log-level',
  '--config',
];

describe('tockd command line', () => {
  it('--help exits 0 and lists every flag', async () => {
    const r = await runTockd(['--help']);
    expect(r.code).toBe(0);
    for (const flag of [...FLAGS, '--help', '--version']) expect(r.stdout).toContain(flag);
    expect(r.stderr).toBe('');
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../../../packages/server/package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    const r = await runTockd(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  });

  it.each([
    [['--port', '99999'], '--port must be an integer from 0 to 65535'],
    [['--stratum', '0'], '--stratum must be an integer from 1 to 15'],
    [['--format', 'yaml'], '--format must be one of ctime, iso, unix, unix-ms'],
    [['--time-zone', 'Nowhere/Special'], '--time-zone must be an IANA time zone'],
    [['--host', 'example.com'], '--host must be an IP address'],
    [['--colour'], 'unknown flag --colour'],
    [['--port'], '--port needs a value'],
  ])('%j exits 2 with a clear message and no stack trace', async (args, message) => {
    const r = await runTockd(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toMatch(/^tockd: .*\[USAGE\]\nRun "tockd --help" to see every flag\.\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('exits 1 with ADDRESS_IN_USE when the port is taken', async () => {
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      const r = await runTockd(['--port', String(socket.address().port)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `tockd: cannot listen on 127.0.0.1:${socket.address().port}: the port is in use [ADDRESS_IN_USE]\n`,
      );
    } finally {
      socket.close();
    }
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'prints where it listens, answers, and exits 0 on %s, releasing the port',
    async (signal) => {
      const tockd = await startTockd(['--port', '0']);
      try {
        expect(tockd.listeningLine).toMatch(
          /^tockd \d+\.\d+\.\d+\S* listening on udp 127\.0\.0\.1:\d+ \(text, JSON, NTP; format ctime, time zone \S+, stratum 2\)$/,
        );
        expect((await exchange('Time request', tockd.port)).toString()).toMatch(CTIME_LINE);
      } finally {
        expect(await tockd.stop(signal)).toEqual({ code: 0, signal: null });
      }
      expect(tockd.events().map((e) => e.event)).toEqual(['listening', 'stopping', 'stopped']);
      expect(tockd.events()[2]!.msg).toBe(
        `${signal}: closed after 1 datagram: 1 replied to, 0 dropped, 0 send errors`,
      );
      expect(tockd.output().stderr).toBe('');
      const socket = createSocket({ type: 'udp4', reuseAddr: false });
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(tockd.port, '127.0.0.1', resolve);
      });
      socket.close();
    },
  );

  it('with --host :: answers text, JSON and NTP over IPv6 and IPv4 on one socket', async () => {
    const tockd = await startTockd(['--host', '::', '--port', '0', '--stratum', '4']);
    try {
      expect(tockd.listeningLine).toContain(
        `listening on udp [::]:${tockd.port} (text, JSON, NTP, IPv4 too;`,
      );
      for (const host of ['::1', '127.0.0.1']) {
        expect((await exchange('Time request', tockd.port, host)).toString(), host).toMatch(CTIME_LINE);
        const json = decodeJsonReply(
          await exchange('{"v":1,"type":"time.request","id":"dual"}', tockd.port, host),
        );
        expect(json.ok && json.reply.type === 'time.response' && json.reply.id, host).toBe('dual');
        const nonce = 0xfeed_f00d_0000_0001n;
        const ntp = readNtpReply(
          await exchange(buildNtpRequest(nonce), tockd.port, host),
          nonce,
          BigInt(Date.now()) * 1_000_000n,
        );
        expect(ntp.ok && ntp.reply.packet.stratum, host).toBe(4);
      }
    } finally {
      expect((await tockd.stop()).code).toBe(0);
    }
  });

  it('with --host ::1 answers over IPv6', async () => {
    const tockd = await startTockd(['--host', '::1', '--port', '0', '--format', 'unix-ms']);
    try {
      expect(tockd.listeningLine).toContain(`listening on udp [::1]:${tockd.port} `);
      const reply = (await exchange('x', tockd.port, '::1')).toString();
      expect(Math.abs(Number(reply) - Date.now())).toBeLessThan(2000);
    } finally {
      expect((await tockd.stop()).code).toBe(0);
    }
  });
});
