import { z } from 'zod';
import { NTP_PACKET_BYTES } from '../limits.ts';
import type { Instant } from '../time/instant.ts';
import {
  decodeNtpPacket,
  type LeapIndicator,
  NtpMode,
  type NtpPacket,
  parseReferenceId,
  writeNtpHeader,
} from './packet.ts';
import { ntpFromInstant, ntpShortFromSeconds, writeNtpTimestamp } from './timestamp.ts';

/** zod schema of the NTP settings a server announces in its replies (see {@link NtpServerOptions}). */
export const NtpServerOptionsSchema: z.ZodObject<{
  stratum: z.ZodDefault<z.ZodNumber>;
  referenceId: z.ZodDefault<z.ZodString>;
  precision: z.ZodDefault<z.ZodNumber>;
  leap: z.ZodDefault<z.ZodLiteral<0 | 1 | 2 | 3>>;
  rootDelay: z.ZodDefault<z.ZodNumber>;
  rootDispersion: z.ZodDefault<z.ZodNumber>;
}> = z.object({
  stratum: z.number().int().min(1).max(15).default(2),
  referenceId: z
    .string()
    .refine((s) => parseReferenceId(s) !== undefined, 'must be 1-4 ASCII characters or an IPv4 address')
    .default('LOCL'),
  precision: z.number().int().min(-32).max(0).default(-20),
  leap: z.literal([0, 1, 2, 3]).default(0),
  rootDelay: z.number().min(0).max(65_535).default(0),
  rootDispersion: z.number().min(0).max(65_535).default(0.001),
});

/**
 * What a tock server announces in its NTP replies.
 * - `stratum`: 1–15 (default 2). Stratum 0 is reserved for Kiss-o'-Death replies and is never used otherwise.
 * - `referenceId`: 1–4 ASCII characters (`LOCL`, `GPS`) or an IPv4 address (default `LOCL`).
 * - `precision`: log2 seconds of the clock's precision (default −20, about 1 µs).
 * - `leap`: leap indicator (default 0, no warning; 3 tells clients the server is unsynchronised).
 * - `rootDelay`, `rootDispersion`: seconds (defaults 0 and 0.001).
 */
export type NtpServerOptions = z.input<typeof NtpServerOptionsSchema>;

/** NTP server settings as they go on the wire, ready for {@link buildNtpReplyHeader}. */
export interface NtpServerSettings {
  readonly stratum: number;
  readonly referenceId: number;
  readonly precision: number;
  readonly leap: LeapIndicator;
  /** Root delay, NTP short format. */
  readonly rootDelay: number;
  /** Root dispersion, NTP short format. */
  readonly rootDispersion: number;
}

/** Validates NTP server options and converts them to wire values. @throws ZodError on a bad value. */
export function ntpServerSettings(options: NtpServerOptions = {}): NtpServerSettings {
  const o = NtpServerOptionsSchema.parse(options);
  return {
    stratum: o.stratum,
    referenceId: parseReferenceId(o.referenceId)!,
    precision: o.precision,
    leap: o.leap as LeapIndicator,
    rootDelay: ntpShortFromSeconds(o.rootDelay),
    rootDispersion: ntpShortFromSeconds(o.rootDispersion),
  };
}

/** Why an NTP datagram gets no reply. */
export type NtpIgnoreReason =
  | 'ntp-truncated'
  | 'ntp-bad-version'
  | 'ntp-control-message'
  | 'ntp-private-message'
  | 'ntp-not-client-request'
  | 'ntp-zero-transmit';

/** The outcome of {@link readNtpRequest}. */
export type NtpRequestResult =
  | { readonly ok: true; readonly request: NtpPacket }
  | { readonly ok: false; readonly reason: NtpIgnoreReason };

/**
 * Checks that a datagram is an NTP client request a server should answer: at least 48 bytes, version 1–4,
 * mode 3 (client), and a non-zero transmit timestamp (the client's nonce that the reply must echo).
 * Control (mode 6) and private (mode 7) messages, the ones used for amplification attacks, are never
 * answered; neither are symmetric, server or broadcast packets.
 */
export function readNtpRequest(bytes: Uint8Array): NtpRequestResult {
  const decoded = decodeNtpPacket(bytes);
  if (!decoded.ok) return decoded;
  const p = decoded.packet;
  if (p.version < 1 || p.version > 4) return { ok: false, reason: 'ntp-bad-version' };
  if (p.mode === NtpMode.Control) return { ok: false, reason: 'ntp-control-message' };
  if (p.mode === NtpMode.Private) return { ok: false, reason: 'ntp-private-message' };
  if (p.mode !== NtpMode.Client) return { ok: false, reason: 'ntp-not-client-request' };
  if (p.transmitTimestamp === 0n) return { ok: false, reason: 'ntp-zero-transmit' };
  return { ok: true, request: p };
}

/**
 * Writes a server reply (mode 4) to `request` into a new 48-byte buffer, with every field but the transmit
 * timestamp, so that the caller can read its clock as late as possible and finish with
 * {@link setNtpTransmitTimestamp}. The reply echoes the request's version and poll, sets the origin
 * timestamp to the request's transmit timestamp, and is never larger than the request (48 bytes; extension
 * fields are not echoed).
 *
 * @param request - a packet accepted by {@link readNtpRequest}.
 * @param receiveTime - T2, when the request arrived.
 * @param settings - what the server announces.
 */
export function buildNtpReplyHeader(
  request: NtpPacket,
  receiveTime: Instant,
  settings: NtpServerSettings,
): Uint8Array {
  const bytes = new Uint8Array(NTP_PACKET_BYTES);
  const receive = ntpFromInstant(receiveTime);
  writeNtpHeader(bytes, {
    leap: settings.leap,
    version: request.version,
    mode: NtpMode.Server,
    stratum: settings.stratum,
    poll: request.poll,
    precision: settings.precision,
    rootDelay: settings.rootDelay,
    rootDispersion: settings.rootDispersion,
    referenceId: settings.referenceId,
    // The reference time: the start of the second the request arrived in. tock serves the host's clock and
    // does not know when it was last corrected; a recent, non-zero value keeps clients from flagging the
    // server as never synchronised.
    referenceTimestamp: receive & ~0xffff_ffffn,
    originTimestamp: request.transmitTimestamp,
    receiveTimestamp: receive,
    transmitTimestamp: 0n,
  });
  return bytes;
}

/** Writes the transmit timestamp (T3) into a reply made by {@link buildNtpReplyHeader}. */
export function setNtpTransmitTimestamp(reply: Uint8Array, transmitTime: Instant): void {
  new DataView(reply.buffer, reply.byteOffset, NTP_PACKET_BYTES).setBigUint64(
    40,
    ntpFromInstant(transmitTime),
  );
}

/** Kiss codes a server may send (RFC 5905 §7.4). */
export type KissCode = 'RATE' | 'DENY' | 'RSTR';

/**
 * Builds a Kiss-o'-Death reply to `request`: stratum 0, leap 3, the kiss code as reference id. Origin,
 * receive and transmit timestamps all carry the request's transmit timestamp, so the client can match the
 * reply to its request while the server reveals no time (the same choice as ntpd-rs). This is the only
 * reply tock ever sends with stratum 0.
 */
export function buildKissOfDeath(request: NtpPacket, code: KissCode): Uint8Array {
  const bytes = new Uint8Array(NTP_PACKET_BYTES);
  writeNtpHeader(bytes, {
    leap: 3,
    version: request.version,
    mode: NtpMode.Server,
    stratum: 0,
    poll: request.poll,
    precision: 0,
    rootDelay: 0,
    rootDispersion: 0,
    referenceId: parseReferenceId(code)!,
    referenceTimestamp: 0n,
    originTimestamp: request.transmitTimestamp,
    receiveTimestamp: request.transmitTimestamp,
    transmitTimestamp: request.transmitTimestamp,
  });
  return bytes;
}

/** What {@link answerNtpRequest} returns: the reply and its transmit time, or why there is none. */
export type NtpAnswer =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly transmitTime: Instant }
  | { readonly ok: false; readonly reason: NtpIgnoreReason };

/**
 * The server's hot path: checks an NTP request and builds the reply straight from its bytes, without
 * decoding it into an {@link NtpPacket}. It applies {@link readNtpRequest}'s checks in the same order and
 * returns byte for byte what {@link buildNtpReplyHeader} and {@link setNtpTransmitTimestamp} make (a
 * property test holds it to that), reading `clock` once, last, for the transmit time.
 */
export function answerNtpRequest(
  request: Uint8Array,
  receiveTime: Instant,
  settings: NtpServerSettings,
  clock: () => Instant,
): NtpAnswer {
  if (request.length < NTP_PACKET_BYTES) return { ok: false, reason: 'ntp-truncated' };
  const b0 = request[0]!;
  const version = (b0 >> 3) & 7;
  const mode = b0 & 7;
  if (version < 1 || version > 4) return { ok: false, reason: 'ntp-bad-version' };
  if (mode === NtpMode.Control) return { ok: false, reason: 'ntp-control-message' };
  if (mode === NtpMode.Private) return { ok: false, reason: 'ntp-private-message' };
  if (mode !== NtpMode.Client) return { ok: false, reason: 'ntp-not-client-request' };
  let transmitOr = 0;
  for (let i = 40; i < 48; i++) transmitOr |= request[i]!;
  if (transmitOr === 0) return { ok: false, reason: 'ntp-zero-transmit' };

  const bytes = new Uint8Array(NTP_PACKET_BYTES);
  bytes[0] = ((settings.leap & 3) << 6) | (version << 3) | NtpMode.Server;
  bytes[1] = settings.stratum & 0xff;
  bytes[2] = request[2]!; // poll, echoed
  bytes[3] = settings.precision & 0xff;
  writeUint32(bytes, 4, settings.rootDelay);
  writeUint32(bytes, 8, settings.rootDispersion);
  writeUint32(bytes, 12, settings.referenceId);
  writeNtpTimestamp(bytes, 32, receiveTime);
  // The reference time: the start of the second the request arrived in (see buildNtpReplyHeader).
  bytes.copyWithin(16, 32, 36);
  bytes.set(request.subarray(40, 48), 24); // origin = the request's transmit time
  const transmitTime = clock();
  writeNtpTimestamp(bytes, 40, transmitTime);
  return { ok: true, bytes, transmitTime };
}

function writeUint32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = (value >>> 16) & 0xff;
  bytes[offset + 2] = (value >>> 8) & 0xff;
  bytes[offset + 3] = value & 0xff;
}
