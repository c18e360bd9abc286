import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify } from './classify.ts';
import { buildNtpRequest } from './ntp/client.ts';

const enc = (s: string) => new TextEncoder().encode(s);

describe('classify', () => {
  it('sees the lab clients as text, whatever they say', () => {
    expect(classify(enc('Time request'))).toBe('text');
    expect(classify(enc('Hello, World!'))).toBe('text');
    expect(classify(enc('iso\n'))).toBe('text');
    expect(classify(new Uint8Array())).toBe('text');
    expect(classify(enc('héllo wörld'))).toBe('text');
  });

  it('sees JSON from its first non-blank byte', () => {
    expect(classify(enc('{"v":1}'))).toBe('json');
    expect(classify(enc(' \r\n{garbage'))).toBe('json');
  });

  it('sees NTP requests of every version as NTP', () => {
    for (const version of [1, 2, 3, 4]) expect(classify(buildNtpRequest(1n, { version }))).toBe('ntp');
  });

  it('never takes printable text for NTP, even when its first byte looks like an NTP header', () => {
    // '#' is 0x23: version 4, mode 3.
    expect(classify(enc(`#${'a'.repeat(60)}`))).toBe('text');
  });

  it('calls binary without an NTP version, or broken UTF-8, unknown', () => {
    expect(classify(new Uint8Array([0x00, 0x01, 0x02]))).toBe('unknown');
    expect(classify(new Uint8Array([0x41, 0xff, 0x41]))).toBe('unknown');
  });

  it('labels every printable ASCII string as text or JSON (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) }),
        (s) => {
          expect(['text', 'json']).toContain(classify(enc(s)));
        },
      ),
    );
  });
});
