import {
  type CodecSettings,
  type InvalidReason,
  KEY_MALFORMED,
  KEY_UNMATCHED,
  type ReplyCodec,
} from './types.ts';

/** The size of an echo request: the size of an NTP request, so the echo baseline moves the same bytes. */
export const ECHO_BYTES = 48;
const MAGIC = new TextEncoder().encode('TOCKECHO');

/**
 * Calibration against a plain UDP echo server: the request is `TOCKECHO`, the client's salt and the request
 * number, padded with zeros to 48 bytes; a valid reply is the same bytes. There is no time to check.
 */
export function createEchoCodec(settings: CodecSettings): ReplyCodec {
  const salt = settings.salt >>> 0;
  return {
    keyed: true,
    request(seq) {
      const bytes = new Uint8Array(ECHO_BYTES);
      bytes.set(MAGIC, 0);
      const view = new DataView(bytes.buffer);
      view.setUint32(8, salt);
      view.setUint32(12, seq >>> 0);
      return bytes;
    },
    key(reply) {
      if (reply.length !== ECHO_BYTES) return KEY_MALFORMED;
      for (let i = 0; i < MAGIC.length; i++) if (reply[i] !== MAGIC[i]) return KEY_MALFORMED;
      const view = new DataView(reply.buffer, reply.byteOffset, ECHO_BYTES);
      if (view.getUint32(8) !== salt) return KEY_UNMATCHED;
      return view.getUint32(12);
    },
    check(reply): InvalidReason | undefined {
      for (let i = 16; i < ECHO_BYTES; i++) if (reply[i] !== 0) return 'bad-echo';
      return undefined;
    },
  };
}
