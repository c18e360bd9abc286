/**
 * Tests on real bytes captured from peers that are not ours (chronyd, ntpdig, rdate, the lab servers);
 * see fixtures/README.md for how each was made and fixtures/capture.sh to make them again.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createHandlerContext,
  decodeNtpPacket,
  encodeNtpPacket,
  handle,
  instantFromNtp,
  type NtpPacket,
  parseTimeLine,
  readNtpReply,
} from '../src/index.ts';

const dir = new URL('./fixtures/', import.meta.url);
const bytes = (name: string) => new Uint8Array(readFileSync(new URL(name, dir)));
const manifest = JSON.parse(readFileSync(new URL('fixtures.json', dir), 'utf8')) as {
  ntp: Record<string, Record<string, string | number>>;
};
const hex64 = (s: string | number | undefined) => BigInt(`0x${s}`);

function decoded(name: string): NtpPacket {
  const d = decodeNtpPacket(bytes(name));
  if (!d.ok) throw new Error(`${name}: ${d.reason}`);
  return d.packet;
}

describe.each(Object.keys(manifest.ntp))('captured %s', (name) => {
  const expected = manifest.ntp[name]!;

  it('decodes to the fields an independent decoder read', () => {
    const p = decoded(name);
    expect({
      leap: p.leap,
      version: p.version,
      mode: p.mode,
      stratum: p.stratum,
      poll: p.poll,
      precision: p.precision,
      rootDelay: p.rootDelay,
      rootDispersion: p.rootDispersion,
    }).toEqual({
      leap: expected.leap,
      version: expected.version,
      mode: expected.mode,
      stratum: expected.stratum,
      poll: expected.poll,
      precision: expected.precision,
      rootDelay: expected.rootDelay,
      rootDispersion: expected.rootDispersion,
    });
    expect(p.referenceId).toBe(Number.parseInt(String(expected.referenceId), 16));
    expect(p.referenceTimestamp).toBe(hex64(expected.referenceTimestamp));
    expect(p.originTimestamp).toBe(hex64(expected.originTimestamp));
    expect(p.receiveTimestamp).toBe(hex64(expected.receiveTimestamp));
    expect(p.transmitTimestamp).toBe(hex64(expected.transmitTimestamp));
  });

  it('re-encodes to the same bytes', () => {
    expect(encodeNtpPacket(decoded(name))).toEqual(bytes(name));
  });
});

describe('answering real NTP clients', () => {
  const t2 = BigInt(Date.parse('2026-11-21T05:36:52Z')) * 1_000_000n + 123_456n;
  const t3 = t2 + 20_000n;
  const context = createHandlerContext(() => t3, { ntp: { stratum: 8, referenceId: '127.127.1.1' } });
  const chronyReply = decoded('chronyd-server-reply.bin');
  const chronyRequest = decoded('chronyd-server-request.bin');

  it.each(['chronyd-client-request.bin', 'ntpdig-client-request.bin', 'rdate-sntp-request.bin'])(
    'answers %s',
    (name) => {
      const request = decoded(name);
      const result = handle(bytes(name), t2, context);
      expect(result.action).toBe('reply');
      if (result.action !== 'reply') return;
      // The client side accepts it, matching the request's transmit timestamp.
      const read = readNtpReply(result.bytes, request.transmitTimestamp, t2);
      expect(read.ok).toBe(true);
      expect(read.ok && read.reply.receiveTime).toBe(t2);
      expect(read.ok && read.reply.transmitTime).toBe(t3);
    },
  );

  it('sets the fields by the same rules as chronyd replying to the same request', () => {
    const result = handle(bytes('chronyd-server-request.bin'), t2, context);
    if (result.action !== 'reply') throw new Error(result.reason);
    const ours = decodeNtpPacket(result.bytes);
    if (!ours.ok) throw new Error('unreachable');
    const p = ours.packet;
    // What chronyd does, field by field: same size, mode 4, version and poll echoed, origin = request transmit.
    expect(result.bytes.length).toBe(bytes('chronyd-server-reply.bin').length);
    expect(p.mode).toBe(chronyReply.mode);
    expect(p.version).toBe(chronyRequest.version);
    expect(chronyReply.version).toBe(chronyRequest.version);
    expect(p.poll).toBe(chronyReply.poll);
    expect(chronyReply.poll).toBe(chronyRequest.poll);
    expect(p.originTimestamp).toBe(chronyRequest.transmitTimestamp);
    expect(chronyReply.originTimestamp).toBe(chronyRequest.transmitTimestamp);
    // Synchronised, a real stratum, a reference id, and a non-zero reference time before the receive time.
    expect(p.leap).toBe(chronyReply.leap);
    expect(p.stratum).toBe(chronyReply.stratum);
    expect(p.referenceId).toBe(chronyReply.referenceId);
    expect(p.referenceTimestamp).not.toBe(0n);
    expect(p.referenceTimestamp <= p.receiveTimestamp).toBe(true);
    expect(chronyReply.referenceTimestamp <= chronyReply.receiveTimestamp).toBe(true);
    expect(p.receiveTimestamp <= p.transmitTimestamp).toBe(true);
    expect(chronyReply.receiveTimestamp <= chronyReply.transmitTimestamp).toBe(true);
  });

  it('reads chronyd reply as a valid reply to its request', () => {
    const pivot = instantFromNtp(chronyReply.receiveTimestamp);
    const read = readNtpReply(bytes('chronyd-server-reply.bin'), chronyRequest.transmitTimestamp, pivot);
    expect(read.ok).toBe(true);
  });
});

describe('the lab servers replies', () => {
  it.each([
    ['lab-crlf-reply.bin', true],
    ['lab-asctime-reply.bin', false],
  ])('%s is read as a ctime line and has the shape tock answers with', (name, crlf) => {
    const text = new TextDecoder().decode(bytes(name));
    expect(text.endsWith('\r\n')).toBe(crlf);
    const parsed = parseTimeLine(text, 'UTC');
    expect(parsed?.format).toBe('ctime');
    const ours = handle(
      new TextEncoder().encode('Time request'),
      0n,
      createHandlerContext(() => parsed!.instant),
    );
    expect(ours.action === 'reply' && new TextDecoder().decode(ours.bytes)).toBe(`${text.trimEnd()}\r\n`);
  });
});
