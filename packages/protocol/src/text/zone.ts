/**
 * Wall-clock fields of an instant in a named IANA time zone, computed with `Intl` (no clock reads).
 */
export interface ZonedFields {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  /** 1–31 */
  readonly day: number;
  /** 0 = Sunday … 6 = Saturday */
  readonly weekday: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Milliseconds within the second, 0–999. */
  readonly millisecond: number;
  /** Offset of the zone from UTC at that instant, in minutes (east positive: +330 for Asia/Kolkata). */
  readonly offsetMinutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` names a time zone this runtime knows (`UTC`, `Europe/Paris`, …). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * This machine's IANA time zone, as the runtime reports it (`TZ`, or the system's setting), or `UTC` when
 * the runtime cannot tell or names a zone it does not know. Reads no clock.
 */
export function localTimeZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone && isValidTimeZone(zone) ? zone : 'UTC';
}

/**
 * Splits an instant (milliseconds since the epoch) into wall-clock fields in `timeZone`.
 * @throws RangeError for an unknown time zone.
 */
export function zonedFields(epochMs: number, timeZone: string): ZonedFields {
  const ms = Math.floor(epochMs);
  const millisecond = ((ms % 1000) + 1000) % 1000;
  const wholeSecondMs = ms - millisecond;
  if (timeZone === 'UTC') {
    const d = new Date(wholeSecondMs);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      weekday: d.getUTCDay(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      millisecond,
      offsetMinutes: 0,
    };
  }
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const part of formatterFor(timeZone).formatToParts(wholeSecondMs)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
      case 'era':
        bc = part.value === 'BC' || part.value === 'B';
        break;
    }
  }
  if (bc) year = 1 - year;
  const asUtc = utcMs(year, month, day, hour, minute, second);
  const weekday = new Date(asUtc).getUTCDay();
  return {
    year,
    month,
    day,
    weekday,
    hour,
    minute,
    second,
    millisecond,
    offsetMinutes: Math.round((asUtc - wholeSecondMs) / 60_000),
  };
}

/** `Date.UTC` that also handles years 0–99 literally (Date.UTC maps them to 1900–1999). */
export function utcMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/**
 * The instant (milliseconds since the epoch) at which the wall clock in `timeZone` shows the given fields.
 * For a time that occurs twice (a DST fall-back) the earlier is chosen; for one skipped by a DST jump the
 * result lands on the other side of the gap.
 */
export function instantOfZonedTime(
  fields: { year: number; month: number; day: number; hour: number; minute: number; second: number },
  timeZone: string,
): number {
  const asUtc = utcMs(fields.year, fields.month, fields.day, fields.hour, fields.minute, fields.second);
  const first = asUtc - zonedFields(asUtc, timeZone).offsetMinutes * 60_000;
  const second = asUtc - zonedFields(first, timeZone).offsetMinutes * 60_000;
  return Math.min(first, second);
}
