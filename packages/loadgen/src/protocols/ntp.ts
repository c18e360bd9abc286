import { buildNtpRequest, NTP_PACKET_BYTES, readNtpReply } from '@tock/protocol';
import {
  type CodecSettings,
  type InvalidReason,
  KEY_MALFORMED,
  KEY_UNMATCHED,
  type ReplyCodec,
  withinWindow,
} from './types.ts';

/** The big-endian unsigned 32-bit number at `offset` of `bytes`. */
function uint32At(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>>
    0
  );
}

/**
 * NTP (SNTPv4 client mode): the request's transmit timestamp, which the reply must echo as its origin, is
 * the client's salt in the upper 32 bits and the request number in the lower 32: unique per request and
 * unguessable across runs. Replies are checked with the protocol package's `readNtpReply`, and both server
 * timestamps (receive T2 and transmit T3) must fall in the request's window.
 */
export function createNtpCodec(settings: CodecSettings): ReplyCodec {
  const salt = settings.salt >>> 0;
  const high = BigInt(salt) << 32n;
  const tolerance = settings.toleranceMs;
  // Every request is this one with the request number in the low 32 bits of the transmit timestamp (bytes
  // 44 to 47): the protocol package builds it once, the hot path copies it and writes four bytes.
  const template = buildNtpRequest(high);
  return {
    keyed: true,
    request(seq) {
      const bytes = template.slice();
      bytes[44] = seq >>> 24;
      bytes[45] = (seq >>> 16) & 0xff;
      bytes[46] = (seq >>> 8) & 0xff;
      bytes[47] = seq & 0xff;
      return bytes;
    },
    key(reply) {
      if (reply.length < NTP_PACKET_BYTES) return KEY_MALFORMED;
      // The origin timestamp (bytes 24 to 31) echoes our transmit timestamp: the salt, then the number.
      if (uint32At(reply, 24) !== salt) return KEY_UNMATCHED;
      return uint32At(reply, 28);
    },
    check(reply, seq, sendWallMs, receiveWallMs): InvalidReason | undefined {
      const pivot = BigInt(Math.floor(sendWallMs)) * 1_000_000n;
      const read = readNtpReply(reply, high | BigInt(seq >>> 0), pivot);
      if (!read.ok) {
        switch (read.problem.kind) {
          case 'kiss-of-death':
            return 'kiss-of-death';
          case 'invalid':
            return 'unsynchronised';
          default:
            return 'malformed';
        }
      }
      const t2 = Number(read.reply.receiveTime) / 1e6;
      const t3 = Number(read.reply.transmitTime) / 1e6;
      if (
        !withinWindow(t2, 0, sendWallMs, receiveWallMs, tolerance) ||
        !withinWindow(t3, 0, sendWallMs, receiveWallMs, tolerance)
      ) {
        return 'wrong-time';
      }
      return undefined;
    },
  };
}
