const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
};

/** The largest duration {@link parseDuration} accepts: 100 years of 365 days (either sign). */
export const MAX_DURATION_NS: bigint = 36_500n * UNIT_NS.d!;

const WHOLE = /^([+-]?)((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d))+)$/;
const PART = /(\d+)(?:\.(\d+))?(ns|us|µs|ms|s|m|h|d)/g;

/**
 * Reads a duration such as `500ms`, `90s`, `1h`, `-2d`, `1h30m` or `1.5s` as whole nanoseconds: an optional
 * sign, then one or more numbers (fractions allowed), each followed by a unit: `ns`, `us` (or `µs`), `ms`,
 * `s`, `m`, `h`, `d` (24 hours). `0` alone is zero. Fractions below a nanosecond are truncated.
 *
 * @returns `undefined` when `text` is not a duration, or is longer than {@link MAX_DURATION_NS}.
 */
export function parseDuration(text: string): bigint | undefined {
  if (text === '0' || text === '+0' || text === '-0') return 0n;
  const match = WHOLE.exec(text);
  if (match === null) return undefined;
  let total = 0n;
  for (const [, whole, fraction = '', unit] of match[2]!.matchAll(PART)) {
    const scale = UNIT_NS[unit!]!;
    total += BigInt(whole!) * scale;
    if (fraction !== '') total += (BigInt(fraction) * scale) / 10n ** BigInt(fraction.length);
    if (total > MAX_DURATION_NS) return undefined;
  }
  return match[1] === '-' ? -total : total;
}

/** Writes nanoseconds as the shortest exact duration {@link parseDuration} reads back: `1h`, `-90s`, `1500ms`. */
export function formatDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  for (const unit of ['d', 'h', 'm', 's', 'ms', 'us'] as const) {
    const scale = UNIT_NS[unit]!;
    if (abs % scale === 0n) return `${sign}${abs / scale}${unit}`;
  }
  return `${sign}${abs}ns`;
}
