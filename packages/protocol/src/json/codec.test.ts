import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JSON_MAX_REQUEST_BYTES } from '../limits.ts';
import { decodeJsonReply, decodeJsonRequest, encodeJson } from './codec.ts';
import { JSON_ERROR_CODE_LIST } from './codes.ts';
import type { JsonReply, JsonTimeRequest } from './schema.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const errorOf = (s: string) => {
  const r = decodeJsonRequest(enc(s));
  return r.ok ? undefined : r.error;
};

const arbitraryId = fc.stringMatching(/^[\x21-\x7e]{1,64}$/);
const arbitraryMs = fc.double({ min: 0, max: 4e12, noNaN: true });
const arbitraryRequest: fc.Arbitrary<JsonTimeRequest> = fc.record(
  {
    v: fc.constant(1 as const),
    type: fc.constant('time.request' as const),
    id: arbitraryId,
    t1: arbitraryMs,
    format: fc.constantFrom('ctime' as const, 'iso' as const, 'unix' as const, 'unix-ms' as const),
  },
  { requiredKeys: ['v', 'type', 'id'] },
);
const arbitraryReply: fc.Arbitrary<JsonReply> = fc.oneof(
  fc.record(
    {
      v: fc.constant(1 as const),
      type: fc.constant('time.response' as const),
      id: arbitraryId,
      t1: arbitraryMs,
      t2: arbitraryMs,
      t3: arbitraryMs,
      time: fc.string({ maxLength: 64 }),
    },
    { requiredKeys: ['v', 'type', 'id', 't2', 't3', 'time'] },
  ),
  fc.record(
    {
      v: fc.constant(1 as const),
      type: fc.constant('error' as const),
      id: arbitraryId,
      code: fc.constantFrom(...JSON_ERROR_CODE_LIST),
      message: fc.string({ maxLength: 200 }),
    },
    { requiredKeys: ['v', 'type', 'code', 'message'] },
  ),
);

describe('JSON requests', () => {
  it('decode the documented request', () => {
    expect(decodeJsonRequest(enc('{"v":1,"type":"time.request","id":"abc","t1":1520945698123.25}'))).toEqual({
      ok: true,
      request: { v: 1, type: 'time.request', id: 'abc', t1: 1520945698123.25 },
    });
  });

  it('round-trip: decode(encode(request)) equals request (property)', () => {
    fc.assert(
      fc.property(arbitraryRequest, (req) => {
        expect(decodeJsonRequest(encodeJson(req))).toEqual({ ok: true, request: req });
      }),
    );
  });

  it('answer malformed JSON, unknown versions and types, and bad fields with stable codes', () => {
    expect(errorOf('{"v":1,')).toMatchObject({ code: 'MALFORMED_JSON' });
    expect(errorOf('{}')?.code).toBe('UNSUPPORTED_VERSION');
    expect(errorOf('[1,2]')?.code).toBe('MALFORMED_JSON');
    expect(errorOf('{"v":2,"type":"time.request","id":"a"}')).toMatchObject({
      code: 'UNSUPPORTED_VERSION',
      id: 'a',
    });
    expect(errorOf('{"v":1,"type":"time.query","id":"a"}')).toMatchObject({ code: 'UNKNOWN_TYPE', id: 'a' });
    expect(errorOf('{"v":1,"type":"time.request"}')).toMatchObject({
      code: 'INVALID_FIELD',
      message: expect.stringContaining('id'),
    });
    expect(errorOf('{"v":1,"type":"time.request","id":"a","t1":"soon"}')).toMatchObject({
      code: 'INVALID_FIELD',
      id: 'a',
      message: expect.stringContaining('t1'),
    });
    expect(errorOf('{"v":1,"type":"time.request","id":"a","format":"rfc"}')).toMatchObject({
      code: 'INVALID_FIELD',
      message: expect.stringContaining('format'),
    });
    expect(errorOf(`{"v":1,"type":"time.request","id":"${'x'.repeat(65)}"}`)).toMatchObject({
      code: 'INVALID_FIELD',
    });
  });

  it('leave the id out of an error when it is not usable', () => {
    expect(errorOf('{"v":1,"type":"time.request","id":"has space"}')).not.toHaveProperty('id');
  });

  it('refuse requests over the size limit', () => {
    const big = `{"v":1,"type":"time.request","id":"a","pad":"${'x'.repeat(JSON_MAX_REQUEST_BYTES)}"}`;
    expect(errorOf(big)?.code).toBe('REQUEST_TOO_LARGE');
  });

  it('treat replies as not-a-request, so servers never answer each other', () => {
    expect(decodeJsonRequest(enc('{"v":1,"type":"error","code":"MALFORMED_JSON","message":"x"}'))).toEqual({
      ok: false,
      notARequest: true,
    });
    expect(
      decodeJsonRequest(enc('{"v":1,"type":"time.response","id":"a","t2":1,"t3":2,"time":"x"}')),
    ).toEqual({ ok: false, notARequest: true });
  });
});

describe('JSON replies', () => {
  it('round-trip: decode(encode(reply)) equals reply (property)', () => {
    fc.assert(
      fc.property(arbitraryReply, (reply) => {
        expect(decodeJsonReply(encodeJson(reply))).toEqual({ ok: true, reply });
      }),
    );
  });

  it('encode deterministically, keys in documented order', () => {
    const bytes = encodeJson({ time: 'T', t3: 3, t2: 2, id: 'a', type: 'time.response', v: 1 } as JsonReply);
    expect(new TextDecoder().decode(bytes)).toBe(
      '{"v":1,"type":"time.response","id":"a","t2":2,"t3":3,"time":"T"}',
    );
  });

  it('reject replies that break the schema', () => {
    expect(
      decodeJsonReply(enc('{"v":1,"type":"time.response","id":"a","t2":-1,"t3":2,"time":"x"}')),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('t2') });
    expect(decodeJsonReply(enc('nope'))).toEqual({ ok: false, reason: 'not valid JSON' });
  });
});

describe('forward compatibility', () => {
  it('reads error codes added by later servers', () => {
    expect(decodeJsonReply(enc('{"v":1,"type":"error","code":"SOMETHING_NEW","message":"m"}'))).toMatchObject(
      { ok: true, reply: { code: 'SOMETHING_NEW' } },
    );
    expect(decodeJsonReply(enc('{"v":1,"type":"error","code":"lower","message":"m"}')).ok).toBe(false);
  });
});
