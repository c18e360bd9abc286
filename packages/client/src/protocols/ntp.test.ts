import {
  buildKissOfDeath,
  createHandlerContext,
  decodeNtpPacket,
  encodeNtpPacket,
  type HandlerOptions,
  handle,
  type Instant,
  instantFromMs,
  NS_PER_MS,
  NtpMode,
} from '@tock/protocol';
import { describe, expect, it } from 'vitest';
import type { NtpQueryResult } from '../result.ts';
import type { SentRequest, Verdict } from './exchange.ts';
import { newNonce, ntpExchange } from './ntp.ts';

const MS = NS_PER_MS;
const T1 = instantFromMs(Date.UTC(2026, 0, 2, 3, 4, 5, 678));

/** A tockd answer to `request`, received at `t2` and sent at `t3`. */
function tockReply(request: Uint8Array, t2: Instant, t3: Instant, options: HandlerOptions = {}): Uint8Array {
  const result = handle(
    request,
    t2,
    createHandlerContext(() => t3, options),
  );
  if (result.action !== 'reply') throw new Error(`handle() ignored the request: ${result.reason}`);
  return result.bytes;
}

function accepted(verdict: Verdict<NtpQueryResult>) {
  if (verdict.kind !== 'accept') throw new Error(`expected accept, got ${JSON.stringify(verdict)}`);
  return verdict.result;
}

describe('ntp request', () => {
  it('is a 48-byte NTPv4 client packet whose transmit timestamp is a fresh random nonce', () => {
    const ntp = ntpExchange();
    const a = ntp.newRequest();
    const b = ntp.newRequest();
    const packet = decodeNtpPacket(a.bytes);
    expect(a.bytes.length).toBe(48);
    expect(packet.ok && packet.packet).toMatchObject({
      version: 4,
      mode: NtpMode.Client,
      transmitTimestamp: a.token,
    });
    expect(a.token).not.toBe(0n);
    expect(b.token).not.toBe(a.token);
    // The request reveals nothing of the client's clock: every other timestamp is zero.
    expect(packet.ok && [packet.packet.originTimestamp, packet.packet.receiveTimestamp]).toEqual([0n, 0n]);
  });

  it('nonces use all 64 bits', () => {
    const nonces = Array.from({ length: 64 }, newNonce);
    expect(new Set(nonces).size).toBe(64);
    expect(nonces.some((n) => n >= 1n << 63n)).toBe(true);
  });
});

describe('ntp reply', () => {
  const ntp = ntpExchange();

  it('computes offset and delay from T1..T4 and reports T3 as the time', () => {
    const req = ntp.newRequest();
    // Server 250 ms ahead; 10 ms each way; 2 ms in the server.
    const t2 = T1 + 260n * MS;
    const t3 = t2 + 2n * MS;
    const t4 = T1 + 22n * MS;
    const r = accepted(ntp.readReply(tockReply(req.bytes, t2, t3), t4, [{ token: req.token, t1: T1 }]));
    expect(r.offsetMs).toBeCloseTo(250, 6);
    expect(r.delayMs).toBeCloseTo(20, 6);
    expect(r.time.toISOString()).toBe('2026-01-02T03:04:05.940Z');
    expect(r.raw).toMatchObject({ mode: NtpMode.Server, stratum: 2, originTimestamp: req.token });
  });

  it('accepts a late reply to an earlier request, with that request’s T1', () => {
    const first = ntp.newRequest();
    const second = ntp.newRequest();
    const sent: SentRequest<bigint>[] = [
      { token: first.token, t1: T1 },
      { token: second.token, t1: T1 + 1000n * MS },
    ];
    const r = accepted(
      ntp.readReply(tockReply(first.bytes, T1 + 600n * MS, T1 + 600n * MS), T1 + 1200n * MS, sent),
    );
    expect(r.delayMs).toBeCloseTo(1200, 6);
    expect(r.offsetMs).toBeCloseTo(0, 6);
  });

  it('ignores a reply whose origin timestamp is not one of our nonces (a forged or stray reply)', () => {
    const req = ntp.newRequest();
    const other = ntp.newRequest();
    const v = ntp.readReply(tockReply(other.bytes, T1, T1), T1, [{ token: req.token, t1: T1 }]);
    expect(v).toMatchObject({
      kind: 'ignore',
      reason: 'unmatched',
      detail: 'origin timestamp matches no request',
    });
  });

  it('ignores our own request reflected back (mode 3, not a server reply)', () => {
    const req = ntp.newRequest();
    expect(ntp.readReply(req.bytes, T1, [{ token: req.token, t1: T1 }])).toMatchObject({
      kind: 'ignore',
      reason: 'unmatched',
    });
  });

  it('calls a short datagram malformed, and hints at text when it is a time line', () => {
    const line = new TextEncoder().encode('Tue Mar 13 12:54:58 2018\r\n');
    const v = ntp.readReply(line, T1, []);
    expect(v).toMatchObject({ kind: 'ignore', reason: 'malformed' });
    expect(v.kind === 'ignore' && v.detail).toContain('try protocol text');
    expect(ntp.readReply(new Uint8Array(3), T1, [])).toMatchObject({ kind: 'ignore', reason: 'malformed' });
  });

  it("fails at once on a Kiss-o'-Death that answers our request", () => {
    const req = ntp.newRequest();
    const decoded = decodeNtpPacket(req.bytes);
    if (!decoded.ok) throw new Error('unreachable');
    const v = ntp.readReply(buildKissOfDeath(decoded.packet, 'RATE'), T1, [{ token: req.token, t1: T1 }]);
    expect(v).toEqual({
      kind: 'fail',
      problem: { code: 'KISS_OF_DEATH', message: "the server sent a Kiss-o'-Death RATE", kissCode: 'RATE' },
    });
  });

  it("ignores a Kiss-o'-Death for someone else's request (an off-path attacker cannot stop us)", () => {
    const req = ntp.newRequest();
    const other = decodeNtpPacket(ntp.newRequest().bytes);
    if (!other.ok) throw new Error('unreachable');
    const v = ntp.readReply(buildKissOfDeath(other.packet, 'DENY'), T1, [{ token: req.token, t1: T1 }]);
    expect(v).toMatchObject({ kind: 'ignore', reason: 'unmatched' });
  });

  it('fails at once when the server says it is unsynchronised', () => {
    const req = ntp.newRequest();
    const sent = [{ token: req.token, t1: T1 }];
    const leap3 = tockReply(req.bytes, T1, T1, { ntp: { leap: 3 } });
    expect(ntp.readReply(leap3, T1, sent)).toMatchObject({
      kind: 'fail',
      problem: { code: 'INVALID_REPLY' },
    });
    const decoded = decodeNtpPacket(tockReply(req.bytes, T1, T1));
    if (!decoded.ok) throw new Error('unreachable');
    const stratum16 = encodeNtpPacket({ ...decoded.packet, stratum: 16 });
    const v = ntp.readReply(stratum16, T1, sent);
    expect(v.kind === 'fail' && v.problem.message).toBe(
      'unusable NTP reply: stratum 16 means unsynchronised',
    );
  });

  it('reads timestamps across the 2036 NTP era wrap, using T1 as the pivot', () => {
    const req = ntp.newRequest();
    // 2036-02-07T06:28:16Z is NTP era 1, second 0; the server's timestamps are a few seconds past it.
    const t1 = instantFromMs(Date.UTC(2036, 1, 7, 6, 28, 14));
    const t2 = t1 + 3000n * MS;
    const r = accepted(
      ntp.readReply(tockReply(req.bytes, t2, t2), t1 + 10n * MS, [{ token: req.token, t1 }]),
    );
    expect(r.time.toISOString()).toBe('2036-02-07T06:28:17.000Z');
    expect(r.offsetMs).toBeCloseTo(2995, 6);
  });
});
