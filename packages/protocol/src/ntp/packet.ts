import { NTP_PACKET_BYTES } from '../limits.ts';
import type { NtpTimestamp } from './timestamp.ts';

/** NTP association modes (RFC 5905 §7.3). */
export const NtpMode = {
  Reserved: 0,
  SymmetricActive: 1,
  SymmetricPassive: 2,
  Client: 3,
  Server: 4,
  Broadcast: 5,
  Control: 6,
  Private: 7,
} as const;

/** A value of {@link NtpMode}. */
export type NtpModeValue = (typeof NtpMode)[keyof typeof NtpMode];

/** Leap indicator: 0 no warning, 1 last minute has 61 s, 2 last minute has 59 s, 3 unsynchronised. */
export type LeapIndicator = 0 | 1 | 2 | 3;

/**
 * An NTP packet header (RFC 5905 §7.3) plus whatever follows it (extension fields, a MAC), kept as raw
 * bytes. Field values are the raw wire values.
 */
export interface NtpPacket {
  /** Leap indicator (2 bits). */
  readonly leap: LeapIndicator;
  /** Version number (3 bits): 1–4 in practice. */
  readonly version: number;
  /** Association mode (3 bits), see {@link NtpMode}. */
  readonly mode: number;
  /** Stratum (0 = Kiss-o'-Death or unspecified, 1 = primary, 2–15 secondary, 16 unsynchronised). */
  readonly stratum: number;
  /** Poll exponent: log2 of the poll interval in seconds (signed 8 bits). */
  readonly poll: number;
  /** Precision exponent: log2 of the clock precision in seconds (signed 8 bits). */
  readonly precision: number;
  /** Root delay, NTP short format (unsigned 16.16 fixed point seconds). */
  readonly rootDelay: number;
  /** Root dispersion, NTP short format (unsigned 16.16 fixed point seconds). */
  readonly rootDispersion: number;
  /** Reference id: four ASCII characters (stratum 0–1) or an IPv4 address / hash (stratum 2+), as uint32. */
  readonly referenceId: number;
  /** When the server's clock was last set or corrected. */
  readonly referenceTimestamp: NtpTimestamp;
  /** In a reply: the request's transmit timestamp (T1 for the client). */
  readonly originTimestamp: NtpTimestamp;
  /** When the request arrived at the server (T2). */
  readonly receiveTimestamp: NtpTimestamp;
  /** When the packet left its sender (T3 in a reply, the client's nonce or T1 in a request). */
  readonly transmitTimestamp: NtpTimestamp;
  /** Bytes after the 48-byte header (extension fields, MAC), verbatim. Empty for a plain packet. */
  readonly trailer: Uint8Array;
}

/** The outcome of {@link decodeNtpPacket}. */
export type NtpDecodeResult =
  | { readonly ok: true; readonly packet: NtpPacket }
  | { readonly ok: false; readonly reason: 'ntp-truncated' };

/** Reads an NTP packet. Any 48 bytes or more decode; shorter input is `ntp-truncated`. Never throws. */
export function decodeNtpPacket(bytes: Uint8Array): NtpDecodeResult {
  if (bytes.length < NTP_PACKET_BYTES) return { ok: false, reason: 'ntp-truncated' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const b0 = view.getUint8(0);
  return {
    ok: true,
    packet: {
      leap: (b0 >> 6) as LeapIndicator,
      version: (b0 >> 3) & 7,
      mode: b0 & 7,
      stratum: view.getUint8(1),
      poll: view.getInt8(2),
      precision: view.getInt8(3),
      rootDelay: view.getUint32(4),
      rootDispersion: view.getUint32(8),
      referenceId: view.getUint32(12),
      referenceTimestamp: view.getBigUint64(16),
      originTimestamp: view.getBigUint64(24),
      receiveTimestamp: view.getBigUint64(32),
      transmitTimestamp: view.getBigUint64(40),
      trailer: bytes.slice(NTP_PACKET_BYTES),
    },
  };
}

/**
 * Writes an NTP packet: the 48-byte header followed by `trailer`. Out-of-range field values are masked to
 * their wire width (a version of 9 is written as 1), so the result is always a well-formed header.
 */
export function encodeNtpPacket(packet: NtpPacket): Uint8Array {
  const bytes = new Uint8Array(NTP_PACKET_BYTES + packet.trailer.length);
  writeNtpHeader(bytes, packet);
  bytes.set(packet.trailer, NTP_PACKET_BYTES);
  return bytes;
}

/** Writes the 48-byte header of `packet` at the start of `bytes` (which must hold at least 48 bytes). */
export function writeNtpHeader(bytes: Uint8Array, packet: Omit<NtpPacket, 'trailer'>): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, NTP_PACKET_BYTES);
  view.setUint8(0, ((packet.leap & 3) << 6) | ((packet.version & 7) << 3) | (packet.mode & 7));
  view.setUint8(1, packet.stratum & 0xff);
  view.setInt8(2, (packet.poll << 24) >> 24);
  view.setInt8(3, (packet.precision << 24) >> 24);
  view.setUint32(4, packet.rootDelay >>> 0);
  view.setUint32(8, packet.rootDispersion >>> 0);
  view.setUint32(12, packet.referenceId >>> 0);
  view.setBigUint64(16, BigInt.asUintN(64, packet.referenceTimestamp));
  view.setBigUint64(24, BigInt.asUintN(64, packet.originTimestamp));
  view.setBigUint64(32, BigInt.asUintN(64, packet.receiveTimestamp));
  view.setBigUint64(40, BigInt.asUintN(64, packet.transmitTimestamp));
}

/**
 * Reads a reference id as text: four ASCII letters for stratum 0 and 1 (a kiss code or a reference clock
 * such as `GPS`, `LOCL`), a dotted IPv4 address otherwise.
 */
export function referenceIdToString(referenceId: number, stratum: number): string {
  const b = [
    (referenceId >>> 24) & 0xff,
    (referenceId >>> 16) & 0xff,
    (referenceId >>> 8) & 0xff,
    referenceId & 0xff,
  ];
  if (stratum <= 1) return String.fromCharCode(...b.filter((c) => c !== 0));
  return b.join('.');
}

/**
 * Parses a reference id written as 1–4 ASCII characters (`LOCL`, `GPS`) or a dotted IPv4 address
 * (`127.127.1.1`) into its uint32 wire value.
 * @returns `undefined` when `text` is neither.
 */
export function parseReferenceId(text: string): number | undefined {
  const ip = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (ip) {
    const parts = ip.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  }
  if (!/^[\x20-\x7e]{1,4}$/.test(text)) return undefined;
  let value = 0;
  for (let i = 0; i < 4; i++) value = (value << 8) | (i < text.length ? text.charCodeAt(i) : 0);
  return value >>> 0;
}
