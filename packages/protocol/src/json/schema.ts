import { z } from 'zod';
import { JSON_MAX_ID_LENGTH } from '../limits.ts';
import { TextFormatSchema } from '../text/format.ts';

/** The only JSON envelope version this package speaks. */
export const JSON_ENVELOPE_VERSION = 1;

/** A request id: 1 to {@link JSON_MAX_ID_LENGTH} visible ASCII characters chosen by the client. */
export const RequestIdSchema: z.ZodString = z
  .string()
  .min(1)
  .max(JSON_MAX_ID_LENGTH)
  .regex(/^[\x21-\x7e]+$/, 'must be visible ASCII characters without spaces');

/** Milliseconds since the Unix epoch, fractions allowed. */
const EpochMsSchema: z.ZodNumber = z.number().finite().nonnegative();

/** zod schema of a JSON time request (see {@link JsonTimeRequest}). Unknown fields are ignored. */
export const JsonTimeRequestSchema: z.ZodObject<{
  v: z.ZodLiteral<1>;
  type: z.ZodLiteral<'time.request'>;
  id: z.ZodString;
  t1: z.ZodOptional<z.ZodNumber>;
  format: z.ZodOptional<typeof TextFormatSchema>;
}> = z.object({
  v: z.literal(1),
  type: z.literal('time.request'),
  id: RequestIdSchema,
  t1: EpochMsSchema.optional(),
  format: TextFormatSchema.optional(),
});

/**
 * A JSON time request: `{"v":1,"type":"time.request","id":"…","t1":…}`.
 * - `id`: the client's nonce, echoed in the reply so it can match it.
 * - `t1`: optional, the client's send time in milliseconds since the epoch, echoed back.
 * - `format`: optional, the text format of the reply's `time` field (default: the server's).
 */
export type JsonTimeRequest = z.infer<typeof JsonTimeRequestSchema>;

/** zod schema of a JSON time response (see {@link JsonTimeResponse}). */
export const JsonTimeResponseSchema: z.ZodObject<{
  v: z.ZodLiteral<1>;
  type: z.ZodLiteral<'time.response'>;
  id: z.ZodString;
  t1: z.ZodOptional<z.ZodNumber>;
  t2: z.ZodNumber;
  t3: z.ZodNumber;
  time: z.ZodString;
}> = z.object({
  v: z.literal(1),
  type: z.literal('time.response'),
  id: RequestIdSchema,
  t1: EpochMsSchema.optional(),
  t2: EpochMsSchema,
  t3: EpochMsSchema,
  time: z.string().max(64),
});

/**
 * A JSON time response: `{"v":1,"type":"time.response","id":…,"t1":…,"t2":…,"t3":…,"time":"…"}`.
 * - `t1`: the request's `t1`, echoed (absent when the request had none).
 * - `t2`: when the server received the request, ms since the epoch with sub-millisecond fraction.
 * - `t3`: when the server sent the reply, same units.
 * - `time`: the server's time as text in the requested (or default) format.
 */
export type JsonTimeResponse = z.infer<typeof JsonTimeResponseSchema>;

/** zod schema of a JSON error envelope (see {@link JsonError}). */
export const JsonErrorSchema: z.ZodObject<{
  v: z.ZodLiteral<1>;
  type: z.ZodLiteral<'error'>;
  id: z.ZodOptional<z.ZodString>;
  code: z.ZodString;
  message: z.ZodString;
}> = z.object({
  v: z.literal(1),
  type: z.literal('error'),
  id: RequestIdSchema.optional(),
  // Any code of this form is accepted, so that clients keep working when a newer server adds codes.
  code: z
    .string()
    .max(64)
    .regex(/^[A-Z][A-Z0-9_]*$/, 'must be an upper-case code such as INVALID_FIELD'),
  message: z.string().max(200),
});

/**
 * A JSON error envelope: `{"v":1,"type":"error","id":…,"code":"…","message":"…"}`. `id` is present when the
 * request carried a usable one. This version of tock sends the codes of `JSON_ERROR_CODES`; readers
 * accept any upper-case code, since later servers may add codes.
 */
export type JsonError = z.infer<typeof JsonErrorSchema>;

/** zod schema of anything a tock server sends back in JSON. */
export const JsonReplySchema: z.ZodDiscriminatedUnion<
  [typeof JsonTimeResponseSchema, typeof JsonErrorSchema],
  'type'
> = z.discriminatedUnion('type', [JsonTimeResponseSchema, JsonErrorSchema]);

/** Anything a tock server sends back in JSON: a response or an error. */
export type JsonReply = JsonTimeResponse | JsonError;
