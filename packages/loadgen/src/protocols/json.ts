import { decodeJsonReply, encodeJson, type JsonReply, parseTimeLine } from '@tock/protocol';
import {
  type CodecSettings,
  type InvalidReason,
  KEY_ERROR_REPLY,
  KEY_MALFORMED,
  KEY_UNMATCHED,
  type ReplyCodec,
  withinWindow,
} from './types.ts';

/** `t1` as sent: the send time rounded to the microsecond, as a JSON number survives the round trip. */
function t1Of(sendWallMs: number): number {
  return Math.round(sendWallMs * 1000) / 1000;
}

/**
 * tock's JSON envelope: the id is the client's salt in hex, a dash and the request number in base 36;
 * `t1` is the send time and `format` is `iso`, so the reply's `time` carries its own offset and needs no
 * time zone. A reply must pass the protocol package's zod schema, echo the id and `t1`, and carry `t2`,
 * `t3` and `time` inside the window.
 */
export function createJsonCodec(settings: CodecSettings): ReplyCodec {
  const prefix = `${(settings.salt >>> 0).toString(16)}-`;
  const tolerance = settings.toleranceMs;
  // key() parses the reply; check() of the same bytes right after reuses the parse. key() always parses
  // afresh: with batched I/O the same view of a receive slot carries one datagram after another.
  let lastBytes: Uint8Array | undefined;
  let lastReply: JsonReply | undefined;
  const parse = (bytes: Uint8Array, fresh: boolean): JsonReply | undefined => {
    if (fresh || bytes !== lastBytes) {
      const decoded = decodeJsonReply(bytes);
      lastBytes = bytes;
      lastReply = decoded.ok ? decoded.reply : undefined;
    }
    return lastReply;
  };
  return {
    keyed: true,
    request(seq, sendWallMs) {
      return encodeJson({
        v: 1,
        type: 'time.request',
        id: prefix + seq.toString(36),
        t1: t1Of(sendWallMs),
        format: 'iso',
      });
    },
    key(reply) {
      const parsed = parse(reply, true);
      if (parsed === undefined) return KEY_MALFORMED;
      const id = parsed.id;
      if (id === undefined) return parsed.type === 'error' ? KEY_ERROR_REPLY : KEY_MALFORMED;
      if (!id.startsWith(prefix)) return KEY_UNMATCHED;
      const rest = id.slice(prefix.length);
      if (!/^[0-9a-z]{1,13}$/.test(rest)) return KEY_UNMATCHED;
      return Number.parseInt(rest, 36);
    },
    check(reply, _seq, sendWallMs, receiveWallMs): InvalidReason | undefined {
      const parsed = parse(reply, false);
      if (parsed === undefined) return 'malformed';
      if (parsed.type === 'error') return 'error-reply';
      if (parsed.t1 !== t1Of(sendWallMs)) return 'bad-echo';
      if (
        !withinWindow(parsed.t2, 0, sendWallMs, receiveWallMs, tolerance) ||
        !withinWindow(parsed.t3, 0, sendWallMs, receiveWallMs, tolerance)
      ) {
        return 'wrong-time';
      }
      const time = parseTimeLine(parsed.time, settings.timeZone);
      if (time === undefined) return 'malformed';
      if (
        !withinWindow(Number(time.instant) / 1e6, time.resolutionMs, sendWallMs, receiveWallMs, tolerance)
      ) {
        return 'wrong-time';
      }
      return undefined;
    },
  };
}
