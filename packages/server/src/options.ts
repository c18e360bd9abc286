import { isIP } from 'node:net';
import {
  DEFAULT_PORT,
  HandlerOptionsSchema,
  localTimeZone,
  NtpServerOptionsSchema,
  parseCidr,
  type TextFormatSchema,
} from '@tock/protocol';
import { z } from 'zod';
import { parseDuration } from './clock/duration.ts';

/** The time zone this machine is set to, as `Intl` reports it (`UTC` when it reports nothing usable). */
export const machineTimeZone: () => string = localTimeZone;

/** The port tockd listens on unless told otherwise: the protocol's `DEFAULT_PORT`, 5005. */
export { DEFAULT_PORT };
/** The address tockd listens on unless told otherwise: loopback only. */
export const DEFAULT_HOST = '127.0.0.1';
/** The sources never rate-limited unless told otherwise: loopback. */
export const DEFAULT_RATE_LIMIT_EXEMPT: readonly string[] = ['127.0.0.0/8', '::1/128'];

/** How tockd moves datagrams: `batched` (the native recvmmsg/sendmmsg addon, Linux) or `node:dgram`. */
export const IO_MODES = ['batched', 'dgram'] as const;
/** One of {@link IO_MODES}. */
export type IoMode = (typeof IO_MODES)[number];

/** How much `tockd` logs: each level includes the ones before it. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

const IP_MESSAGE = 'must be an IP address such as 127.0.0.1, ::1, 0.0.0.0 or ::';
const ipAddress = (fallback: string): z.ZodDefault<z.ZodString> =>
  z
    .string()
    .refine((host) => isIP(host) !== 0, IP_MESSAGE)
    .default(fallback);

/** zod schema of the `rateLimit` options (see {@link ServerOptions}). */
export const RateLimitOptionsSchema: z.ZodObject<
  {
    rate: z.ZodDefault<z.ZodNumber>;
    burst: z.ZodDefault<z.ZodNumber>;
    table: z.ZodDefault<z.ZodNumber>;
    exempt: z.ZodDefault<z.ZodArray<z.ZodString>>;
  },
  z.core.$strict
> = z
  .object({
    rate: z.number().min(0).max(1_000_000).default(16),
    burst: z.number().int().min(1).max(1_000_000).default(32),
    table: z.number().int().min(1).max(16_777_216).default(65_536),
    exempt: z
      .array(
        z
          .string()
          .refine(
            (text) => parseCidr(text) !== undefined,
            'must be an IPv4 or IPv6 address or CIDR range such as 10.0.0.0/8',
          ),
      )
      .max(256)
      .default([...DEFAULT_RATE_LIMIT_EXEMPT]),
  })
  .strict();

/** zod schema of the `metrics` options (see {@link ServerOptions}). */
export const MetricsOptionsSchema: z.ZodObject<
  { port: z.ZodOptional<z.ZodNumber>; host: z.ZodDefault<z.ZodString> },
  z.core.$strict
> = z
  .object({
    port: z.number().int().min(0).max(65_535).optional(),
    host: ipAddress(DEFAULT_HOST),
  })
  .strict();

/**
 * zod schema of the data options of {@link createServer} (see {@link ServerOptions}), which is also the
 * schema of `tockd`'s configuration, whether it comes from flags, environment variables or a `--config`
 * file: the protocol's `HandlerOptionsSchema` (text format, time zone, NTP settings) plus where to listen,
 * workers, rate limits, the amplification policy, metrics, logging and the clock's skew. Unknown keys are
 * rejected, at every level. The time zone defaults to the machine's, not UTC.
 */
export const ServerOptionsSchema: z.ZodObject<
  {
    textFormat: z.ZodDefault<typeof TextFormatSchema>;
    timeZone: z.ZodDefault<z.ZodString>;
    ntp: z.ZodPrefault<z.ZodObject<(typeof NtpServerOptionsSchema)['shape'], z.core.$strict>>;
    host: z.ZodDefault<z.ZodString>;
    port: z.ZodDefault<z.ZodNumber>;
    workers: z.ZodDefault<z.ZodUnion<readonly [z.ZodLiteral<'auto'>, z.ZodNumber]>>;
    io: z.ZodDefault<z.ZodEnum<{ [K in IoMode]: K }>>;
    rateLimit: z.ZodPrefault<typeof RateLimitOptionsSchema>;
    strictSize: z.ZodDefault<z.ZodBoolean>;
    metrics: z.ZodPrefault<typeof MetricsOptionsSchema>;
    logLevel: z.ZodDefault<z.ZodEnum<{ [K in LogLevel]: K }>>;
    clockOffset: z.ZodDefault<z.ZodString>;
    clockRate: z.ZodDefault<z.ZodNumber>;
  },
  z.core.$strict
> = HandlerOptionsSchema.extend({
  timeZone: HandlerOptionsSchema.shape.timeZone.unwrap().default(machineTimeZone),
  ntp: NtpServerOptionsSchema.strict().prefault({}),
  host: ipAddress(DEFAULT_HOST),
  port: z.number().int().min(0).max(65_535).default(DEFAULT_PORT),
  workers: z.union([z.literal('auto'), z.number().int().min(1).max(256)]).default(1),
  io: z.enum(IO_MODES).default('batched'),
  rateLimit: RateLimitOptionsSchema.prefault({}),
  strictSize: z.boolean().default(false),
  metrics: MetricsOptionsSchema.prefault({}),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  clockOffset: z
    .string()
    .refine(
      (text) => parseDuration(text) !== undefined,
      'must be a duration such as 500ms, 90s, 1h or -2d (at most 100 years)',
    )
    .default('0s'),
  clockRate: z.number().min(-500_000).max(500_000).default(0),
}).strict();

/** {@link ServerOptionsSchema}'s input: every field optional. */
export type ServerSettingsInput = z.input<typeof ServerOptionsSchema>;

/** {@link ServerOptionsSchema}'s output: every field filled in. */
export type ServerSettings = z.output<typeof ServerOptionsSchema>;
