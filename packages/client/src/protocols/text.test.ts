import { createHandlerContext, handle, instantFromMs, TEXT_REQUEST_PADDED_BYTES } from '@tock/protocol';
import { describe, expect, it } from 'vitest';
import { TEXT_REQUEST, textExchange } from './text.ts';

const encode = (s: string): Uint8Array => new TextEncoder().encode(s);
const T = 0n;

describe('text request', () => {
  it("sends the lab client's 'Time request', or a format keyword, padded with spaces for strict servers", () => {
    const plain = new TextDecoder().decode(textExchange({ timeZone: 'UTC' }).newRequest().bytes);
    expect(plain).toBe(TEXT_REQUEST.padEnd(TEXT_REQUEST_PADDED_BYTES, ' '));
    const keyword = new TextDecoder().decode(
      textExchange({ timeZone: 'UTC', format: 'unix-ms' }).newRequest().bytes,
    );
    expect(keyword).toBe(`unix-ms${' '.repeat(TEXT_REQUEST_PADDED_BYTES - 7)}`);
  });
});

describe('text reply', () => {
  it('reads a ctime line with or without CRLF, in the given zone', () => {
    for (const line of ['Tue Mar 13 12:54:58 2018\r\n', 'Tue Mar 13 12:54:58 2018']) {
      const v = textExchange({ timeZone: 'Asia/Kolkata' }).readReply(encode(line), T, []);
      expect(v).toEqual({
        kind: 'accept',
        result: {
          protocol: 'text',
          time: new Date('2018-03-13T07:24:58.000Z'),
          offsetMs: null,
          delayMs: null,
          resolutionMs: 1000,
          format: 'ctime',
          raw: line,
        },
      });
    }
  });

  it("reads tockd's reply in the format it asked for", () => {
    const text = textExchange({ timeZone: 'UTC', format: 'iso' });
    const at = instantFromMs(Date.UTC(2026, 10, 21, 5, 6, 7, 89));
    const reply = handle(
      text.newRequest().bytes,
      at,
      createHandlerContext(() => at, { timeZone: 'Europe/Paris' }),
    );
    if (reply.action !== 'reply') throw new Error('ignored');
    const v = text.readReply(reply.bytes, T, []);
    expect(v.kind === 'accept' && v.result).toMatchObject({
      time: new Date('2026-11-21T05:06:07.089Z'),
      format: 'iso',
      resolutionMs: 1,
      raw: '2026-11-21T06:06:07.089+01:00\r\n',
    });
  });

  it('ignores anything that is not a time line', () => {
    const text = textExchange({ timeZone: 'UTC' });
    for (const junk of [
      encode(''),
      encode('hello'),
      encode('{"v":1}'),
      new Uint8Array([0xc3, 0x28]),
      new Uint8Array(48),
    ]) {
      expect(text.readReply(junk, T, [])).toMatchObject({ kind: 'ignore', reason: 'malformed' });
    }
  });
});
