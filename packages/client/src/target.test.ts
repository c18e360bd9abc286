import { describe, expect, it } from 'vitest';
import { TockClientError } from './errors.ts';
import { DEFAULT_PORT, formatEndpoint, parseTarget, type Target, targetParts } from './target.ts';

describe('parseTarget', () => {
  it.each<[Target, { host: string; port: number }]>([
    ['127.0.0.1', { host: '127.0.0.1', port: DEFAULT_PORT }],
    ['127.0.0.1:123', { host: '127.0.0.1', port: 123 }],
    ['localhost:65535', { host: 'localhost', port: 65535 }],
    ['time.example.test', { host: 'time.example.test', port: 5005 }],
    ['::1', { host: '::1', port: 5005 }],
    ['[::1]', { host: '::1', port: 5005 }],
    ['[::1]:11123', { host: '::1', port: 11123 }],
    ['[fe80::1%lo]:1', { host: 'fe80::1%lo', port: 1 }],
    [{ host: '127.0.0.1' }, { host: '127.0.0.1', port: 5005 }],
    [
      { host: '::1', port: 9 },
      { host: '::1', port: 9 },
    ],
    [
      { host: '[::1]', port: 9 },
      { host: '::1', port: 9 },
    ],
  ])('%j', (target, expected) => {
    expect(parseTarget(target)).toEqual(expected);
  });

  it('keeps "no port" apart from the default', () => {
    expect(targetParts('example.test')).toEqual({ host: 'example.test', port: undefined });
    expect(parseTarget('example.test', 123)).toEqual({ host: 'example.test', port: 123 });
  });

  it.each<[unknown, string]>([
    ['', 'target is empty'],
    [':5005', '":5005" names no host'],
    ['host:0', 'port "0" is not a number from 1 to 65535'],
    ['host:65536', 'port "65536" is not a number from 1 to 65535'],
    ['host:', 'port "" is not a number from 1 to 65535'],
    ['host:12x', 'port "12x" is not a number from 1 to 65535'],
    ['1:2:3', '"1:2:3" is not an IPv6 address (write [address]:port to give a port)'],
    ['[::1', '"[::1" is not [address] or [address]:port'],
    ['[127.0.0.1]:5', '"127.0.0.1" in brackets is not an IPv6 address'],
    ['a b', '"a b" is not host, host:port or [v6-address]:port'],
    ['http://x', '"http://x" is not host, host:port or [v6-address]:port'],
    ['a!b', '"a!b" is not a host name or IP address'],
    ['-x', '"-x" is not a host name or IP address'],
    [{ host: 'x', port: 1.5 }, 'port must be an integer from 1 to 65535, not 1.5'],
    [{ host: '' }, '"" names no host'],
    [{ port: 1 }, 'target must be a string or { host, port }, not an object'],
    [null, 'target must be a string or { host, port }, not null'],
    [5005, 'target must be a string or { host, port }, not 5005'],
  ])('rejects %j', (target, message) => {
    let error: unknown;
    try {
      parseTarget(target as Target);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TockClientError);
    expect(error).toMatchObject({ code: 'BAD_TARGET', message });
  });
});

describe('formatEndpoint', () => {
  it('brackets IPv6 addresses', () => {
    expect(formatEndpoint('127.0.0.1', 5)).toBe('127.0.0.1:5');
    expect(formatEndpoint('::1', 5)).toBe('[::1]:5');
  });
});
