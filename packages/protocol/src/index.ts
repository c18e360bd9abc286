/**
 * `@tock/protocol`: tock's wire formats, with no sockets and no clock reads. Callers pass the bytes they
 * received and the time they received them; they get back the bytes to send, or a typed reason not to.
 *
 * - {@link handle} answers any datagram (plain text, JSON envelope, NTP) on a server.
 * - {@link classify} tells the three apart.
 * - Codecs for each format, for clients and load generators: {@link parseTimeLine},
 *   {@link decodeJsonReply}, {@link buildNtpRequest} / {@link readNtpReply}, and the time math of
 *   {@link offsetAndDelay} and the NTP timestamp conversions.
 * - What tock's programs share: one target syntax ({@link parseHostPort}, {@link formatHostPort},
 *   {@link DEFAULT_PORT}), binary IP addresses ({@link parseAddress}), and one clock anchoring
 *   ({@link createAnchoredClock}, over time sources the caller passes in).
 *
 * @packageDocumentation
 */
export { type Classification, classify, PROTOCOLS, type Protocol } from './classify.ts';
export { PROTOCOL_ERROR_CODES, type ProtocolErrorCode, TockProtocolError } from './errors.ts';
export {
  type Clock,
  createHandlerContext,
  type HandleResult,
  type HandlerContext,
  type HandlerOptions,
  HandlerOptionsSchema,
  handle,
  IGNORE_REASONS,
  type IgnoreReason,
} from './handle.ts';
export {
  decodeJsonReply,
  decodeJsonRequest,
  encodeJson,
  type JsonReplyDecodeResult,
  type JsonRequestDecodeResult,
  makeJsonError,
} from './json/codec.ts';
export { JSON_ERROR_CODE_LIST, JSON_ERROR_CODES, type JsonErrorCode } from './json/codes.ts';
export {
  JSON_ENVELOPE_VERSION,
  type JsonError,
  JsonErrorSchema,
  type JsonReply,
  JsonReplySchema,
  type JsonTimeRequest,
  JsonTimeRequestSchema,
  type JsonTimeResponse,
  JsonTimeResponseSchema,
  RequestIdSchema,
} from './json/schema.ts';
export {
  JSON_MAX_ID_LENGTH,
  JSON_MAX_REQUEST_BYTES,
  JSON_REQUEST_PADDED_BYTES,
  MAX_DATAGRAM_BYTES,
  NTP_PACKET_BYTES,
  TEXT_REQUEST_PADDED_BYTES,
} from './limits.ts';
export {
  type Cidr,
  createRangeMatcher,
  IPV4,
  IPV6,
  parseAddress,
  parseCidr,
  type RangeMatcher,
} from './net/address.ts';
export {
  buildNtpRequest,
  type NtpReply,
  type NtpReplyProblem,
  type NtpReplyResult,
  readNtpReply,
} from './ntp/client.ts';
export {
  decodeNtpPacket,
  encodeNtpPacket,
  type LeapIndicator,
  type NtpDecodeResult,
  NtpMode,
  type NtpModeValue,
  type NtpPacket,
  parseReferenceId,
  referenceIdToString,
} from './ntp/packet.ts';
export {
  buildKissOfDeath,
  buildNtpReplyHeader,
  type KissCode,
  type NtpIgnoreReason,
  type NtpRequestResult,
  type NtpServerOptions,
  NtpServerOptionsSchema,
  type NtpServerSettings,
  ntpServerSettings,
  readNtpRequest,
  setNtpTransmitTimestamp,
} from './ntp/server.ts';
export {
  instantFromNtp,
  NTP_UNIX_OFFSET_SECONDS,
  type NtpTimestamp,
  ntpFromInstant,
  ntpShortFromSeconds,
  secondsFromNtpShort,
} from './ntp/timestamp.ts';
export {
  DEFAULT_PORT,
  formatHostPort,
  type HostPort,
  type HostPortProblem,
  type HostPortResult,
  hostProblem,
  isIpv6Literal,
  parseHostPort,
} from './target.ts';
export {
  formatTime,
  parseFormatKeyword,
  TEXT_FORMATS,
  type TextFormat,
  TextFormatSchema,
} from './text/format.ts';
export { looksLikeTimeLine, type ParsedTimeLine, parseTimeLine } from './text/parse.ts';
export { isValidTimeZone, localTimeZone } from './text/zone.ts';
export {
  type Anchor,
  type AnchoredClock,
  type AnchoredClockOptions,
  anchorAgrees,
  anchorIsPoorAndOld,
  CLOCK_ANCHORING,
  createAnchoredClock,
  readAnchored,
  type TimeSources,
  takeAnchor,
} from './time/anchor.ts';
export {
  type Instant,
  instantFromMs,
  instantToDate,
  instantToMs,
  NS_PER_MS,
  NS_PER_SECOND,
} from './time/instant.ts';
export { type ExchangeTimestamps, type OffsetAndDelay, offsetAndDelay } from './time/offset.ts';
