import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, formatHostPort, hostProblem, isIpv6Literal, parseHostPort } from './target.ts';

describe('parseHostPort', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1', undefined],
    ['127.0.0.1:123', '127.0.0.1', 123],
    ['time.example.test:65535', 'time.example.test', 65535],
    ['::1', '::1', undefined],
    ['[::1]', '::1', undefined],
    ['[::ffff:192.0.2.1]:5', '::ffff:192.0.2.1', 5],
    ['[fe80::1%lo]:1', 'fe80::1%lo', 1],
  ])('%s', (text, host, port) => {
    expect(parseHostPort(text)).toEqual({ ok: true, host, port });
  });

  it.each([
    ['', 'shape'],
    ['a b', 'shape'],
    ['1:2:3', 'shape'],
    ['[127.0.0.1]:5', 'shape'],
    [':5005', 'host'],
    ['a!b', 'host'],
    ['host:0', 'port'],
    ['host:65536', 'port'],
    ['host:12x', 'port'],
  ])('says what is wrong with %j', (text, problem) => {
    expect(parseHostPort(text)).toMatchObject({ ok: false, problem });
  });

  it('reads back what formatHostPort writes, for addresses and names (property)', () => {
    const host = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.domain().filter((d) => d.length <= 253),
    );
    fc.assert(
      fc.property(host, fc.integer({ min: 1, max: 65_535 }), (h, port) => {
        expect(parseHostPort(formatHostPort(h, port))).toEqual({ ok: true, host: h, port });
      }),
    );
  });

  it('never throws, whatever the text (property)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const result = parseHostPort(text);
        if (result.ok) expect(hostProblem(result.host)).toBeUndefined();
      }),
    );
  });
});

describe('formatHostPort and the constants', () => {
  it('brackets IPv6 only', () => {
    expect(formatHostPort('127.0.0.1', DEFAULT_PORT)).toBe('127.0.0.1:5005');
    expect(formatHostPort('::1', 123)).toBe('[::1]:123');
    expect(formatHostPort('localhost', 1)).toBe('localhost:1');
    expect(isIpv6Literal('::1')).toBe(true);
    expect(isIpv6Literal('127.0.0.1')).toBe(false);
  });
});
