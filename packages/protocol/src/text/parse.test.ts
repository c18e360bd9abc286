import { describe, expect, it } from 'vitest';
import { instantToMs } from '../time/instant.ts';
import { looksLikeTimeLine, parseTimeLine } from './parse.ts';

const ms = (line: string, zone = 'UTC') => {
  const p = parseTimeLine(line, zone);
  return p && instantToMs(p.instant);
};

describe('parseTimeLine', () => {
  it('reads both lab servers replies (with and without CRLF)', () => {
    expect(ms('Tue Mar 13 12:54:58 2018\r\n')).toBe(Date.parse('2018-03-13T12:54:58Z'));
    expect(ms('Fri Apr  3 21:09:36 2020')).toBe(Date.parse('2020-04-03T21:09:36Z'));
    expect(parseTimeLine('Fri Apr  3 21:09:36 2020', 'UTC')?.resolutionMs).toBe(1000);
  });

  it('reads a ctime line in the zone it is told', () => {
    expect(ms('Tue Mar 13 18:24:58 2018', 'Asia/Kolkata')).toBe(Date.parse('2018-03-13T12:54:58Z'));
  });

  it('reads ISO lines with and without an offset', () => {
    expect(ms('2018-03-13T18:24:58.123+05:30')).toBe(Date.parse('2018-03-13T12:54:58.123Z'));
    expect(ms('2018-03-13T12:54:58.5Z')).toBe(Date.parse('2018-03-13T12:54:58.500Z'));
    expect(ms('2018-03-13 13:54:58', 'Europe/Paris')).toBe(Date.parse('2018-03-13T12:54:58Z'));
  });

  it('reads unix seconds and milliseconds', () => {
    expect(parseTimeLine('1520945698\r\n', 'UTC')).toEqual({
      instant: 1_520_945_698_000_000_000n,
      format: 'unix',
      resolutionMs: 1000,
    });
    expect(parseTimeLine('1520945698123', 'UTC')).toEqual({
      instant: 1_520_945_698_123_000_000n,
      format: 'unix-ms',
      resolutionMs: 1,
    });
  });

  it('rejects lines that name no real time', () => {
    for (const bad of [
      '',
      'Time request',
      'Tue Feb 30 12:00:00 2018',
      'Tue Mar 13 25:00:00 2018',
      '2018-13-01T00:00:00Z',
      'x'.repeat(100),
    ]) {
      expect(parseTimeLine(bad, 'UTC')).toBeUndefined();
    }
  });
});

describe('looksLikeTimeLine', () => {
  it('spots another server reply but not a request', () => {
    expect(looksLikeTimeLine('Tue Mar 13 12:54:58 2018\r\n')).toBe(true);
    expect(looksLikeTimeLine('2018-03-13T12:54:58.123Z')).toBe(true);
    expect(looksLikeTimeLine('Time request')).toBe(false);
    expect(looksLikeTimeLine('iso')).toBe(false);
  });
});
