import {
  createHandlerContext,
  decodeJsonRequest,
  encodeJson,
  handle,
  instantFromMs,
  instantToMs,
  JSON_REQUEST_PADDED_BYTES,
  makeJsonError,
  NS_PER_MS,
} from '@tock/protocol';
import { describe, expect, it } from 'vitest';
import { jsonExchange } from './json.ts';

const MS = NS_PER_MS;
const T1 = instantFromMs(Date.UTC(2026, 5, 1, 12, 0, 0, 0));
const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

describe('json request', () => {
  it('is a valid time.request with a random id and no t1', () => {
    const json = jsonExchange();
    const a = json.newRequest();
    const decoded = decodeJsonRequest(a.bytes);
    expect(decoded).toEqual({ ok: true, request: { v: 1, type: 'time.request', id: a.token } });
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(json.newRequest().token).not.toBe(a.token);
  });

  it('pads the request with trailing spaces to the size strict servers answer', () => {
    const bytes = jsonExchange().newRequest().bytes;
    expect(bytes.length).toBe(JSON_REQUEST_PADDED_BYTES);
    expect(decodeJsonRequest(bytes).ok).toBe(true);
  });

  it('asks for a format when given one', () => {
    const decoded = decodeJsonRequest(jsonExchange({ format: 'iso' }).newRequest().bytes);
    expect(decoded.ok && decoded.request.format).toBe('iso');
  });
});

describe('json reply', () => {
  const json = jsonExchange();

  it('matches by id and computes offset and delay; time is t3', () => {
    const req = json.newRequest();
    const t2 = T1 - 95n * MS; // server 100 ms behind, 5 ms each way
    const t3 = t2 + 1n * MS;
    const result = handle(
      req.bytes,
      t2,
      createHandlerContext(() => t3),
    );
    if (result.action !== 'reply') throw new Error('ignored');
    const v = json.readReply(result.bytes, T1 + 11n * MS, [{ token: req.token, t1: T1 }]);
    if (v.kind !== 'accept') throw new Error(JSON.stringify(v));
    expect(v.result.offsetMs).toBeCloseTo(-100, 3);
    expect(v.result.delayMs).toBeCloseTo(10, 3);
    expect(v.result.time.getTime()).toBe(instantToMs(t3));
    expect(v.result.raw).toMatchObject({
      type: 'time.response',
      id: req.token,
      time: 'Mon Jun  1 11:59:59 2026',
    });
  });

  it('ignores a response to another id', () => {
    const req = json.newRequest();
    const reply = encodeJson({ v: 1, type: 'time.response', id: 'someone-else', t2: 1, t3: 2, time: 'x' });
    expect(json.readReply(reply, T1, [{ token: req.token, t1: T1 }])).toMatchObject({
      kind: 'ignore',
      reason: 'unmatched',
      detail: 'response id "someone-else" matches no request',
    });
  });

  it('fails with SERVER_ERROR on an error envelope carrying our id', () => {
    const req = json.newRequest();
    const reply = encodeJson(makeJsonError('INVALID_FIELD', 'format: bad', req.token));
    expect(json.readReply(reply, T1, [{ token: req.token, t1: T1 }])).toEqual({
      kind: 'fail',
      problem: {
        code: 'SERVER_ERROR',
        message: 'the server answered with error INVALID_FIELD: format: bad',
        serverCode: 'INVALID_FIELD',
      },
    });
  });

  it('keeps waiting on an error envelope without id, but remembers it', () => {
    const req = json.newRequest();
    const v = json.readReply(encodeJson(makeJsonError('MALFORMED_JSON', 'not valid JSON')), T1, [
      { token: req.token, t1: T1 },
    ]);
    expect(v).toMatchObject({
      kind: 'ignore',
      reason: 'unmatched',
      problem: { code: 'SERVER_ERROR', serverCode: 'MALFORMED_JSON' },
    });
  });

  it('ignores an error envelope for another id without remembering it', () => {
    const v = json.readReply(encodeJson(makeJsonError('INVALID_FIELD', 'x', 'other')), T1, []);
    expect(v).toMatchObject({ kind: 'ignore', reason: 'unmatched' });
    expect(v.kind === 'ignore' && v.problem).toBeUndefined();
  });

  it('calls anything else malformed, with a hint for a time line', () => {
    for (const garbage of [bytes([1, 2]), bytes({ v: 2 }), new Uint8Array([0xff, 0x00]), bytes('x')]) {
      expect(json.readReply(garbage, T1, [])).toMatchObject({ kind: 'ignore', reason: 'malformed' });
    }
    const v = json.readReply(new TextEncoder().encode('Tue Mar 13 12:54:58 2018'), T1, []);
    expect(v.kind === 'ignore' && v.detail).toContain('try protocol text');
  });
});
