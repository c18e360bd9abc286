import { randomBytes } from 'node:crypto';
import {
  decodeJsonReply,
  encodeJson,
  instantFromMs,
  instantToDate,
  JSON_REQUEST_PADDED_BYTES,
  offsetAndDelay,
  type TextFormat,
} from '@tock/protocol';
import type { JsonQueryResult } from '../result.ts';
import { type ProtocolExchange, preview, textLineHint, type Verdict } from './exchange.ts';

/** `bytes` followed by spaces up to `size` bytes (or `bytes` itself when it is already that long). */
function padded(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length >= size) return bytes;
  const out = new Uint8Array(size).fill(0x20);
  out.set(bytes);
  return out;
}

/** Options of the JSON protocol. */
export interface JsonExchangeOptions {
  /** Ask for this format in the reply's `time` field (default: the server's). */
  readonly format?: TextFormat | undefined;
}

/** A fresh request id: 96 random bits as 16 base64url characters (visible ASCII, as the schema requires). */
export function newRequestId(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * tock's JSON envelope: send `{"v":1,"type":"time.request","id":…}` with a random `id`, padded with
 * trailing spaces (JSON white space) to the protocol's `JSON_REQUEST_PADDED_BYTES` so that a server which
 * never answers with more than it received (`tockd --strict-size`) still answers; accept a
 * `time.response` only when it echoes one of our ids. `t1` is not sent: the client keeps its own T1, and the
 * request reveals nothing of its clock.
 *
 * An `error` envelope with one of our ids fails the query at once (`SERVER_ERROR`); one without an id cannot be
 * matched and is ignored, but reported if nothing better arrives.
 */
export function jsonExchange(options: JsonExchangeOptions = {}): ProtocolExchange<string, JsonQueryResult> {
  return {
    newRequest: () => {
      const id = newRequestId();
      const envelope =
        options.format === undefined
          ? ({ v: 1, type: 'time.request', id } as const)
          : ({ v: 1, type: 'time.request', id, format: options.format } as const);
      return { bytes: padded(encodeJson(envelope), JSON_REQUEST_PADDED_BYTES), token: id };
    },
    readReply: (bytes, t4, sent): Verdict<JsonQueryResult> => {
      const decoded = decodeJsonReply(bytes);
      if (!decoded.ok) {
        return {
          kind: 'ignore',
          reason: 'malformed',
          detail: `not a tock JSON reply (${decoded.reason}): ${preview(bytes)}${textLineHint(bytes)}`,
        };
      }
      const reply = decoded.reply;
      const match = reply.id === undefined ? undefined : sent.find((s) => s.token === reply.id);
      if (reply.type === 'error') {
        const problem = {
          code: 'SERVER_ERROR',
          message: `the server answered with error ${reply.code}: ${reply.message}`,
          serverCode: reply.code,
        } as const;
        if (match !== undefined) return { kind: 'fail', problem };
        if (reply.id === undefined) {
          return {
            kind: 'ignore',
            reason: 'unmatched',
            detail: `error envelope without id (${reply.code})`,
            problem,
          };
        }
        return {
          kind: 'ignore',
          reason: 'unmatched',
          detail: `error envelope for another request (id ${reply.id})`,
        };
      }
      if (match === undefined) {
        return {
          kind: 'ignore',
          reason: 'unmatched',
          detail: `response id ${JSON.stringify(reply.id)} matches no request`,
        };
      }
      const t3 = instantFromMs(reply.t3);
      const { offsetMs, delayMs } = offsetAndDelay({ t1: match.t1, t2: instantFromMs(reply.t2), t3, t4 });
      return {
        kind: 'accept',
        result: { protocol: 'json', time: instantToDate(t3), offsetMs, delayMs, raw: reply },
      };
    },
  };
}
