import { NTP_PACKET_BYTES } from '../limits.ts';
import type { Instant } from '../time/instant.ts';
import { decodeNtpPacket, NtpMode, type NtpPacket, referenceIdToString, writeNtpHeader } from './packet.ts';
import { instantFromNtp, type NtpTimestamp } from './timestamp.ts';

/**
 * Builds a 48-byte NTPv4 client request (mode 3) whose transmit timestamp is `nonce`. A client should use
 * 64 random bits as the nonce rather than its clock (as chrony does): the reply must echo it as the origin
 * timestamp, so an off-path attacker cannot forge a reply, and the request reveals nothing of the client's
 * clock. The client keeps its own T1.
 */
export function buildNtpRequest(
  nonce: NtpTimestamp,
  options: { version?: number; poll?: number } = {},
): Uint8Array {
  const bytes = new Uint8Array(NTP_PACKET_BYTES);
  writeNtpHeader(bytes, {
    leap: 0,
    version: options.version ?? 4,
    mode: NtpMode.Client,
    stratum: 0,
    poll: options.poll ?? 0,
    precision: 0,
    rootDelay: 0,
    rootDispersion: 0,
    referenceId: 0,
    referenceTimestamp: 0n,
    originTimestamp: 0n,
    receiveTimestamp: 0n,
    transmitTimestamp: nonce,
  });
  return bytes;
}

/** A server reply that passed every check of {@link readNtpReply}. */
export interface NtpReply {
  /** The decoded packet. */
  readonly packet: NtpPacket;
  /** T2: when the server received the request. */
  readonly receiveTime: Instant;
  /** T3: when the server sent the reply. */
  readonly transmitTime: Instant;
}

/** Why a datagram is not an acceptable reply to our request. */
export type NtpReplyProblem =
  | { readonly kind: 'mismatch'; readonly detail: string }
  | { readonly kind: 'invalid'; readonly detail: string }
  | { readonly kind: 'kiss-of-death'; readonly code: string };

/** The outcome of {@link readNtpReply}. */
export type NtpReplyResult =
  | { readonly ok: true; readonly reply: NtpReply }
  | { readonly ok: false; readonly problem: NtpReplyProblem };

/**
 * Checks a datagram as the reply to the request whose transmit timestamp was `nonce` (RFC 5905 §8 and
 * RFC 4330 §5):
 * - `mismatch`: not for us (too short, not mode 4, origin ≠ nonce): a client should ignore it and keep waiting;
 * - `kiss-of-death`: stratum 0 with a kiss code such as `RATE` or `DENY`: the server asks us to stop or slow down;
 * - `invalid`: ours, but unusable (unsynchronised leap indicator, stratum 16 or more, zero timestamps).
 *
 * @param pivot - an instant near the true time (the client's T1), to place the timestamps in the right NTP era.
 */
export function readNtpReply(bytes: Uint8Array, nonce: NtpTimestamp, pivot: Instant): NtpReplyResult {
  const decoded = decodeNtpPacket(bytes);
  if (!decoded.ok)
    return {
      ok: false,
      problem: { kind: 'mismatch', detail: `reply of ${bytes.length} bytes is too short` },
    };
  const p = decoded.packet;
  if (p.mode !== NtpMode.Server)
    return { ok: false, problem: { kind: 'mismatch', detail: `mode ${p.mode} is not a server reply` } };
  if (p.originTimestamp !== nonce)
    return {
      ok: false,
      problem: { kind: 'mismatch', detail: 'origin timestamp does not match the request' },
    };
  if (p.stratum === 0) {
    return {
      ok: false,
      problem: { kind: 'kiss-of-death', code: referenceIdToString(p.referenceId, 0) || '????' },
    };
  }
  if (p.version < 1 || p.version > 4)
    return { ok: false, problem: { kind: 'invalid', detail: `version ${p.version}` } };
  if (p.leap === 3)
    return { ok: false, problem: { kind: 'invalid', detail: 'server is unsynchronised (leap indicator 3)' } };
  if (p.stratum >= 16)
    return { ok: false, problem: { kind: 'invalid', detail: `stratum ${p.stratum} means unsynchronised` } };
  if (p.transmitTimestamp === 0n || p.receiveTimestamp === 0n) {
    return { ok: false, problem: { kind: 'invalid', detail: 'zero receive or transmit timestamp' } };
  }
  return {
    ok: true,
    reply: {
      packet: p,
      receiveTime: instantFromNtp(p.receiveTimestamp, pivot),
      transmitTime: instantFromNtp(p.transmitTimestamp, pivot),
    },
  };
}
