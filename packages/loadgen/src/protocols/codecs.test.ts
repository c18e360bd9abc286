import {
  buildKissOfDeath,
  buildNtpRequest,
  createHandlerContext,
  decodeNtpPacket,
  encodeJson,
  formatTime,
  type HandlerOptions,
  handle,
} from '@tock/protocol';
import { describe, expect, it } from 'vitest';
import { createCodec } from './index.ts';
import { KEY_ERROR_REPLY, KEY_MALFORMED, KEY_UNMATCHED, NO_KEY, type ProtocolName } from './types.ts';

const SEND = Date.UTC(2026, 2, 13, 12, 54, 58, 250);
const RECEIVE = SEND + 0.2;
const settings = { toleranceMs: 1000, timeZone: 'UTC', textRequest: 'Time request', salt: 0xc0ffee01 };
const ns = (ms: number): bigint => BigInt(Math.round(ms * 1000)) * 1000n;

/** What tockd would answer to `request` at `atMs` (its clock), with handler options. */
function answer(request: Uint8Array, atMs: number, options: HandlerOptions = {}): Uint8Array {
  const result = handle(
    request,
    ns(atMs),
    createHandlerContext(() => ns(atMs + 0.01), { timeZone: 'UTC', ...options }),
  );
  if (result.action !== 'reply') throw new Error(`no reply: ${result.reason}`);
  return result.bytes;
}

describe.each<ProtocolName>(['ntp', 'json', 'text'])(
  '%s codec against the protocol package’s handle()',
  (protocol) => {
    const codec = createCodec(protocol, settings);

    it('accepts an honest reply and matches it to its request', () => {
      const request = codec.request(41, SEND);
      const reply = answer(request, SEND + 0.1);
      expect(codec.key(reply)).toBe(codec.keyed ? 41 : NO_KEY);
      expect(codec.check(reply, 41, SEND, RECEIVE)).toBeUndefined();
    });

    it('rejects a reply from a clock an hour wrong as wrong-time', () => {
      const reply = answer(codec.request(7, SEND), SEND + 3_600_000);
      expect(codec.check(reply, 7, SEND, RECEIVE)).toBe('wrong-time');
    });

    it('accepts a clock within the tolerance and rejects one just outside it', () => {
      const strict = createCodec(protocol, { ...settings, toleranceMs: 2000 });
      expect(strict.check(answer(strict.request(1, SEND), SEND + 1500), 1, SEND, RECEIVE)).toBeUndefined();
      expect(strict.check(answer(strict.request(1, SEND), SEND + 4000), 1, SEND, RECEIVE)).toBe('wrong-time');
    });

    it('rejects garbage', () => {
      const garbage = new TextEncoder().encode('hello, world');
      const key = codec.key(garbage);
      if (codec.keyed) expect(key).toBe(KEY_MALFORMED);
      else expect(codec.check(garbage, 0, SEND, RECEIVE)).toBe('malformed');
    });
  },
);

describe('ntp codec', () => {
  const codec = createCodec('ntp', settings);

  it('puts the salt and the request number in the transmit timestamp', () => {
    const decoded = decodeNtpPacket(codec.request(5, SEND));
    expect(decoded.ok && decoded.packet.transmitTimestamp).toBe((0xc0ffee01n << 32n) | 5n);
    expect(decoded.ok && decoded.packet.mode).toBe(3);
  });

  it('sends exactly what the protocol package builds, a fresh array each time', () => {
    for (const seq of [0, 1, 255, 256, 65_535, 0x01020304, 0x7fffffff, 0x80000000, 0xffffffff]) {
      expect(codec.request(seq, SEND)).toEqual(buildNtpRequest((0xc0ffee01n << 32n) | BigInt(seq)));
    }
    expect(codec.request(1, SEND)).not.toBe(codec.request(1, SEND));
  });

  it('reads the request number of a reply from any view, also one inside a larger buffer', () => {
    const reply = answer(codec.request(0xfedcba98, SEND), SEND);
    const big = new Uint8Array(4096);
    big.set(reply, 1032);
    expect(codec.key(big.subarray(1032, 1032 + reply.length))).toBe(0xfedcba98);
    expect(codec.check(big.subarray(1032, 1032 + reply.length), 0xfedcba98, SEND, RECEIVE)).toBeUndefined();
  });

  it('does not take another client’s reply for its own', () => {
    const other = createCodec('ntp', { ...settings, salt: 0x1234 });
    expect(codec.key(answer(other.request(5, SEND), SEND))).toBe(KEY_UNMATCHED);
  });

  it('counts a Kiss-o’-Death and an unsynchronised server as invalid', () => {
    const request = codec.request(3, SEND);
    const decoded = decodeNtpPacket(request);
    if (!decoded.ok) throw new Error('request does not decode');
    expect(codec.check(buildKissOfDeath(decoded.packet, 'RATE'), 3, SEND, RECEIVE)).toBe('kiss-of-death');
    expect(codec.check(answer(request, SEND, { ntp: { leap: 3 } }), 3, SEND, RECEIVE)).toBe('unsynchronised');
  });

  it('calls a truncated reply malformed', () => {
    expect(codec.key(new Uint8Array(47))).toBe(KEY_MALFORMED);
  });
});

describe('json codec', () => {
  const codec = createCodec('json', settings);

  it('asks for ISO time with its id and send time', () => {
    const request = JSON.parse(new TextDecoder().decode(codec.request(35, SEND)));
    expect(request).toEqual({ v: 1, type: 'time.request', id: 'c0ffee01-z', t1: SEND, format: 'iso' });
  });

  it('counts an error envelope for its request as invalid (error-reply)', () => {
    const error = encodeJson({ v: 1, type: 'error', id: 'c0ffee01-z', code: 'INVALID_FIELD', message: 'no' });
    expect(codec.key(error)).toBe(35);
    expect(codec.check(error, 35, SEND, RECEIVE)).toBe('error-reply');
    const anonymous = encodeJson({ v: 1, type: 'error', code: 'MALFORMED_JSON', message: 'not valid JSON' });
    expect(codec.key(anonymous)).toBe(KEY_ERROR_REPLY);
  });

  it('rejects a reply that does not echo t1', () => {
    const reply = encodeJson({
      v: 1,
      type: 'time.response',
      id: 'c0ffee01-1',
      t1: SEND - 5,
      t2: SEND,
      t3: SEND,
      time: formatTime(ns(SEND), 'iso', 'UTC'),
    });
    expect(codec.key(reply)).toBe(1);
    expect(codec.check(reply, 1, SEND, RECEIVE)).toBe('bad-echo');
  });

  it('rejects a reply whose time field disagrees with t2 and t3', () => {
    const reply = encodeJson({
      v: 1,
      type: 'time.response',
      id: 'c0ffee01-1',
      t1: SEND,
      t2: SEND,
      t3: SEND,
      time: formatTime(ns(SEND + 7_200_000), 'iso', 'UTC'),
    });
    expect(codec.check(reply, 1, SEND, RECEIVE)).toBe('wrong-time');
  });

  it('does not match ids of other clients', () => {
    const reply = answer(createCodec('json', { ...settings, salt: 7 }).request(1, SEND), SEND);
    expect(codec.key(reply)).toBe(KEY_UNMATCHED);
  });
});

describe('text codec', () => {
  it('reads a ctime line as the whole second it names', () => {
    const codec = createCodec('text', { ...settings, toleranceMs: 0 });
    const line = new TextEncoder().encode('Fri Mar 13 12:54:58 2026\r\n');
    // The line names [12:54:58, 12:54:59): a request sent at .250 and answered at .450 fits with no tolerance.
    expect(codec.check(line, 0, SEND, SEND + 200)).toBeUndefined();
    // Answered a second earlier than the line claims: a lie.
    expect(codec.check(line, 0, SEND - 1300, SEND - 1100)).toBe('wrong-time');
  });

  it('reads ctime lines in the server’s time zone', () => {
    const codec = createCodec('text', { ...settings, timeZone: 'Asia/Kolkata' });
    const line = new TextEncoder().encode(formatTime(ns(SEND), 'ctime', 'Asia/Kolkata'));
    expect(codec.check(line, 0, SEND, RECEIVE)).toBeUndefined();
    expect(createCodec('text', settings).check(line, 0, SEND, RECEIVE)).toBe('wrong-time');
  });
});

describe('echo codec', () => {
  const codec = createCodec('echo', settings);

  it('accepts its own bytes back and nothing else', () => {
    const request = codec.request(9, SEND);
    expect(codec.key(request)).toBe(9);
    expect(codec.check(request, 9, SEND, RECEIVE)).toBeUndefined();
    const altered = Uint8Array.from(request);
    altered[40] = 1;
    expect(codec.check(altered, 9, SEND, RECEIVE)).toBe('bad-echo');
    expect(codec.key(request.subarray(0, 20))).toBe(KEY_MALFORMED);
  });
});
