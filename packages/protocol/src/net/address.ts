/**
 * IP addresses as numbers, without allocating: what the rate limiter needs to key its table on a source and
 * to check it against the exempt ranges, once per datagram.
 *
 * A parsed address is five 32-bit words: `[family, w0, w1, w2, w3]`. For IPv6, w0–w3 are the 128 bits, most
 * significant first. For IPv4, w0 is the address and w1–w3 are 0; an IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`, how a dual-stack socket shows an IPv4 client) is read as the IPv4 address it maps.
 */

/** The family word of a parsed IPv4 address. */
export const IPV4 = 4;
/** The family word of a parsed IPv6 address. */
export const IPV6 = 6;

const groups = new Uint16Array(8);

/**
 * Parses an IP address as a socket reports it (`192.0.2.1`, `2001:db8::1`, `fe80::1%eth0`,
 * `::ffff:192.0.2.1`) into `out` (at least 5 words, see above). A zone index (`%eth0`) is ignored.
 *
 * @returns the family (4 or 6), or 0 when `text` is not an IP address (then `out` is unspecified).
 */
export function parseAddress(text: string, out: Uint32Array): number {
  let end = text.indexOf('%');
  if (end < 0) end = text.length;
  else if (!validZone(text, end + 1)) return 0;
  if (text.indexOf(':') < 0) {
    if (end !== text.length) return 0; // a zone on an IPv4 address
    const v4 = parseIPv4(text, 0, end);
    if (v4 < 0) return 0;
    out[0] = IPV4;
    out[1] = v4;
    out[2] = 0;
    out[3] = 0;
    out[4] = 0;
    return IPV4;
  }
  if (!parseIPv6(text, end)) return 0;
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0) {
    if (groups[5] === 0xffff) {
      out[0] = IPV4;
      out[1] = ((groups[6]! << 16) | groups[7]!) >>> 0;
      out[2] = 0;
      out[3] = 0;
      out[4] = 0;
      return IPV4;
    }
  }
  out[0] = IPV6;
  for (let i = 0; i < 4; i++) out[i + 1] = ((groups[2 * i]! << 16) | groups[2 * i + 1]!) >>> 0;
  return IPV6;
}

/** A zone index after `%`, as `net.isIP` allows it: one or more of `0-9 a-z A-Z - . :`. */
function validZone(text: string, start: number): boolean {
  if (start >= text.length) return false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ok =
      (c >= 0x30 && c <= 0x3a) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      c === 0x2d ||
      c === 0x2e;
    if (!ok) return false;
  }
  return true;
}

/** Dotted-quad IPv4 between `start` and `end`, as an unsigned 32-bit number; -1 if it is not one. */
function parseIPv4(text: string, start: number, end: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = start; i <= end; i++) {
    const c = i === end ? 0x2e : text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || part > 255) return -1;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
      if (parts > 4) return -1;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits === 1 && part === 0) return -1; // a leading zero: octal to some parsers, refused
      part = part * 10 + (c - 0x30);
      if (++digits > 3) return -1;
    } else {
      return -1;
    }
  }
  return parts === 4 ? value : -1;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Parses IPv6 text up to `end` into `groups`; false if it is not an IPv6 address. */
function parseIPv6(text: string, end: number): boolean {
  let count = 0;
  let gap = -1; // where "::" stands, as a group index
  let i = 0;
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) return false;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    let j = i;
    let value = 0;
    let dotted = false;
    while (j < end) {
      const c = text.charCodeAt(j);
      if (c === 0x3a) break;
      if (c === 0x2e) dotted = true;
      j++;
    }
    if (dotted) {
      // An IPv4 tail: the last 32 bits.
      if (j !== end || count > 6) return false;
      const v4 = parseIPv4(text, i, end);
      if (v4 < 0) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      break;
    }
    if (j === i || j - i > 4 || count >= 8) return false;
    for (let k = i; k < j; k++) {
      const d = hexDigit(text.charCodeAt(k));
      if (d < 0) return false;
      value = value * 16 + d;
    }
    groups[count++] = value;
    if (j === end) break;
    if (text.charCodeAt(j + 1) === 0x3a) {
      if (gap >= 0) return false;
      gap = count;
      i = j + 2;
    } else {
      i = j + 1;
      if (i === end) return false; // a trailing single ':'
    }
  }
  if (gap < 0) return count === 8;
  if (count > 7) return false;
  // Move the groups after "::" to the end and zero the gap.
  const tail = count - gap;
  for (let k = 0; k < tail; k++) groups[7 - k] = groups[count - 1 - k]!;
  for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  return true;
}

/** An address range: a family, the network's words and a prefix length. */
export interface Cidr {
  /** 4 or 6. */
  readonly family: number;
  /** The network address, in the words of {@link parseAddress} (w0–w3). */
  readonly words: readonly [number, number, number, number];
  /** Prefix length: 0–32 for IPv4, 0–128 for IPv6. */
  readonly prefix: number;
}

/**
 * Reads a CIDR range, `10.0.0.0/8`, `2001:db8::/32`, or a single address (`192.0.2.1` is `/32`, `::1` is
 * `/128`). An IPv4-mapped IPv6 range with a prefix of 96 or more is read as the IPv4 range it maps.
 * Host bits set beyond the prefix are ignored (`10.1.2.3/8` is `10.0.0.0/8`).
 *
 * @returns `undefined` when `text` is not a range.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  if (address.includes('%')) return undefined;
  const out = new Uint32Array(5);
  const family = parseAddress(address, out);
  if (family === 0) return undefined;
  const mapped = family === IPV4 && address.includes(':');
  const max = family === IPV4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (mapped) {
      if (prefix < 96 || prefix > 128) return undefined;
      prefix -= 96;
    } else if (prefix > max) {
      return undefined;
    }
  }
  const words: [number, number, number, number] = [out[1]!, out[2]!, out[3]!, out[4]!];
  for (let i = 0; i < 4; i++) words[i] = (words[i]! & maskWord(prefix, i)) >>> 0;
  return { family, words, prefix };
}

/** The mask of word `i` (0–3) for a prefix of `prefix` bits. */
function maskWord(prefix: number, i: number): number {
  const bits = Math.min(32, Math.max(0, prefix - 32 * i));
  return bits === 0 ? 0 : bits === 32 ? 0xffff_ffff : (0xffff_ffff << (32 - bits)) >>> 0;
}

/** Whether a parsed address (the words of {@link parseAddress}) lies in any of `ranges`. */
export type RangeMatcher = (parsed: Uint32Array) => boolean;

/** Compiles `ranges` into a {@link RangeMatcher}: a few integer comparisons per range, no allocation. */
export function createRangeMatcher(ranges: readonly Cidr[]): RangeMatcher {
  const compiled = ranges.map((r) => ({
    family: r.family,
    words: r.words,
    masks: [0, 1, 2, 3].map((i) => maskWord(r.prefix, i)),
  }));
  if (compiled.length === 0) return () => false;
  return (parsed) => {
    const family = parsed[0];
    for (const r of compiled) {
      if (r.family !== family) continue;
      if (
        (parsed[1]! & r.masks[0]!) >>> 0 === r.words[0] &&
        (parsed[2]! & r.masks[1]!) >>> 0 === r.words[1] &&
        (parsed[3]! & r.masks[2]!) >>> 0 === r.words[2] &&
        (parsed[4]! & r.masks[3]!) >>> 0 === r.words[3]
      )
        return true;
    }
    return false;
  };
}
