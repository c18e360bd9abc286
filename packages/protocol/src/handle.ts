import { z } from 'zod';
import { type Classification, classify, type Protocol } from './classify.ts';
import { TockProtocolError } from './errors.ts';
import { decodeJsonRequest, encodeJson } from './json/codec.ts';
import { MAX_DATAGRAM_BYTES } from './limits.ts';
import {
  answerNtpRequest,
  type NtpIgnoreReason,
  NtpServerOptionsSchema,
  type NtpServerSettings,
  ntpServerSettings,
} from './ntp/server.ts';
import { formatTime, parseFormatKeyword, type TextFormat, TextFormatSchema } from './text/format.ts';
import { looksLikeTimeLine } from './text/parse.ts';
import { isValidTimeZone } from './text/zone.ts';
import { type Instant, instantToMs } from './time/instant.ts';

/**
 * Why a datagram gets no reply. A closed set: servers count drops by these names.
 * - `oversized`: larger than {@link MAX_DATAGRAM_BYTES}; not read.
 * - `unrecognized`: binary that is neither NTP nor text.
 * - `text-looks-like-reply`: a text datagram that is itself a time line (another server's reply).
 * - `json-not-a-request`: a JSON `time.response` or `error` (another server's reply).
 * - the NTP reasons of {@link NtpIgnoreReason}.
 * - `internal-error`: building the reply failed (for instance a clock returning a time no calendar can
 *   show); a bug or a broken clock, never the sender's fault, but still not a reason to crash.
 */
export type IgnoreReason =
  | 'oversized'
  | 'unrecognized'
  | 'text-looks-like-reply'
  | 'json-not-a-request'
  | NtpIgnoreReason
  | 'internal-error';

/** Every {@link IgnoreReason}, for building counters. */
export const IGNORE_REASONS: readonly IgnoreReason[] = [
  'oversized',
  'unrecognized',
  'text-looks-like-reply',
  'json-not-a-request',
  'ntp-truncated',
  'ntp-bad-version',
  'ntp-control-message',
  'ntp-private-message',
  'ntp-not-client-request',
  'ntp-zero-transmit',
  'internal-error',
];

/** What to do with one datagram: send `bytes` back to its sender, or ignore it for a `reason`. */
export type HandleResult =
  | {
      readonly action: 'reply';
      readonly protocol: Protocol;
      /** The reply. May be shared with other results (a text line is encoded once per second): do not modify it. */
      readonly bytes: Uint8Array;
      /** T3, the transmit time written into the reply. */
      readonly transmitTime: Instant;
      /** For JSON: whether the reply is an error envelope. */
      readonly error?: boolean;
    }
  | { readonly action: 'ignore'; readonly protocol: Classification; readonly reason: IgnoreReason };

/** A clock: returns the current instant. Passed in by the caller; the protocol package never reads one. */
export type Clock = () => Instant;

/** zod schema of the options for {@link createHandlerContext}. */
export const HandlerOptionsSchema: z.ZodObject<{
  textFormat: z.ZodDefault<typeof TextFormatSchema>;
  timeZone: z.ZodDefault<z.ZodString>;
  ntp: z.ZodPrefault<typeof NtpServerOptionsSchema>;
}> = z.object({
  textFormat: TextFormatSchema.default('ctime'),
  timeZone: z
    .string()
    .refine(isValidTimeZone, 'must be an IANA time zone such as UTC or Europe/Paris')
    .default('UTC'),
  ntp: NtpServerOptionsSchema.prefault({}),
});

/**
 * Options of a handler:
 * - `textFormat`: the format of plain-text replies and of the JSON `time` field (default `ctime`).
 * - `timeZone`: IANA zone for `ctime` and `iso` (default `UTC`; a server usually passes its own zone).
 * - `ntp`: what NTP replies announce, see {@link NtpServerOptions}.
 */
export type HandlerOptions = z.input<typeof HandlerOptionsSchema>;

/** Everything {@link handle} needs besides the datagram: settings and a clock. Build it with {@link createHandlerContext}. */
export interface HandlerContext {
  /** Read once per reply, as late as possible, for the transmit time T3. */
  readonly clock: Clock;
  readonly textFormat: TextFormat;
  readonly timeZone: string;
  readonly ntp: NtpServerSettings;
}

/**
 * Validates handler options and binds them to a clock.
 * @throws TockProtocolError `BAD_CONTEXT` naming the first bad option (`timeZone: must be an IANA time
 *   zone …`), with the validation error as `cause`.
 */
export function createHandlerContext(clock: Clock, options: HandlerOptions = {}): HandlerContext {
  const parsed = HandlerOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'options';
    throw new TockProtocolError('BAD_CONTEXT', `${where}: ${issue?.message ?? 'invalid'}`, {
      cause: parsed.error,
    });
  }
  const o = parsed.data;
  return { clock, textFormat: o.textFormat, timeZone: o.timeZone, ntp: ntpServerSettings(o.ntp) };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Answers one datagram: classifies it ({@link classify}), validates it, and returns the reply bytes or a
 * typed reason to ignore it. Pure apart from one call to `context.clock` per reply; never throws, whatever
 * the bytes.
 *
 * @param datagram - the bytes as received.
 * @param receiveTime - T2, taken by the caller as soon as the datagram arrived.
 * @param context - settings and clock, from {@link createHandlerContext}.
 */
export function handle(datagram: Uint8Array, receiveTime: Instant, context: HandlerContext): HandleResult {
  if (datagram.length > MAX_DATAGRAM_BYTES)
    return { action: 'ignore', protocol: 'unknown', reason: 'oversized' };
  const protocol = classify(datagram);
  try {
    switch (protocol) {
      case 'ntp':
        return handleNtp(datagram, receiveTime, context);
      case 'json':
        return handleJson(datagram, receiveTime, context);
      case 'text':
        return handleText(datagram, context);
      case 'unknown':
        return { action: 'ignore', protocol, reason: 'unrecognized' };
    }
  } catch {
    return { action: 'ignore', protocol, reason: 'internal-error' };
  }
}

function handleNtp(datagram: Uint8Array, receiveTime: Instant, context: HandlerContext): HandleResult {
  const answer = answerNtpRequest(datagram, receiveTime, context.ntp, context.clock);
  if (!answer.ok) return { action: 'ignore', protocol: 'ntp', reason: answer.reason };
  return { action: 'reply', protocol: 'ntp', bytes: answer.bytes, transmitTime: answer.transmitTime };
}

function handleJson(datagram: Uint8Array, receiveTime: Instant, context: HandlerContext): HandleResult {
  const decoded = decodeJsonRequest(datagram);
  if (!decoded.ok) {
    if (decoded.error === undefined)
      return { action: 'ignore', protocol: 'json', reason: 'json-not-a-request' };
    return {
      action: 'reply',
      protocol: 'json',
      bytes: encodeJson(decoded.error),
      transmitTime: context.clock(),
      error: true,
    };
  }
  const { id, t1, format } = decoded.request;
  const transmitTime = context.clock();
  const bytes = encodeJson({
    v: 1,
    type: 'time.response',
    id,
    t1,
    t2: instantToMs(receiveTime),
    t3: instantToMs(transmitTime),
    time: formatTime(transmitTime, format ?? context.textFormat, context.timeZone),
  });
  return { action: 'reply', protocol: 'json', bytes, transmitTime };
}

function handleText(datagram: Uint8Array, context: HandlerContext): HandleResult {
  let format = context.textFormat;
  if (datagram.length > 0 && datagram.length <= 64) {
    const text = decoder.decode(datagram);
    if (looksLikeTimeLine(text))
      return { action: 'ignore', protocol: 'text', reason: 'text-looks-like-reply' };
    format = parseFormatKeyword(text) ?? format;
  }
  const transmitTime = context.clock();
  const line = formatTime(transmitTime, format, context.timeZone);
  if (line !== lastText.line) {
    lastText.line = line;
    lastText.bytes = encoder.encode(`${line}\r\n`);
  }
  return { action: 'reply', protocol: 'text', bytes: lastText.bytes, transmitTime };
}

/** The last text reply encoded: within one second, `ctime` and `unix` replies are the same bytes. */
const lastText = { line: '', bytes: new Uint8Array(0) };
