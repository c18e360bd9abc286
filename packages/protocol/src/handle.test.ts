import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryDatagram } from '../test/arbitraries.ts';
import { TockProtocolError } from './errors.ts';
import { createHandlerContext, type HandleResult, handle, IGNORE_REASONS } from './handle.ts';
import { decodeJsonReply, encodeJson } from './json/codec.ts';
import { JSON_REQUEST_PADDED_BYTES, MAX_DATAGRAM_BYTES, TEXT_REQUEST_PADDED_BYTES } from './limits.ts';
import { buildNtpRequest, readNtpReply } from './ntp/client.ts';
import { TEXT_FORMATS } from './text/format.ts';

const T2 = BigInt(Date.parse('2018-03-13T12:54:58.123Z')) * 1_000_000n + 456_789n;
const T3 = T2 + 42_000n;
const context = createHandlerContext(() => T3);
const enc = (s: string) => new TextEncoder().encode(s);
const text = (r: HandleResult) => (r.action === 'reply' ? new TextDecoder().decode(r.bytes) : r.reason);

describe('handle: plain text', () => {
  it('answers the lab client with the exact ctime line and CRLF', () => {
    expect(text(handle(enc('Time request'), T2, context))).toBe('Tue Mar 13 12:54:58 2018\r\n');
    expect(text(handle(enc('Hello, World!'), T2, context))).toBe('Tue Mar 13 12:54:58 2018\r\n');
    expect(text(handle(new Uint8Array(), T2, context))).toBe('Tue Mar 13 12:54:58 2018\r\n');
  });

  it('answers a format keyword in that format', () => {
    expect(text(handle(enc('iso'), T2, context))).toBe('2018-03-13T12:54:58.123Z\r\n');
    expect(text(handle(enc(' UNIX \n'), T2, context))).toBe('1520945698\r\n');
    expect(text(handle(enc('unix-ms'), T2, context))).toBe('1520945698123\r\n');
    expect(text(handle(enc('CTIME'), T2, context))).toBe('Tue Mar 13 12:54:58 2018\r\n');
  });

  it('uses the configured default format and zone', () => {
    const ctx = createHandlerContext(() => T3, { textFormat: 'iso', timeZone: 'Asia/Kolkata' });
    expect(text(handle(enc('Time request'), T2, ctx))).toBe('2018-03-13T18:24:58.123+05:30\r\n');
  });

  it('does not answer another server time line', () => {
    expect(handle(enc('Tue Mar 13 12:54:58 2018\r\n'), T2, context)).toEqual({
      action: 'ignore',
      protocol: 'text',
      reason: 'text-looks-like-reply',
    });
  });
});

describe('handle: JSON', () => {
  it('answers a request with the full envelope', () => {
    const r = handle(enc('{"v":1,"type":"time.request","id":"n-1","t1":1520945698100.5}'), T2, context);
    expect(r).toMatchObject({ action: 'reply', protocol: 'json' });
    expect(JSON.parse(text(r))).toEqual({
      v: 1,
      type: 'time.response',
      id: 'n-1',
      t1: 1520945698100.5,
      t2: 1520945698123.456,
      t3: 1520945698123.498,
      time: 'Tue Mar 13 12:54:58 2018',
    });
  });

  it('honours the format field and omits t1 when not sent', () => {
    const reply = decodeJsonReply(
      enc(text(handle(enc('{"v":1,"type":"time.request","id":"x","format":"iso"}'), T2, context))),
    );
    expect(reply).toEqual({ ok: true, reply: expect.objectContaining({ time: '2018-03-13T12:54:58.123Z' }) });
    expect(reply.ok && 't1' in reply.reply).toBe(false);
  });

  it('answers bad requests with an error envelope', () => {
    const r = handle(enc('{"v":7,"type":"time.request","id":"q"}'), T2, context);
    expect(r).toMatchObject({ action: 'reply', protocol: 'json', error: true });
    expect(JSON.parse(text(r))).toEqual({
      v: 1,
      type: 'error',
      id: 'q',
      code: 'UNSUPPORTED_VERSION',
      message: expect.any(String),
    });
  });

  it('ignores replies and errors from other servers', () => {
    expect(
      handle(enc('{"v":1,"type":"error","code":"MALFORMED_JSON","message":"m"}'), T2, context),
    ).toMatchObject({ action: 'ignore', reason: 'json-not-a-request' });
  });
});

describe('handle: NTP', () => {
  it('answers a client request with T2 and T3 and the origin echoed', () => {
    const r = handle(buildNtpRequest(0xfeedn), T2, context);
    expect(r).toMatchObject({ action: 'reply', protocol: 'ntp', transmitTime: T3 });
    if (r.action !== 'reply') return;
    const reply = readNtpReply(r.bytes, 0xfeedn, T2);
    expect(reply.ok && reply.reply.receiveTime).toBe(T2);
    expect(reply.ok && reply.reply.transmitTime).toBe(T3);
  });

  it('gives control and private messages a reason, never a reply', () => {
    const control = buildNtpRequest(1n);
    control[0] = (2 << 3) | 6;
    const priv = buildNtpRequest(1n);
    priv[0] = (2 << 3) | 7;
    expect(handle(control, T2, context)).toEqual({
      action: 'ignore',
      protocol: 'ntp',
      reason: 'ntp-control-message',
    });
    expect(handle(priv, T2, context)).toEqual({
      action: 'ignore',
      protocol: 'ntp',
      reason: 'ntp-private-message',
    });
  });
});

describe('handle: garbage', () => {
  it('ignores oversized datagrams unread', () => {
    expect(handle(new Uint8Array(MAX_DATAGRAM_BYTES + 1), T2, context)).toEqual({
      action: 'ignore',
      protocol: 'unknown',
      reason: 'oversized',
    });
  });

  it('ignores binary that is not NTP, and truncated NTP', () => {
    expect(handle(new Uint8Array([0, 0, 0]), T2, context)).toMatchObject({
      action: 'ignore',
      reason: 'unrecognized',
    });
    expect(handle(buildNtpRequest(1n).subarray(0, 47), T2, context)).toMatchObject({
      action: 'ignore',
      reason: 'ntp-truncated',
    });
  });

  it('never throws and always returns a reply or a known reason, whatever arrives (property)', () => {
    fc.assert(
      fc.property(arbitraryDatagram, (bytes) => {
        const r = handle(bytes, T2, context);
        if (r.action === 'ignore') expect(IGNORE_REASONS).toContain(r.reason);
        else expect(r.bytes.length).toBeGreaterThan(0);
        if (r.action === 'reply' && r.protocol === 'ntp')
          expect(r.bytes.length).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 5000 },
    );
  });

  it('survives a broken clock without throwing', () => {
    const broken = createHandlerContext(() => 10n ** 30n);
    expect(handle(enc('Time request'), T2, broken)).toEqual({
      action: 'ignore',
      protocol: 'text',
      reason: 'internal-error',
    });
  });

  it('rejects bad options with a message naming them', () => {
    expect(() => createHandlerContext(() => T3, { timeZone: 'Mars/Olympus' })).toThrow(/timeZone/);
    expect(() => createHandlerContext(() => T3, { textFormat: 'rfc' as never })).toThrow(/textFormat/);
  });

  it('throws its own error class with the stable code BAD_CONTEXT, never a raw validation error', () => {
    let thrown: unknown;
    try {
      createHandlerContext(() => T3, { ntp: { stratum: 99 } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TockProtocolError);
    expect(thrown).toMatchObject({ name: 'TockProtocolError', code: 'BAD_CONTEXT' });
    expect((thrown as Error).message).toMatch(/^ntp\.stratum: /);
    expect((thrown as Error).cause).toBeDefined();
  });
});

describe('padded requests', () => {
  const pad = (s: string, n: number) => enc(s.padEnd(n, ' '));
  const zones = ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham'];

  it('a padded text request is never smaller than its reply, in any format and zone (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('Time request', 'ctime', 'iso', 'unix', 'unix-ms', ''),
        fc.constantFrom(...zones),
        fc.bigInt({ min: 0n, max: 4_102_444_800_000_000_000n }),
        (request, timeZone, now) => {
          const ctx = createHandlerContext(() => now, { timeZone, textFormat: 'iso' });
          const bytes = pad(request, TEXT_REQUEST_PADDED_BYTES);
          const r = handle(bytes, now, ctx);
          expect(r.action).toBe('reply');
          if (r.action === 'reply') expect(r.bytes.length).toBeLessThanOrEqual(bytes.length);
        },
      ),
    );
  });

  it('a padded JSON request is never smaller than its response, whatever its id and format (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[\x21-\x7e]{1,64}$/),
        fc.option(fc.constantFrom(...TEXT_FORMATS), { nil: undefined }),
        fc.double({ min: 0, max: 4.1e12, noNaN: true }),
        fc.constantFrom(...zones),
        (id, format, t1, timeZone) => {
          const now = 4_102_444_799_999_999_999n;
          const ctx = createHandlerContext(() => now, { timeZone });
          const bytes = enc(
            new TextDecoder()
              .decode(encodeJson({ v: 1, type: 'time.request', id, t1, format }))
              .padEnd(JSON_REQUEST_PADDED_BYTES, ' '),
          );
          expect(bytes.length).toBe(JSON_REQUEST_PADDED_BYTES);
          const r = handle(bytes, now, ctx);
          expect(r).toMatchObject({ action: 'reply', protocol: 'json' });
          if (r.action === 'reply') expect(r.bytes.length).toBeLessThanOrEqual(bytes.length);
        },
      ),
    );
  });
});
