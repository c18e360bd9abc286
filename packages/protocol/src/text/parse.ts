import { type Instant, instantFromMs } from '../time/instant.ts';
import { MONTHS, type TextFormat } from './format.ts';
import { instantOfZonedTime } from './zone.ts';

/** A time read from a plain-text (daytime) reply. */
export interface ParsedTimeLine {
  /** The instant the line names. */
  readonly instant: Instant;
  /** Which format the line was in. */
  readonly format: TextFormat;
  /**
   * The resolution of the format in milliseconds: 1000 for `ctime` and `unix` (whole seconds), 1 for
   * `iso` and `unix-ms`. The true time lies in `[instant, instant + resolutionMs)`.
   */
  readonly resolutionMs: number;
}

// "Tue Mar 13 12:54:58 2018" (also with one space before a one-digit day, as some servers trim).
const CTIME =
  /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;
const UNIX = /^\d{1,11}$/;
const UNIX_MS = /^\d{12,16}$/;

/**
 * Reads a daytime reply line in any of tock's text formats (`ctime`, `iso`, `unix`, `unix-ms`), which
 * covers the lab servers and common RFC 867 servers. Surrounding white space and the line ending are ignored.
 *
 * A `ctime` line, or an `iso` line without an offset, carries no zone: it is read in `timeZone`, which should
 * be the server's zone (for the lab servers, the zone of the machine they run on).
 *
 * @returns the time, or `undefined` when the line is in no format this function knows or names no real date.
 */
export function parseTimeLine(line: string, timeZone: string): ParsedTimeLine | undefined {
  const text = line.trim();
  if (text.length === 0 || text.length > 64) return undefined;
  let m = CTIME.exec(text);
  if (m) {
    const fields = {
      year: Number(m[7]),
      month: MONTHS.indexOf(m[2] as (typeof MONTHS)[number]) + 1,
      day: Number(m[3]),
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: Number(m[6]),
    };
    if (!validFields(fields)) return undefined;
    return {
      instant: instantFromMs(instantOfZonedTime(fields, timeZone)),
      format: 'ctime',
      resolutionMs: 1000,
    };
  }
  m = ISO.exec(text);
  if (m) {
    const fields = {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: Number(m[6]),
    };
    if (!validFields(fields)) return undefined;
    const fraction = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
    let baseMs: number;
    const zone = m[8];
    if (zone === undefined) {
      baseMs = instantOfZonedTime(fields, timeZone);
    } else {
      const utc = Date.UTC(
        fields.year,
        fields.month - 1,
        fields.day,
        fields.hour,
        fields.minute,
        fields.second,
      );
      let offsetMinutes = 0;
      if (zone.toUpperCase() !== 'Z') {
        const digits = zone.replace(':', '');
        offsetMinutes =
          (zone[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
      }
      baseMs = utc - offsetMinutes * 60_000;
    }
    return { instant: instantFromMs(baseMs + fraction), format: 'iso', resolutionMs: m[7] ? 1 : 1000 };
  }
  if (UNIX.test(text)) return { instant: BigInt(text) * 1_000_000_000n, format: 'unix', resolutionMs: 1000 };
  if (UNIX_MS.test(text)) return { instant: BigInt(text) * 1_000_000n, format: 'unix-ms', resolutionMs: 1 };
  return undefined;
}

function validFields(f: {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}): boolean {
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.hour > 23 || f.minute > 59 || f.second > 60) return false;
  const daysInMonth = new Date(Date.UTC(2000, f.month, 0)).getUTCDate();
  const leap = f.year % 4 === 0 && (f.year % 100 !== 0 || f.year % 400 === 0);
  return f.day <= (f.month === 2 && !leap ? 28 : daysInMonth);
}

/**
 * Whether a text datagram looks like a time reply itself (a `ctime` or ISO line) rather than a request.
 * A server uses this to avoid answering another time server's reply, which would start an endless
 * reply loop between two servers when a source address is spoofed.
 */
export function looksLikeTimeLine(text: string): boolean {
  const t = text.trim();
  return t.length <= 64 && (CTIME.test(t) || ISO.test(t));
}
