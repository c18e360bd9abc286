import { randomBytes } from 'node:crypto';
import {
  buildNtpRequest,
  decodeNtpPacket,
  instantToDate,
  NTP_PACKET_BYTES,
  NtpMode,
  type NtpTimestamp,
  offsetAndDelay,
  readNtpReply,
} from '@tock/protocol';
import type { NtpQueryResult } from '../result.ts';
import { type ProtocolExchange, preview, textLineHint, type Verdict } from './exchange.ts';

/** 64 random bits, never zero (a zero transmit timestamp is not a valid request). */
export function newNonce(): NtpTimestamp {
  for (;;) {
    const nonce = randomBytes(8).readBigUInt64BE(0);
    if (nonce !== 0n) return nonce;
  }
}

/**
 * NTP (SNTP as in RFC 4330 §5, NTPv4 packets): send a 48-byte mode-3 request whose transmit timestamp is a
 * random 64-bit nonce, as chrony does; accept a mode-4 reply only when its origin timestamp equals the nonce
 * of one of our requests. A Kiss-o'-Death (stratum 0) or an unsynchronised server ends the query at once:
 * retrying would not help, and RFC 5905 asks a kissed client to back off.
 */
export function ntpExchange(): ProtocolExchange<NtpTimestamp, NtpQueryResult> {
  return {
    newRequest: () => {
      const nonce = newNonce();
      return { bytes: buildNtpRequest(nonce), token: nonce };
    },
    readReply: (bytes, t4, sent): Verdict<NtpQueryResult> => {
      const decoded = decodeNtpPacket(bytes);
      if (!decoded.ok) {
        return {
          kind: 'ignore',
          reason: 'malformed',
          detail: `not an NTP packet (shorter than ${NTP_PACKET_BYTES} bytes): ${preview(bytes)}${textLineHint(bytes)}`,
        };
      }
      const packet = decoded.packet;
      if (packet.mode !== NtpMode.Server) {
        return {
          kind: 'ignore',
          reason: 'unmatched',
          detail: `NTP mode ${packet.mode} is not a server reply`,
        };
      }
      const match = sent.find((s) => s.token === packet.originTimestamp);
      if (match === undefined) {
        return { kind: 'ignore', reason: 'unmatched', detail: 'origin timestamp matches no request' };
      }
      // The request's T1 is the era pivot: the server's timestamps are placed within 68 years of it.
      const read = readNtpReply(bytes, match.token, match.t1);
      if (!read.ok) {
        const p = read.problem;
        switch (p.kind) {
          case 'kiss-of-death':
            return {
              kind: 'fail',
              problem: {
                code: 'KISS_OF_DEATH',
                message: `the server sent a Kiss-o'-Death ${p.code}`,
                kissCode: p.code,
              },
            };
          case 'invalid':
            return {
              kind: 'fail',
              problem: { code: 'INVALID_REPLY', message: `unusable NTP reply: ${p.detail}` },
            };
          case 'mismatch':
            return { kind: 'ignore', reason: 'unmatched', detail: p.detail };
        }
      }
      const { receiveTime, transmitTime } = read.reply;
      const { offsetMs, delayMs } = offsetAndDelay({ t1: match.t1, t2: receiveTime, t3: transmitTime, t4 });
      return {
        kind: 'accept',
        result: { protocol: 'ntp', time: instantToDate(transmitTime), offsetMs, delayMs, raw: packet },
      };
    },
  };
}
