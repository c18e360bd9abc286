import { createEchoCodec } from './echo.ts';
import { createJsonCodec } from './json.ts';
import { createNtpCodec } from './ntp.ts';
import { createTextCodec } from './text.ts';
import type { CodecSettings, ProtocolName, ReplyCodec } from './types.ts';

export * from './types.ts';

/** Creates one client's codec for a protocol. */
export function createCodec(protocol: ProtocolName, settings: CodecSettings): ReplyCodec {
  switch (protocol) {
    case 'ntp':
      return createNtpCodec(settings);
    case 'json':
      return createJsonCodec(settings);
    case 'text':
      return createTextCodec(settings);
    case 'echo':
      return createEchoCodec(settings);
  }
}
