import {
  type Classification,
  type HandleResult,
  IGNORE_REASONS,
  type IgnoreReason,
  type Protocol,
} from '@tock/protocol';

/**
 * Why the server sent nothing back: one of the protocol's {@link IgnoreReason}s, or a reason of the server's
 * own:
 * - `source-port-zero`: the sender's port is 0, which no reply can reach (a forged or broken packet).
 */
export type DropReason = IgnoreReason | 'source-port-zero';

/** Every {@link DropReason}, in a fixed order, for building counters and dashboards. */
export const DROP_REASONS: readonly DropReason[] = [...IGNORE_REASONS, 'source-port-zero'];

/**
 * A snapshot of a server's counters since it was created. Every datagram is counted once in `received` and
 * then once in either `replies` or `dropped`, so the three totals add up.
 */
export interface ServerStats {
  /** Datagrams received, by what they looked like (`unknown`: binary that is not NTP, or oversized). */
  readonly received: Readonly<Record<Classification, number>>;
  /** Replies handed to the socket, by protocol. Those the OS then refused are also in `sendErrors`. */
  readonly replies: Readonly<Record<Protocol, number>>;
  /** How many of `replies.json` were JSON error envelopes (malformed or invalid requests). */
  readonly jsonErrorReplies: number;
  /** Datagrams that got no reply, by reason. */
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Replies the OS refused to send (EPERM, ENOBUFS, …). */
  readonly sendErrors: number;
  /** Other errors the socket reported (it kept running). */
  readonly socketErrors: number;
}

/** The server's mutable counters: fed with each datagram's outcome, read as {@link ServerStats} snapshots. */
export interface StatsRecorder {
  /** Counts the outcome of one datagram, as the protocol's `handle` returned it. */
  record(result: HandleResult): void;
  /** Counts a datagram dropped by the server itself, before `handle`. */
  drop(protocol: Classification, reason: DropReason): void;
  /** Counts a reply the OS refused to send. */
  sendError(): void;
  /** Counts another error the socket reported. */
  socketError(): void;
  /** A copy of the counters as they are now. */
  snapshot(): ServerStats;
}

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

const CLASSIFICATIONS: readonly Classification[] = ['text', 'json', 'ntp', 'unknown'];
const PROTOCOLS: readonly Protocol[] = ['text', 'json', 'ntp'];

/** Creates a set of counters, all zero. */
export function createStatsRecorder(): StatsRecorder {
  const received = zeros(CLASSIFICATIONS);
  const replies = zeros(PROTOCOLS);
  const dropped = zeros(DROP_REASONS);
  let jsonErrorReplies = 0;
  let sendErrors = 0;
  let socketErrors = 0;
  return {
    record(result: HandleResult): void {
      received[result.protocol]++;
      if (result.action === 'reply') {
        replies[result.protocol]++;
        if (result.error === true) jsonErrorReplies++;
      } else {
        dropped[result.reason]++;
      }
    },
    drop(protocol: Classification, reason: DropReason): void {
      received[protocol]++;
      dropped[reason]++;
    },
    sendError(): void {
      sendErrors++;
    },
    socketError(): void {
      socketErrors++;
    },
    snapshot(): ServerStats {
      return {
        received: { ...received },
        replies: { ...replies },
        jsonErrorReplies,
        dropped: { ...dropped },
        sendErrors,
        socketErrors,
      };
    },
  };
}
