/** The protocols tock tells apart on one port. */
export type Protocol = 'text' | 'json' | 'ntp';

/** Every {@link Protocol}, in a fixed order (text, json, ntp): for counters, option checks and help. */
export const PROTOCOLS: readonly Protocol[] = ['text', 'json', 'ntp'];

/** What {@link classify} makes of a datagram: a protocol, or `unknown` for binary that is not NTP. */
export type Classification = Protocol | 'unknown';

/**
 * Decides which protocol a datagram speaks, by these rules, in order:
 *
 * 1. **NTP**: the datagram contains a byte that never occurs in text (a control character other than
 *    tab, CR, LF, or DEL) and its first byte carries an NTP version of 1–4 (bits 3–5). Real NTP packets
 *    always hold zero bytes, so they are never mistaken for text. Its length and mode are checked later.
 * 2. **JSON**: the first byte that is not white space is `{`.
 * 3. **Text**: every byte is printable ASCII, tab, CR, LF, or part of valid UTF-8. This includes the
 *    empty datagram, which RFC 867 answers like any other.
 * 4. **unknown**: anything else (binary that is not NTP); a server ignores it.
 *
 * Runs in time proportional to the datagram's length and never throws.
 */
export function classify(bytes: Uint8Array): Classification {
  const first = bytes[0];
  let binary = false;
  let nonAscii = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 0x80) nonAscii = true;
    else if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) {
      binary = true;
      break;
    }
  }
  if (binary) {
    const version = ((first ?? 0) >> 3) & 7;
    return version >= 1 && version <= 4 ? 'ntp' : 'unknown';
  }
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    if (b === 0x7b) return 'json';
    break;
  }
  if (nonAscii && !isValidUtf8(bytes)) return 'unknown';
  return 'text';
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
