import { instantToDate, parseTimeLine, TEXT_REQUEST_PADDED_BYTES, type TextFormat } from '@tock/protocol';
import type { TextQueryResult } from '../result.ts';
import { type ProtocolExchange, preview, type Verdict } from './exchange.ts';

/** What the lab client sends; any daytime server answers it, and tockd reads it as "default format". */
export const TEXT_REQUEST = 'Time request';

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Options of the text protocol. */
export interface TextExchangeOptions {
  /** Send this format keyword instead of `Time request` (tockd answers in it; other servers ignore it). */
  readonly format?: TextFormat | undefined;
  /** The zone a `ctime` line (or an ISO line without offset) is read in: the server's zone. */
  readonly timeZone: string;
}

/**
 * Plain text (RFC 867 daytime over UDP, the lab servers, tockd): send `Time request` (or a format keyword),
 * padded with trailing spaces to the protocol's `TEXT_REQUEST_PADDED_BYTES` so that a server which never
 * answers with more than it received (`tockd --strict-size`) still answers; take the first line from the
 * server that parses as a time.
 *
 * A text reply carries nothing that ties it to the request, so matching is by sender only (the query
 * checks it); anything from the server that is not a time line is ignored.
 */
export function textExchange(options: TextExchangeOptions): ProtocolExchange<undefined, TextQueryResult> {
  const request = encoder.encode((options.format ?? TEXT_REQUEST).padEnd(TEXT_REQUEST_PADDED_BYTES, ' '));
  return {
    newRequest: () => ({ bytes: request, token: undefined }),
    readReply: (bytes): Verdict<TextQueryResult> => {
      let text: string;
      try {
        text = strictUtf8.decode(bytes);
      } catch {
        return { kind: 'ignore', reason: 'malformed', detail: `not text: ${preview(bytes)}` };
      }
      const parsed = parseTimeLine(text, options.timeZone);
      if (parsed === undefined) {
        return { kind: 'ignore', reason: 'malformed', detail: `not a time line: ${preview(bytes)}` };
      }
      return {
        kind: 'accept',
        result: {
          protocol: 'text',
          time: instantToDate(parsed.instant),
          offsetMs: null,
          delayMs: null,
          resolutionMs: parsed.resolutionMs,
          format: parsed.format,
          raw: text,
        },
      };
    },
  };
}
