import { formatTime, instantFromMs, referenceIdToString, secondsFromNtpShort } from '@tock/protocol';
import type { TockClientError } from '../errors.ts';
import type { QueryResult } from '../result.ts';
import { formatEndpoint } from '../target.ts';

/** A signed number of milliseconds with microsecond precision: `+0.042 ms`, `-12.500 ms`. */
export function formatMs(ms: number): string {
  return `${ms < 0 ? '-' : '+'}${Math.abs(ms).toFixed(3)} ms`;
}

/**
 * The human line, after the lab client's `Time received: ...`:
 * `Time received: <time> from <server> (<protocol>...)` plus offset and delay for JSON and NTP.
 */
export function formatResultLine(result: QueryResult, timeZone: string): string {
  const from = formatEndpoint(result.server.address, result.server.port);
  switch (result.protocol) {
    case 'text': {
      const resolution =
        result.resolutionMs >= 1000 ? 'whole seconds' : `${result.resolutionMs} ms resolution`;
      return `Time received: ${result.raw.trim()} from ${from} (text: ${resolution}, no offset or delay)`;
    }
    case 'json':
      return `Time received: ${result.raw.time} from ${from} (json): offset ${formatMs(result.offsetMs)}, delay ${result.delayMs.toFixed(3)} ms`;
    case 'ntp': {
      const shown = formatTime(instantFromMs(result.time.getTime()), 'iso', timeZone);
      return `Time received: ${shown} from ${from} (ntp, stratum ${result.raw.stratum}): offset ${formatMs(result.offsetMs)}, delay ${result.delayMs.toFixed(3)} ms`;
    }
  }
}

const hex64 = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;

/**
 * The `--json` object of a result. Always has `time` (ISO 8601, UTC), `protocol`, `offsetMs` and `delayMs`
 * (numbers for json and ntp, `null` for text), `server`, `attempts` and `reply` (the protocol's raw fields);
 * text adds `resolutionMs`.
 */
export function resultJson(result: QueryResult): Record<string, unknown> {
  const common = {
    time: result.time.toISOString(),
    protocol: result.protocol,
    offsetMs: result.offsetMs,
    delayMs: result.delayMs,
  };
  const tail = { server: result.server, attempts: result.attempts };
  switch (result.protocol) {
    case 'text':
      return {
        ...common,
        resolutionMs: result.resolutionMs,
        ...tail,
        reply: { line: result.raw, format: result.format },
      };
    case 'json':
      return { ...common, ...tail, reply: result.raw };
    case 'ntp': {
      const p = result.raw;
      return {
        ...common,
        ...tail,
        reply: {
          leap: p.leap,
          version: p.version,
          mode: p.mode,
          stratum: p.stratum,
          poll: p.poll,
          precision: p.precision,
          rootDelayMs: secondsFromNtpShort(p.rootDelay) * 1000,
          rootDispersionMs: secondsFromNtpShort(p.rootDispersion) * 1000,
          referenceId: referenceIdToString(p.referenceId, p.stratum),
          referenceTimestamp: hex64(p.referenceTimestamp),
          originTimestamp: hex64(p.originTimestamp),
          receiveTimestamp: hex64(p.receiveTimestamp),
          transmitTimestamp: hex64(p.transmitTimestamp),
        },
      };
    }
  }
}

/** The `--json` object of a failed query: `{"error":{"code","message","attempts",...}}`. */
export function errorJson(error: TockClientError): Record<string, unknown> {
  const body: Record<string, unknown> = {
    code: error.code,
    message: error.message,
    attempts: error.attempts,
  };
  if (error.kissCode !== undefined) body['kissCode'] = error.kissCode;
  if (error.serverCode !== undefined) body['serverCode'] = error.serverCode;
  return { error: body };
}
