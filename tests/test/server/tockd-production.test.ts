// tockd as a production service: worker threads, metrics, per-source rate limits, bounded memory, a
// deliberately wrong clock, configuration files and graceful shutdown. Every test runs the built tockd.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import {
  buildNtpRequest,
  decodeJsonReply,
  decodeNtpPacket,
  readNtpReply,
  referenceIdToString,
} from '@tock/protocol';
import {
  bestOf,
  exchange,
  needProgram,
  offsetError,
  stopAll,
  type UdpClient,
  udpClient,
} from '@tock/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { CTIME_LINE, chronydQuery, runTockd, scrape, startTockd } from './support.ts';

afterAll(stopAll);

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;
const json = (id: string): string => JSON.stringify({ v: 1, type: 'time.request', id });

/** Waits until every datagram already sent to `client` has been read: it sends itself a marker. */
async function settle(client: UdpClient): Promise<Buffer[]> {
  const { address, port } = client.address();
  const marker = `settle-${Math.random()}`;
  client.send(marker, port, address);
  const got: Buffer[] = [];
  for (;;) {
    const message = await client.next(5000);
    if (message.toString() === marker) return got;
    got.push(message);
  }
}

describe('tockd --workers 2 --metrics-port', () => {
  it('answers every protocol from both workers, and /metrics counts every request of both', async () => {
    const tockd = await startTockd([
      '--port',
      '0',
      '--workers',
      '2',
      '--metrics-port',
      '0',
      '--stratum',
      '3',
    ]);
    const requests = 120;
    try {
      expect(tockd.listening.workers).toBe(2);
      expect(tockd.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      // Each exchange uses a fresh socket (a fresh source port), so the kernel spreads them over the workers.
      for (let i = 0; i < requests / 3; i++) {
        expect((await exchange('Time request', tockd.port)).toString()).toMatch(CTIME_LINE);
        const reply = decodeJsonReply(await exchange(json(`w-${i}`), tockd.port));
        expect(reply.ok && reply.reply.type === 'time.response' && reply.reply.id).toBe(`w-${i}`);
        const nonce = 0x7700_0000_0000_0000n + BigInt(i);
        const ntp = readNtpReply(await exchange(buildNtpRequest(nonce), tockd.port), nonce, nowNs());
        expect(ntp.ok && ntp.reply.packet.stratum).toBe(3);
      }
      const metric = await scrape(tockd.metricsUrl!);
      expect(metric('tock_requests_total')).toBe(requests);
      expect(metric('tock_replies_total')).toBe(requests);
      for (const protocol of ['text', 'json', 'ntp'])
        expect(metric('tock_replies_total', { protocol }), protocol).toBe(requests / 3);
      expect(metric('tock_processing_seconds_count', { protocol: 'ntp' })).toBe(requests / 3);
      expect(metric('tock_workers')).toBe(2);
      expect(metric('process_resident_memory_bytes')).toBeGreaterThan(0);
      const health = await fetch(tockd.metricsUrl!.replace('/metrics', '/healthz'));
      expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    } finally {
      expect(await tockd.stop()).toEqual({ code: 0, signal: null });
    }
    const stopped = tockd.events().find((e) => e.event === 'stopped')!;
    const perWorker = stopped.receivedPerWorker as number[];
    expect(perWorker).toHaveLength(2);
    expect(
      perWorker.every((n) => n > 0),
      `per worker: ${perWorker}`,
    ).toBe(true);
    expect(perWorker[0]! + perWorker[1]!).toBe(requests);
  });

  it('exits 1 with ADDRESS_IN_USE when another tockd with workers has the port (no silent sharing)', async () => {
    const first = await startTockd(['--port', '0', '--workers', '2']);
    try {
      const second = await runTockd(['--port', String(first.port), '--workers', '2']);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain('[ADDRESS_IN_USE]');
    } finally {
      expect((await first.stop()).code).toBe(0);
    }
  });
});

describe('rate limiting', () => {
  it('holds a flood from one source to about --rate-limit replies a second, while a polite second source is answered', async () => {
    const tockd = await startTockd([
      '--port',
      '0',
      '--workers',
      '2',
      '--metrics-port',
      '0',
      '--rate-limit',
      '100',
      '--rate-burst',
      '20',
      '--rate-limit-exempt',
      'none',
    ]);
    // The flooder: four sockets on 127.0.0.1 (four source ports, so both workers see it: the limit is shared).
    const flooders = await Promise.all([1, 2, 3, 4].map(() => udpClient(4, '127.0.0.1')));
    const polite = await udpClient(4, '127.0.0.2');
    const floodSeconds = 2;
    let sent = 0;
    let politeAnswered = 0;
    try {
      const request = buildNtpRequest(0x1234_5678_0000_0001n);
      const overflowsBefore = udpReceiveBufferDrops();
      const start = performance.now();
      let nextPolite = start;
      let politeSent = 0;
      while (performance.now() - start < floodSeconds * 1000) {
        for (let i = 0; i < 50; i++) flooders[sent++ % flooders.length]!.send(request, tockd.port);
        if (performance.now() >= nextPolite) {
          polite.send(json(`polite-${politeSent++}`), tockd.port);
          nextPolite += 100;
        }
        await tick();
      }
      const elapsed = (performance.now() - start) / 1000;
      for (const message of await settle(polite)) {
        const reply = decodeJsonReply(message);
        if (reply.ok && reply.reply.type === 'time.response') politeAnswered++;
      }
      expect(politeSent).toBeGreaterThanOrEqual(15);

      const replies = (await Promise.all(flooders.map(settle))).flat();
      const overflows = udpReceiveBufferDrops() - overflowsBefore;
      const metric = await scrape(tockd.metricsUrl!);
      // The polite source (the only one speaking JSON) is never rate-limited: tockd answered every request of
      // it that reached tockd, and each one that did not is accounted for by a datagram the kernel dropped
      // on a full receive buffer meanwhile (how many depends on how busy the machine is, not on tockd).
      const politeReceived = metric('tock_requests_total', { protocol: 'json' });
      expect(metric('tock_dropped_total', { protocol: 'json', reason: 'rate-limited' })).toBe(0);
      expect(metric('tock_replies_total', { protocol: 'json' })).toBe(politeReceived);
      expect(politeAnswered).toBe(politeReceived);
      expect(politeSent - politeReceived).toBeLessThanOrEqual(overflows);
      expect(politeAnswered).toBeGreaterThanOrEqual(1);
      const kisses = replies.filter((r) => {
        const p = decodeNtpPacket(r);
        return p.ok && p.packet.stratum === 0 && referenceIdToString(p.packet.referenceId, 0) === 'RATE';
      }).length;
      const times = replies.length - kisses;
      console.log(
        `flood: ${sent} requests in ${elapsed.toFixed(2)} s, ${times} time replies (${(times / elapsed).toFixed(0)}/s), ${kisses} RATE kisses; polite source: ${politeAnswered}/${politeSent} answered; ${overflows} datagrams lost to full receive buffers`,
      );
      expect(sent).toBeGreaterThan(20 * times); // it was a flood
      // The rate over the flood (5% for the requests still queued when the client stopped), plus the burst
      // and at most a burst of leaked debt.
      expect(times).toBeLessThanOrEqual(Math.ceil(100 * elapsed * 1.05 + 2 * 20));
      expect(times).toBeGreaterThanOrEqual(Math.floor(100 * elapsed * 0.7));
      // Kiss-o'-Death is itself limited: at most one a second (per source).
      expect(kisses).toBeGreaterThanOrEqual(1);
      expect(kisses).toBeLessThanOrEqual(Math.ceil(elapsed) + 1);

      expect(metric('tock_dropped_total', { protocol: 'ntp', reason: 'rate-limited' })).toBeGreaterThan(
        sent / 2,
      );
      // Every kiss the client got was counted; under this flood one more may be sent and not arrive (the
      // kernel drops it, or it leaves as the client stops listening), but never more than one a second.
      expect(metric('tock_kiss_of_death_total')).toBeGreaterThanOrEqual(kisses);
      expect(metric('tock_kiss_of_death_total')).toBeLessThanOrEqual(Math.ceil(elapsed) + 1);
      expect(metric('tock_rate_limit_sources')).toBe(2);
    } finally {
      await Promise.all([...flooders, polite].map((c) => c.close()));
      expect((await tockd.stop()).code).toBe(0);
    }
  });

  it('keeps memory bounded with 20,000 distinct sources: the table holds --rate-limit-table of them', async () => {
    const table = 4096;
    const tockd = await startTockd([
      '--port',
      '0',
      '--metrics-port',
      '0',
      '--rate-limit-exempt',
      'none',
      '--rate-limit-table',
      String(table),
    ]);
    /** One request from each of `count` addresses 127.B.x.y, 64 at a time; returns how many were answered. */
    const fromSources = async (b: number, count: number): Promise<number> => {
      let answered = 0;
      for (let i = 0; i < count; i += 64) {
        const batch = Array.from({ length: Math.min(64, count - i) }, (_, k) => i + k);
        const results = await Promise.all(
          batch.map(async (n) => {
            const client = await udpClient(4, `127.${b}.${(n >> 8) & 255}.${n & 255}`);
            try {
              client.send('Time request', tockd.port);
              return CTIME_LINE.test((await client.next()).toString()) ? 1 : 0;
            } catch {
              return 0;
            } finally {
              await client.close();
            }
          }),
        );
        answered += results.reduce<number>((a, c) => a + c, 0);
      }
      return answered;
    };
    try {
      const rss = async (): Promise<number> =>
        (await scrape(tockd.metricsUrl!))('process_resident_memory_bytes');
      const first = await fromSources(10, 10_000);
      const afterFirst = await rss();
      const second = await fromSources(11, 10_000);
      const metric = await scrape(tockd.metricsUrl!);
      const growth = metric('process_resident_memory_bytes') - afterFirst;
      console.log(
        `20,000 sources: ${first + second} answered, table ${metric('tock_rate_limit_sources')}/${table}, RSS ${(afterFirst / 2 ** 20).toFixed(1)} MiB then ${((afterFirst + growth) / 2 ** 20).toFixed(1)} MiB`,
      );
      // Every new source starts with a full burst: all are answered.
      expect(first + second).toBeGreaterThanOrEqual(19_900);
      expect(metric('tock_rate_limit_sources')).toBe(table);
      expect(metric('tock_rate_limit_table_size')).toBe(table);
      // 10,000 more sources than the table holds add nothing that stays.
      expect(growth).toBeLessThan(16 * 2 ** 20);
    } finally {
      expect((await tockd.stop()).code).toBe(0);
    }
  });
});

describe('a deliberately wrong clock', () => {
  it('--clock-offset 1h is seen by chronyd -Q as one hour off', async (ctx) => {
    const chronyd = needProgram('chronyd', 'Debian package chrony', ctx);
    const tockd = await startTockd(['--port', '0', '--clock-offset', '1h']);
    try {
      const q = await bestOf(3, () => chronydQuery(chronyd, tockd.port), offsetError(3600), 0.005);
      expect(q.offsetS, q.output).not.toBeNull();
      console.log(`chronyd -Q against tockd --clock-offset 1h: system clock wrong by ${q.offsetS} s`);
      expect(Math.abs(q.offsetS! - 3600)).toBeLessThan(0.005);
    } finally {
      expect((await tockd.stop()).code).toBe(0);
    }
    expect(tockd.events().find((e) => e.event === 'wrong-clock')).toMatchObject({
      level: 'warn',
      clockOffset: '1h',
    });
  });

  it('--clock-rate runs the served clock fast, and --leap is announced', async () => {
    const tockd = await startTockd(['--port', '0', '--clock-rate', '500000', '--leap', '1']);
    const client = await udpClient();
    try {
      const t3 = async (id: string): Promise<[number, number]> => {
        client.send(json(id), tockd.port);
        const reply = decodeJsonReply(await client.next());
        if (!reply.ok || reply.reply.type !== 'time.response') throw new Error('no time');
        return [reply.reply.t3, performance.now()];
      };
      const [a, atA] = await t3('a');
      // 300 ms of real time, waited on a timer: the served clock must show about 450 ms.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const [b, atB] = await t3('b');
      const ratio = (b - a) / (atB - atA);
      expect(ratio).toBeGreaterThan(1.45);
      expect(ratio).toBeLessThan(1.55);
      const nonce = 99n;
      const reply = decodeNtpPacket(await exchange(buildNtpRequest(nonce), tockd.port));
      expect(reply.ok && reply.packet.leap).toBe(1);
    } finally {
      await client.close();
      expect((await tockd.stop()).code).toBe(0);
    }
  });
});

describe('configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tockd-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--config with a bad port exits 2 naming it, with no stack trace', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ port: 70000, workers: 2 }));
    const r = await runTockd(['--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `tockd: ${file}: "port" must be an integer from 0 to 65535, not 70000 [INVALID_CONFIG]\n`,
    );
    expect(r.stdout).toBe('');
  });

  it('reads the config file, lets TOCK_* variables override it and flags override both', async () => {
    const file = join(dir, 'good.json');
    writeFileSync(
      file,
      JSON.stringify({ port: 1, textFormat: 'unix', ntp: { stratum: 9 }, logLevel: 'warn' }),
    );
    const env = { ...process.env, TOCK_CONFIG: file, TOCK_PORT: '0', TOCK_LOG_LEVEL: 'info' };
    const tockd = await startTockd(['--stratum', '4'], 60, env);
    try {
      expect(tockd.listening).toMatchObject({ config: file });
      expect((await exchange('x', tockd.port)).toString()).toMatch(/^\d{10}\r\n$/);
      const nonce = 7n;
      const ntp = readNtpReply(await exchange(buildNtpRequest(nonce), tockd.port), nonce, nowNs());
      expect(ntp.ok && ntp.reply.packet.stratum).toBe(4);
    } finally {
      expect((await tockd.stop()).code).toBe(0);
    }
  });

  it('a bad TOCK_* variable exits 2 naming it', async () => {
    const r = await runTockd([], 10_000, { ...process.env, TOCK_WORKERS: 'lots' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'tockd: TOCK_WORKERS must be an integer from 1 to 256, or auto (one per core), not "lots" [INVALID_CONFIG]\n',
    );
  });
});

describe('the amplification policy', () => {
  it('--strict-size answers only requests at least as large as their reply, padded ones included', async () => {
    const tockd = await startTockd(['--port', '0', '--strict-size', '--metrics-port', '0']);
    const client = await udpClient();
    try {
      client.send('Time request', tockd.port); // 12 bytes for a 26-byte line: dropped
      client.send(json('short'), tockd.port); // about 40 bytes for about 140: dropped
      client.send(`iso${' '.repeat(29)}`, tockd.port); // 32 bytes: answered in iso
      client.send(json('padded').padEnd(256, ' '), tockd.port); // 256 bytes: answered
      const nonce = 5n;
      client.send(buildNtpRequest(nonce), tockd.port); // 48 for 48: answered
      const [iso, padded, ntp] = [await client.next(), await client.next(), await client.next()];
      expect(iso.toString()).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)\r\n$/);
      expect(iso.length).toBeLessThanOrEqual(32);
      const reply = decodeJsonReply(padded);
      expect(reply.ok && reply.reply.type === 'time.response' && reply.reply.id).toBe('padded');
      expect(readNtpReply(ntp, nonce, nowNs()).ok).toBe(true);
      expect(await settle(client)).toEqual([]);
      const metric = await scrape(tockd.metricsUrl!);
      expect(metric('tock_dropped_total', { reason: 'smaller-than-reply', protocol: 'text' })).toBe(1);
      expect(metric('tock_dropped_total', { reason: 'smaller-than-reply', protocol: 'json' })).toBe(1);
    } finally {
      await client.close();
      expect((await tockd.stop()).code).toBe(0);
    }
  });
});

/** Datagrams the kernel dropped because a socket's receive buffer was full (Linux; 0 elsewhere). */
function udpReceiveBufferDrops(): number {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('Udp:'));
    const names = lines[0]?.split(/\s+/) ?? [];
    const values = lines[1]?.split(/\s+/) ?? [];
    return Number(values[names.indexOf('RcvbufErrors')] ?? 0) || 0;
  } catch {
    return 0;
  }
}

describe('graceful shutdown', () => {
  it('SIGTERM under load: stops answering, lets the replies made leave, and exits 0 within 2 s', async () => {
    const tockd = await startTockd(['--port', '0', '--workers', '2']);
    const clients = await Promise.all([1, 2, 3, 4].map(() => udpClient()));
    let stopping: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
    let stoppedAt = 0;
    let sent = 0;
    const request = buildNtpRequest(0xabcdn);
    const dropsBefore = udpReceiveBufferDrops();
    try {
      while (tockd.child.exitCode === null && sent < 200_000) {
        for (let i = 0; i < 32; i++) clients[sent++ % clients.length]!.send(request, tockd.port);
        if (sent >= 4096 && stopping === undefined) {
          stoppedAt = performance.now();
          stopping = tockd.stop('SIGTERM');
        }
        await tick();
      }
      expect(await stopping).toEqual({ code: 0, signal: null });
      expect(performance.now() - stoppedAt).toBeLessThan(2000);
      const received = (await Promise.all(clients.map(settle))).flat().length;
      const stopped = tockd.events().find((e) => e.event === 'stopped')!;
      console.log(`SIGTERM under load: ${JSON.stringify(stopped)}; the clients got ${received} replies`);
      expect(stopped.received).toBe((stopped.replied as number) + (stopped.dropped as number));
      // Every reply tockd made reached its client, unless the kernel dropped it at a client whose receive
      // buffer was full (this flood can outrun the test's clients, more so when tockd sends replies in
      // batches): those drops are counted machine-wide in /proc/net/snmp, and are all a shortfall may be.
      const clientDrops = udpReceiveBufferDrops() - dropsBefore;
      expect(received).toBeLessThanOrEqual(stopped.replied as number);
      expect(received).toBeGreaterThanOrEqual((stopped.replied as number) - clientDrops);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
