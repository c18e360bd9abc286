// Why here and not in @tock/protocol: admission consults the rate limiter, a table in shared memory with a
// random leak, which the sans-IO protocol package must not hold. Everything else it decides from its
// arguments, and it calls the protocol's `handle` for whatever it admits: one function from a datagram to
// an action and a reason, in the manner of ntpd-rs's `Server::handle`. The engine only moves bytes and counts.
import {
  buildKissOfDeath,
  type Classification,
  classify,
  type HandleResult,
  type HandlerContext,
  handle,
  type Instant,
  MAX_DATAGRAM_BYTES,
  readNtpRequest,
} from '@tock/protocol';
import type { RateLimiter } from './rate-limit.ts';
import type { DropReason } from './stats.ts';

/**
 * What the server does with one datagram:
 * - `reply`: send the protocol's reply (the result of `handle`) to the sender;
 * - `ignore`: send nothing, for a {@link DropReason} that the counters take as it is;
 * - `kiss-of-death`: the source is over its rate limit (counted as `rate-limited`) and is an NTP client due
 *   a RATE Kiss-o'-Death: send `bytes` to it.
 */
export type Admission =
  | Extract<HandleResult, { readonly action: 'reply' }>
  | { readonly action: 'ignore'; readonly protocol: Classification; readonly reason: DropReason }
  | {
      readonly action: 'kiss-of-death';
      readonly protocol: 'ntp';
      readonly reason: 'rate-limited';
      readonly bytes: Uint8Array;
    };

/** What {@link admit} decides with besides the datagram: fixed for the life of an engine. */
export interface AdmissionRules {
  /** The handler context of the served (possibly skewed) clock. */
  readonly context: HandlerContext;
  /** `undefined` when rate limiting is off. */
  readonly limiter: RateLimiter | undefined;
  /** Drop a reply larger than its request (`--strict-size`). */
  readonly strictSize: boolean;
}

type Ignore = Extract<Admission, { readonly action: 'ignore' }>;

// Every drop result the server makes itself, built once: a flood of dropped datagrams allocates nothing.
const CLASSES: readonly Classification[] = ['text', 'json', 'ntp', 'unknown'];
const dropsFor = (reason: DropReason): Readonly<Record<Classification, Ignore>> =>
  Object.fromEntries(
    CLASSES.map((protocol) => [protocol, Object.freeze({ action: 'ignore', protocol, reason })]),
  ) as Record<Classification, Ignore>;
const SHUTTING_DOWN = dropsFor('shutting-down');
const SOURCE_PORT_ZERO = dropsFor('source-port-zero');
const RATE_LIMITED = dropsFor('rate-limited');
const SMALLER_THAN_REPLY = dropsFor('smaller-than-reply');
const OVERSIZED: Ignore = Object.freeze({ action: 'ignore', protocol: 'unknown', reason: 'oversized' });

/**
 * Decides what to do with one datagram, in this order: drop it if the server is `stopping`, if it is larger
 * than `MAX_DATAGRAM_BYTES`, if its source port is 0, or if its source is over its rate limit (an NTP client
 * then gets a RATE Kiss-o'-Death, at most once a second); answer it with the protocol's `handle`; with
 * `strictSize`, drop a reply larger than its request. Never throws for any datagram; reads no clock (the
 * context's clock is read by `handle` for a reply's transmit time); allocates nothing beyond what `handle`
 * does and a Kiss-o'-Death.
 *
 * @param data - the datagram as received.
 * @param source - the sender's address as words (`[family, w0, w1, w2, w3]`, the protocol's `parseAddress`).
 * @param port - the sender's UDP port.
 * @param receiveTime - when it arrived, by the true clock: what the rate limiter charges (a skewed or
 *   stepped served clock must not change what a source may send).
 * @param servedTime - T2, when it arrived by the served clock.
 * @param stopping - whether the server has begun to stop.
 */
export function admit(
  rules: AdmissionRules,
  data: Uint8Array,
  source: Uint32Array,
  port: number,
  receiveTime: Instant,
  servedTime: Instant,
  stopping: boolean,
): Admission {
  const length = data.length;
  if (stopping) return length > MAX_DATAGRAM_BYTES ? SHUTTING_DOWN.unknown : SHUTTING_DOWN[classify(data)];
  if (length > MAX_DATAGRAM_BYTES) return OVERSIZED;
  if (port === 0) return SOURCE_PORT_ZERO[classify(data)];
  const limiter = rules.limiter;
  if (limiter !== undefined) {
    const nowMs = Number(receiveTime) / 1e6;
    if (!limiter.admit(source, nowMs)) {
      const protocol = classify(data);
      if (protocol === 'ntp' && limiter.kissOfDeath(nowMs)) {
        const request = readNtpRequest(data);
        if (request.ok) {
          return {
            action: 'kiss-of-death',
            protocol,
            reason: 'rate-limited',
            bytes: buildKissOfDeath(request.request, 'RATE'),
          };
        }
      }
      return RATE_LIMITED[protocol];
    }
  }
  const result = handle(data, servedTime, rules.context);
  if (result.action === 'reply' && rules.strictSize && result.bytes.length > length)
    return SMALLER_THAN_REPLY[result.protocol];
  return result;
}
