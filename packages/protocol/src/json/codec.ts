import { JSON_MAX_REQUEST_BYTES } from '../limits.ts';
import type { JsonErrorCode } from './codes.ts';
import {
  type JsonError,
  type JsonReply,
  JsonReplySchema,
  type JsonTimeRequest,
  JsonTimeRequestSchema,
  RequestIdSchema,
} from './schema.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** The outcome of reading a JSON request: the request, or the error envelope to send back. */
export type JsonRequestDecodeResult =
  | { readonly ok: true; readonly request: JsonTimeRequest }
  | { readonly ok: false; readonly error: JsonError }
  | { readonly ok: false; readonly error?: undefined; readonly notARequest: true };

/**
 * Reads a JSON request datagram. Never throws.
 *
 * A datagram whose `type` is `time.response` or `error` is another server's reply, not a request: it is
 * reported as `notARequest` so that a server does not answer it (answering replies lets two servers
 * bounce errors at each other forever).
 */
export function decodeJsonRequest(bytes: Uint8Array): JsonRequestDecodeResult {
  if (bytes.length > JSON_MAX_REQUEST_BYTES) {
    return fail(
      'REQUEST_TOO_LARGE',
      `request is ${bytes.length} bytes; the limit is ${JSON_MAX_REQUEST_BYTES}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return fail('MALFORMED_JSON', 'not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('MALFORMED_JSON', 'not a JSON object');
  }
  const record = value as Record<string, unknown>;
  const idResult = RequestIdSchema.safeParse(record.id);
  const id = idResult.success ? idResult.data : undefined;
  if (record.type === 'time.response' || record.type === 'error') return { ok: false, notARequest: true };
  if (record.v !== 1) {
    return fail(
      'UNSUPPORTED_VERSION',
      `unsupported version ${describe(record.v)}; this server speaks v 1`,
      id,
    );
  }
  if (record.type !== 'time.request') {
    return fail('UNKNOWN_TYPE', `unknown type ${describe(record.type)}; expected "time.request"`, id);
  }
  const parsed = JsonTimeRequestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'request';
    return fail('INVALID_FIELD', `${field}: ${issue?.message ?? 'invalid'}`.slice(0, 200), id);
  }
  return { ok: true, request: parsed.data };
}

function describe(v: unknown): string {
  if (v === undefined) return '(missing)';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function fail(code: JsonErrorCode, message: string, id?: string): JsonRequestDecodeResult {
  return { ok: false, error: makeJsonError(code, message, id) };
}

/** Builds an error envelope; `id` is included when known. */
export function makeJsonError(code: JsonErrorCode, message: string, id?: string): JsonError {
  return id === undefined
    ? { v: 1, type: 'error', code, message }
    : { v: 1, type: 'error', id, code, message };
}

/**
 * Serialises a JSON envelope (request, response or error) to UTF-8 bytes. Keys are written in a fixed
 * order (`v`, `type`, `id`, then the rest as in the documented shape) so equal envelopes give equal bytes.
 */
export function encodeJson(envelope: JsonTimeRequest | JsonReply): Uint8Array {
  return encoder.encode(JSON.stringify(ordered(envelope)));
}

const KEY_ORDER = ['v', 'type', 'id', 't1', 't2', 't3', 'time', 'format', 'code', 'message'] as const;

function ordered(envelope: JsonTimeRequest | JsonReply): Record<string, unknown> {
  const source = envelope as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of KEY_ORDER) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

/** The outcome of reading a JSON reply on the client side. */
export type JsonReplyDecodeResult =
  | { readonly ok: true; readonly reply: JsonReply }
  | { readonly ok: false; readonly reason: string };

/** Reads a JSON reply (a `time.response` or an `error`) with full validation. Never throws. */
export function decodeJsonReply(bytes: Uint8Array): JsonReplyDecodeResult {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  const parsed = JsonReplySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${issue?.path.join('.') || 'reply'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, reply: parsed.data };
}
