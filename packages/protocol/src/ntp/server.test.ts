import { describe, expect, it } from 'vitest';
import { buildNtpRequest, readNtpReply } from './client.ts';
import { decodeNtpPacket, encodeNtpPacket, NtpMode } from './packet.ts';
import {
  buildKissOfDeath,
  buildNtpReplyHeader,
  ntpServerSettings,
  readNtpRequest,
  setNtpTransmitTimestamp,
} from './server.ts';
import { instantFromNtp, ntpFromInstant } from './timestamp.ts';

const T2 = 1_763_700_000_123_456_789n;
const T3 = T2 + 15_000n;
const NONCE = 0x0123_4567_89ab_cdefn;

function request(
  overrides: Partial<Record<'version' | 'mode' | 'poll', number>> & {
    transmit?: bigint;
    trailer?: Uint8Array;
  } = {},
) {
  const base = decodeNtpPacket(
    buildNtpRequest(overrides.transmit ?? NONCE, {
      version: overrides.version ?? 4,
      poll: overrides.poll ?? 6,
    }),
  );
  if (!base.ok) throw new Error('unreachable');
  return encodeNtpPacket({
    ...base.packet,
    mode: overrides.mode ?? 3,
    trailer: overrides.trailer ?? new Uint8Array(),
  });
}

describe('readNtpRequest', () => {
  it('accepts client requests of versions 1 to 4', () => {
    for (const version of [1, 2, 3, 4]) expect(readNtpRequest(request({ version })).ok).toBe(true);
  });

  it('gives a typed reason for everything it will not answer', () => {
    expect(readNtpRequest(new Uint8Array(47))).toEqual({ ok: false, reason: 'ntp-truncated' });
    expect(readNtpRequest(request({ version: 0 }))).toEqual({ ok: false, reason: 'ntp-bad-version' });
    expect(readNtpRequest(request({ version: 5 }))).toEqual({ ok: false, reason: 'ntp-bad-version' });
    expect(readNtpRequest(request({ mode: 6 }))).toEqual({ ok: false, reason: 'ntp-control-message' });
    expect(readNtpRequest(request({ mode: 7 }))).toEqual({ ok: false, reason: 'ntp-private-message' });
    for (const mode of [0, 1, 2, 4, 5])
      expect(readNtpRequest(request({ mode }))).toEqual({ ok: false, reason: 'ntp-not-client-request' });
    expect(readNtpRequest(request({ transmit: 0n }))).toEqual({ ok: false, reason: 'ntp-zero-transmit' });
  });
});

describe('server replies', () => {
  const settings = ntpServerSettings({
    stratum: 3,
    referenceId: '192.0.2.1',
    precision: -23,
    leap: 1,
    rootDelay: 0.5,
    rootDispersion: 0.25,
  });

  function reply(req: Uint8Array) {
    const read = readNtpRequest(req);
    if (!read.ok) throw new Error(read.reason);
    const bytes = buildNtpReplyHeader(read.request, T2, settings);
    setNtpTransmitTimestamp(bytes, T3);
    return bytes;
  }

  it('echo version and poll, copy the transmit timestamp to origin, and carry T2 and T3', () => {
    const bytes = reply(request({ version: 3, poll: 10 }));
    const p = decodeNtpPacket(bytes);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.packet).toMatchObject({
      leap: 1,
      version: 3,
      mode: NtpMode.Server,
      stratum: 3,
      poll: 10,
      precision: -23,
      rootDelay: 0x8000,
      rootDispersion: 0x4000,
      referenceId: 0xc000_0201,
      originTimestamp: NONCE,
      receiveTimestamp: ntpFromInstant(T2),
      transmitTimestamp: ntpFromInstant(T3),
    });
    expect(instantFromNtp(p.packet.receiveTimestamp) - T2).toBe(0n);
    expect(p.packet.referenceTimestamp).toBe(ntpFromInstant(T2) & ~0xffff_ffffn);
  });

  it('are never larger than the request, even one with extension fields', () => {
    const req = request({ trailer: new Uint8Array(72) });
    expect(reply(req).length).toBe(48);
    expect(reply(request()).length).toBeLessThanOrEqual(48);
  });

  it('are accepted by the client side with the right times', () => {
    const r = readNtpReply(reply(request()), NONCE, T2);
    expect(r.ok && r.reply.receiveTime).toBe(T2);
    expect(r.ok && r.reply.transmitTime).toBe(T3);
  });

  it('never announce stratum 0 outside a Kiss-o-Death', () => {
    expect(() => ntpServerSettings({ stratum: 0 })).toThrow();
    expect(() => ntpServerSettings({ stratum: 16 })).toThrow();
    expect(() => ntpServerSettings({ referenceId: 'TOOLONG' })).toThrow();
  });
});

describe('Kiss-o-Death', () => {
  it('has stratum 0, the kiss code, and reveals no time', () => {
    const read = readNtpRequest(request());
    if (!read.ok) throw new Error(read.reason);
    const kod = decodeNtpPacket(buildKissOfDeath(read.request, 'RATE'));
    expect(kod.ok && kod.packet).toMatchObject({
      stratum: 0,
      leap: 3,
      mode: 4,
      referenceId: 0x5241_5445,
      originTimestamp: NONCE,
      transmitTimestamp: NONCE,
    });
    expect(readNtpReply(buildKissOfDeath(read.request, 'RATE'), NONCE, T2)).toEqual({
      ok: false,
      problem: { kind: 'kiss-of-death', code: 'RATE' },
    });
  });
});

describe('readNtpReply', () => {
  const good = (() => {
    const read = readNtpRequest(request());
    if (!read.ok) throw new Error(read.reason);
    const bytes = buildNtpReplyHeader(read.request, T2, ntpServerSettings());
    setNtpTransmitTimestamp(bytes, T3);
    return bytes;
  })();
  const patch = (offset: number, value: number) => {
    const b = good.slice();
    b[offset] = value;
    return b;
  };

  it('ignores replies that are not for this request', () => {
    expect(readNtpReply(good, NONCE + 1n, T2)).toMatchObject({ ok: false, problem: { kind: 'mismatch' } });
    expect(readNtpReply(good.subarray(0, 40), NONCE, T2)).toMatchObject({
      ok: false,
      problem: { kind: 'mismatch' },
    });
    expect(readNtpReply(patch(0, 0x23), NONCE, T2)).toMatchObject({
      ok: false,
      problem: { kind: 'mismatch' },
    });
  });

  it('rejects unsynchronised servers', () => {
    expect(readNtpReply(patch(0, 0xe4), NONCE, T2)).toMatchObject({
      ok: false,
      problem: { kind: 'invalid' },
    });
    expect(readNtpReply(patch(1, 16), NONCE, T2)).toMatchObject({ ok: false, problem: { kind: 'invalid' } });
  });
});
