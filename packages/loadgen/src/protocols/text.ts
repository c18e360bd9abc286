import { parseTimeLine } from '@tock/protocol';
import { type CodecSettings, type InvalidReason, NO_KEY, type ReplyCodec, withinWindow } from './types.ts';

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Plain text (RFC 867 daytime, the lab's protocol): any datagram gets one time line. The reply names no
 * request, so it is matched to the client's oldest outstanding one. The line must parse with the protocol
 * package's `parseTimeLine` (`ctime`, ISO, Unix seconds or milliseconds), read in the server's time zone, and
 * the interval it names (a whole second for `ctime`) must overlap the window.
 */
export function createTextCodec(settings: CodecSettings): ReplyCodec {
  const bytes = new TextEncoder().encode(settings.textRequest);
  return {
    keyed: false,
    request() {
      return bytes;
    },
    key() {
      return NO_KEY;
    },
    check(reply, _seq, sendWallMs, receiveWallMs): InvalidReason | undefined {
      if (reply.length > 128) return 'malformed';
      const parsed = parseTimeLine(decoder.decode(reply), settings.timeZone);
      if (parsed === undefined) return 'malformed';
      return withinWindow(
        Number(parsed.instant) / 1e6,
        parsed.resolutionMs,
        sendWallMs,
        receiveWallMs,
        settings.toleranceMs,
      )
        ? undefined
        : 'wrong-time';
    },
  };
}
