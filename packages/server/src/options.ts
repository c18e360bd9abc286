import { isIP } from 'node:net';
import {
  HandlerOptionsSchema,
  isValidTimeZone,
  type NtpServerOptionsSchema,
  type TextFormatSchema,
} from '@tock/protocol';
import { z } from 'zod';

/** The time zone this machine is set to, as `Intl` reports it (`UTC` when it reports nothing usable). */
export function machineTimeZone(): string {
  const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  return typeof zone === 'string' && isValidTimeZone(zone) ? zone : 'UTC';
}

/** The port tockd listens on unless told otherwise. */
export const DEFAULT_PORT = 5005;
/** The address tockd listens on unless told otherwise: loopback only. */
export const DEFAULT_HOST = '127.0.0.1';

/**
 * zod schema of the data options of {@link createServer} (see {@link ServerOptions}): the protocol's
 * `HandlerOptionsSchema` (text format, time zone, NTP settings) plus where to listen. Unknown keys are
 * rejected. The time zone defaults to the machine's, not UTC.
 */
export const ServerOptionsSchema: z.ZodObject<
  {
    textFormat: z.ZodDefault<typeof TextFormatSchema>;
    timeZone: z.ZodDefault<z.ZodString>;
    ntp: z.ZodPrefault<typeof NtpServerOptionsSchema>;
    host: z.ZodDefault<z.ZodString>;
    port: z.ZodDefault<z.ZodNumber>;
  },
  z.core.$strict
> = HandlerOptionsSchema.extend({
  timeZone: HandlerOptionsSchema.shape.timeZone.unwrap().default(machineTimeZone),
  host: z
    .string()
    .refine((host) => isIP(host) !== 0, 'must be an IP address such as 127.0.0.1, ::1, 0.0.0.0 or ::')
    .default(DEFAULT_HOST),
  port: z.number().int().min(0).max(65_535).default(DEFAULT_PORT),
}).strict();

/** {@link ServerOptionsSchema}'s input: every field optional. */
export type ServerSettingsInput = z.input<typeof ServerOptionsSchema>;

/** {@link ServerOptionsSchema}'s output: every field filled in. */
export type ServerSettings = z.output<typeof ServerOptionsSchema>;
