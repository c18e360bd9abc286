import { buildNtpRequest, NTP_PACKET_BYTES, readNtpReply } from '@tock/protocol';
import {
  type CodecSettings,
  type InvalidReason,
  KEY_MALFORMED,
  KEY_UNMATCHED,
  type ReplyCodec,
  withinWindow,
} from './types.ts';

/**
 * NTP (SNTPv4 client mode): the request's transmit timestamp, which the reply must echo as its origin, is
 * the client's salt in the upper 32 bits and the request number in the lower 32: unique per request and
 * unguessable across runs. Replies are checked with the protocol package's `readNtpReply`, and both server
 * timestamps (receive T2 and transmit T3) must fall in the request's window.
 */
export function createNtpCodec(settings: CodecSettings): ReplyCodec {
  const high = BigInt(settings.salt >>> 0) << 32n;
  const tolerance = settings.toleranceMs;
  return {
    keyed: true,
    request(seq) {
      return buildNtpRequest(high | BigInt(seq >>> 0));
    },
    key(reply) {
      if (reply.length < NTP_PACKET_BYTES) return KEY_MALFORMED;
      const view = new DataView(reply.buffer, reply.byteOffset, NTP_PACKET_BYTES);
      if (view.getUint32(24) !== settings.salt >>> 0) return KEY_UNMATCHED;
      return view.getUint32(28);
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
