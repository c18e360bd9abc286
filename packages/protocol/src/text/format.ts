import { z } from 'zod';
import { floorDiv, type Instant, NS_PER_MS } from '../time/instant.ts';
import { zonedFields } from './zone.ts';

/**
 * The text formats tock answers in. Each reply line ends in CRLF.
 * - `ctime`: exactly C's `ctime()` without its newline, `Tue Mar 13 12:54:58 2018` (the lab server's line).
 * - `iso`: ISO 8601 / RFC 3339 with milliseconds and the zone's offset, `2018-03-13T12:54:58.123Z`.
 * - `unix`: whole seconds since the Unix epoch, `1520945698`.
 * - `unix-ms`: whole milliseconds since the Unix epoch, `1520945698123`.
 */
export const TEXT_FORMATS = ['ctime', 'iso', 'unix', 'unix-ms'] as const;

/** One of {@link TEXT_FORMATS}. */
export type TextFormat = (typeof TEXT_FORMATS)[number];

/** zod schema of a {@link TextFormat}. */
export const TextFormatSchema: z.ZodEnum<{ [K in TextFormat]: K }> = z.enum(TEXT_FORMATS);

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
/** Month abbreviations as C's `asctime()` writes them. */
export const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

/** The longest text request, in characters, read as a (padded) format keyword by {@link parseFormatKeyword}. */
export const MAX_KEYWORD_REQUEST_LENGTH = 64;

/** The largest distance from the epoch, in milliseconds, that `Date` represents. */
const MAX_DATE_MS = 8.64e15;

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

/**
 * The last second formatted, per format, so that a server answering thousands of requests a second formats
 * each second once: `ctime` and `unix` lines only change once a second, and `iso` lines only in their
 * milliseconds. A pure memo (the output depends on the arguments only); offsets of time zones change on
 * whole seconds, so caching per second is exact.
 */
interface SecondCache {
  timeZone: string;
  second: number;
  text: string;
  /** For `iso`: what follows the milliseconds (the zone). */
  suffix: string;
}
const cache: Record<'ctime' | 'unix' | 'iso', SecondCache> = {
  ctime: { timeZone: '', second: Number.NaN, text: '', suffix: '' },
  unix: { timeZone: '', second: Number.NaN, text: '', suffix: '' },
  iso: { timeZone: '', second: Number.NaN, text: '', suffix: '' },
};

/**
 * Formats an instant as one line of text, without the line ending.
 *
 * @param instant - the time to show.
 * @param format - one of {@link TEXT_FORMATS}.
 * @param timeZone - IANA zone for `ctime` and `iso` (`unix` and `unix-ms` do not depend on it).
 * @throws RangeError for an unknown time zone, or an instant outside the range of `Date` (±8.64e15 ms).
 */
export function formatTime(instant: Instant, format: TextFormat, timeZone: string): string {
  const epochMs = Number(floorDiv(instant, NS_PER_MS));
  if (!(Math.abs(epochMs) <= MAX_DATE_MS)) throw new RangeError(`instant ${instant} is outside the calendar`);
  if (format === 'unix-ms') return String(epochMs);
  const second = Math.floor(epochMs / 1000);
  const c = cache[format];
  if (c.second !== second || c.timeZone !== timeZone) {
    const [text, suffix] = formatSecond(epochMs, second, format, timeZone);
    c.second = second;
    c.timeZone = timeZone;
    c.text = text;
    c.suffix = suffix;
  }
  return format === 'iso' ? `${c.text}.${pad3(epochMs - second * 1000)}${c.suffix}` : c.text;
}

/** Formats the whole second `second` (for `iso`: the part before the milliseconds, and the zone). */
function formatSecond(
  epochMs: number,
  second: number,
  format: 'ctime' | 'unix' | 'iso',
  timeZone: string,
): [string, string] {
  switch (format) {
    case 'unix':
      return [String(second), ''];
    case 'ctime': {
      const f = zonedFields(epochMs, timeZone);
      // asctime(): "%.3s %.3s%3d %.2d:%.2d:%.2d %d\n"
      const day = f.day < 10 ? ` ${f.day}` : String(f.day);
      return [
        `${DAYS[f.weekday]} ${MONTHS[f.month - 1]} ${day} ${pad2(f.hour)}:${pad2(f.minute)}:${pad2(f.second)} ${f.year}`,
        '',
      ];
    }
    case 'iso': {
      const f = zonedFields(epochMs, timeZone);
      const year = f.year >= 0 && f.year <= 9999 ? String(f.year).padStart(4, '0') : String(f.year);
      let zone = 'Z';
      if (f.offsetMinutes !== 0) {
        const abs = Math.abs(f.offsetMinutes);
        zone = `${f.offsetMinutes < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
      }
      return [
        `${year}-${pad2(f.month)}-${pad2(f.day)}T${pad2(f.hour)}:${pad2(f.minute)}:${pad2(f.second)}`,
        zone,
      ];
    }
  }
}

/**
 * Reads a plain-text request as a format keyword: the whole datagram, trimmed of white space and
 * compared case-insensitively, must be one of {@link TEXT_FORMATS}. Anything else (the lab client's
 * `Time request`, an empty datagram) returns `undefined`, meaning "use the server's default format".
 * A keyword may be padded with white space up to 64 characters (`MAX_KEYWORD_REQUEST_LENGTH`), so that a
 * client can make its request as large as the reply (a server answering only requests at least as large
 * as their replies still understands it).
 */
export function parseFormatKeyword(request: string): TextFormat | undefined {
  if (request.length > MAX_KEYWORD_REQUEST_LENGTH) return undefined;
  const word = request.trim().toLowerCase();
  return (TEXT_FORMATS as readonly string[]).includes(word) ? (word as TextFormat) : undefined;
}
