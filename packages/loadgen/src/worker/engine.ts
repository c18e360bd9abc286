import { randomBytes } from 'node:crypto';
import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { nowMs } from '../clock.ts';
import { createHistogram, encodeHistogram, type LatencyHistogram, recordUs } from '../histogram.ts';
import { type ClientIo, type ClientSocket, createClientIo, type IoName } from '../io/index.ts';
import {
  createCodec,
  INVALID_REASONS,
  type InvalidReason,
  NO_KEY,
  type ProtocolName,
  type ReplyCodec,
  reasonOfKey,
} from '../protocols/index.ts';
import { Ledger, RequestState } from './ledger.ts';

/** What one engine (one worker thread, or the main thread with `workers: 0`) runs. */
export interface EngineConfig {
  /** IP address of the server. */
  readonly address: string;
  readonly family: 4 | 6;
  readonly port: number;
  readonly protocol: ProtocolName;
  /** Sockets (clients) of this engine. */
  readonly connections: number;
  /** Open loop: this engine's share of the rate in requests per second; 0 for a closed loop. */
  readonly rate: number;
  /** Open loop: where this engine's requests sit in the shared schedule, in [0, 1) of one interval. */
  readonly phase: number;
  /** Measured requests this engine sends, or `undefined` to run for `durationMs`. */
  readonly amount: number | undefined;
  /** How long to measure, when `amount` is not set. */
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly timeoutMs: number;
  readonly toleranceMs: number;
  readonly timeZone: string;
  readonly textRequest: string;
  /** How the sockets move datagrams; `batched` falls back to `dgram` where the addon does not load. */
  readonly io: IoName;
}

/** Counts of one engine or of a whole run (measured requests only). */
export interface Counts {
  sent: number;
  valid: number;
  invalid: number;
  lost: number;
  late: number;
  duplicate: number;
  /** Errors reported by the sockets (for instance ECONNREFUSED from an ICMP port unreachable). */
  socketErrors: number;
}

/** Where a run is. */
export type Phase = 'warmup' | 'measure' | 'drain' | 'done';

/** A snapshot an engine reports a few times a second. */
export interface EngineProgress {
  readonly phase: Phase;
  readonly counts: Counts;
}

/** What an engine reports when it has finished. */
export interface EngineReport {
  readonly counts: Counts;
  readonly invalidReasons: Record<InvalidReason, number>;
  /** Latency of valid replies in µs, HdrHistogram compressed base64. */
  readonly histogram: string;
  /** Open loop: how late requests left against the schedule, in µs, encoded; `undefined` in a closed loop. */
  readonly lagHistogram: string | undefined;
  /** Open loop: requests the schedule called for in the measured window (sent or not). */
  readonly scheduled: number;
  /** Valid replies in each second of the measurement. */
  readonly perSecond: number[];
  /** When the measurement began (epoch ms). */
  readonly measureStartMs: number;
  /** When the last measured request was sent, or sending stopped (epoch ms). */
  readonly sendEndMs: number;
  /** When the last valid reply arrived (epoch ms); 0 when none did. */
  readonly lastReplyMs: number;
  /** Share of the measured sending time the engine's event loop was busy, 0 to 1. */
  readonly eventLoopUtilization: number;
  /** The first socket error, as text. */
  readonly firstSocketError: string | undefined;
  /** The I/O the sockets used. */
  readonly io: IoName;
  /** Why `batched` was asked for and `dgram` used, if it was. */
  readonly ioFallback: string | undefined;
}

/** How often engines report progress, in milliseconds. */
export const PROGRESS_INTERVAL_MS = 250;
/** At most this many requests are sent in one go before replies are read again (open loop). */
const SEND_BATCH = 256;

interface Client {
  readonly index: number;
  socket: ClientSocket;
  readonly codec: ReplyCodec;
  readonly ledger: Ledger;
  /** Text protocol, closed loop: a new socket is being connected after a timeout. */
  reconnecting: boolean;
  /** The socket could not be replaced: the client sends no more. */
  dead: boolean;
}

/** A client's socket before it is opened. */
const NO_SOCKET: ClientSocket = { send: () => undefined, close: () => undefined };

function zeroCounts(): Counts {
  return { sent: 0, valid: 0, invalid: 0, lost: 0, late: 0, duplicate: 0, socketErrors: 0 };
}

function randomSalt(): number {
  let salt = 0;
  while (salt === 0) salt = randomBytes(4).readUInt32BE(0);
  return salt;
}

/**
 * The load generator proper: a set of UDP clients (one socket each, batched or `node:dgram`, see
 * {@link ClientIo}) that send requests in a closed loop (one request in flight per client) or on an open-loop
 * schedule, match replies to requests, validate them, time them out, and count the outcomes. Runs inside a
 * worker thread or on the main thread.
 *
 * Every measured request ends as exactly one of valid, invalid, lost or late; `duplicate` counts extra
 * replies to answered requests; `invalid` also counts datagrams that name no request at all (whose request,
 * if any, later times out and counts as lost).
 */
export class Engine {
  private readonly config: EngineConfig;
  private readonly onProgress: ((progress: EngineProgress) => void) | undefined;
  private readonly clients: Client[] = [];
  private readonly counts: Counts = zeroCounts();
  private readonly reasons: Record<InvalidReason, number>;
  private readonly histogram: LatencyHistogram = createHistogram();
  private readonly lagHistogram: LatencyHistogram | undefined;
  private readonly perSecond: number[] = [];
  private readonly timers: Array<ReturnType<typeof setTimeout>> = [];
  private readonly open: boolean;
  private phase: Phase = 'warmup';
  /** Whether the start time came (or stop() ended the run before it did). */
  private begun = false;
  private sending = false;
  /** {@link Engine.stop} was called. */
  private stopped = false;
  private t0 = 0;
  private warmupEnd = 0;
  private sendEnd = Number.POSITIVE_INFINITY;
  private sendEndActual = 0;
  private lastReply = 0;
  private measuredSent = 0;
  private scheduled = 0;
  /** Open loop: the number of the next request in this engine's schedule. */
  private nextK = 0;
  private nextDue = 0;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private tickTimer: ReturnType<typeof setTimeout> | undefined;
  private eluStart: EventLoopUtilization | undefined;
  private elu = 0;
  private firstSocketError: string | undefined;
  private finished: ((report: EngineReport) => void) | undefined;
  private readonly done: Promise<EngineReport>;
  private readonly textReconnect: boolean;
  private readonly io: ClientIo;
  private readonly ioFallback: string | undefined;

  constructor(config: EngineConfig, onProgress?: (progress: EngineProgress) => void) {
    this.config = config;
    this.onProgress = onProgress;
    const io = createClientIo(config.io, config);
    this.io = io.client;
    this.ioFallback = io.fallback;
    this.open = config.rate > 0;
    this.lagHistogram = this.open ? createHistogram() : undefined;
    this.reasons = Object.fromEntries(INVALID_REASONS.map((r) => [r, 0])) as Record<InvalidReason, number>;
    this.textReconnect = config.protocol === 'text' && !this.open;
    this.done = new Promise((resolve) => {
      this.finished = resolve;
    });
  }

  /** Opens and connects the sockets. */
  async openSockets(): Promise<void> {
    const { connections, rate, timeoutMs } = this.config;
    // Remember enough requests per client to recognise late and duplicate replies: 16,384 (fewer with many
    // clients, about 70 MB in all at most), and in an open loop at least the requests that can be outstanding
    // within two timeouts at the configured rate (at most 2^18 per client, 4.5 MB).
    const perClientInFlight = this.open ? (rate / connections) * (timeoutMs / 1000) : 1;
    const remembered = Math.min(16_384, Math.max(64, Math.floor((1 << 22) / connections)));
    const ledgerSize = Math.min(1 << 18, Math.max(remembered, Math.ceil(perClientInFlight * 2)));
    for (let index = 0; index < connections; index++) {
      const salt = randomSalt();
      const codec = createCodec(this.config.protocol, {
        toleranceMs: this.config.toleranceMs,
        timeZone: this.config.timeZone,
        textRequest: this.config.textRequest,
        salt,
      });
      const client: Client = {
        index,
        socket: NO_SOCKET,
        codec,
        ledger: new Ledger(ledgerSize),
        reconnecting: false,
        dead: false,
      };
      // Pushed first, so that close() releases the sockets opened so far when one fails to open.
      this.clients.push(client);
      client.socket = await this.openSocket(client);
    }
  }

  /** Opens a socket for `client`; its replies reach the client while it is the client's socket. */
  private async openSocket(client: Client): Promise<ClientSocket> {
    let socket: ClientSocket | undefined;
    socket = await this.io.open({
      onReply: (bytes) => {
        if (socket === client.socket) this.onReply(client, bytes);
      },
      onError: (error) => this.onSocketError(error),
    });
    return socket;
  }

  private onSocketError(error: Error): void {
    if (this.phase !== 'warmup') this.counts.socketErrors++;
    this.firstSocketError ??= `${(error as NodeJS.ErrnoException).code ?? 'error'}: ${error.message}`;
  }

  /**
   * Starts sending at `t0Ms` (epoch ms, see {@link nowMs}): warm-up, measurement, then a drain that waits for
   * outstanding replies until they arrive or time out. Resolves with the engine's report.
   */
  start(t0Ms: number): Promise<EngineReport> {
    const { timeoutMs } = this.config;
    const sweepMs = Math.min(50, Math.max(1, timeoutMs / 10));
    this.timers.push(setInterval(() => this.sweep(), sweepMs));
    if (this.onProgress) this.timers.push(setInterval(() => this.report(), PROGRESS_INTERVAL_MS));
    this.later(t0Ms - nowMs(), () => this.begin(t0Ms));
    return this.done;
  }

  private begin(t0Ms: number): void {
    if (this.phase === 'done' || this.stopped) return;
    this.begun = true;
    const { warmupMs, durationMs, amount } = this.config;
    // The schedule starts when this thread gets to it: a timer that fires late must not make the first
    // requests look late.
    const now = nowMs();
    this.t0 = Math.max(t0Ms, now);
    this.warmupEnd = this.t0 + warmupMs;
    if (amount === undefined) this.sendEnd = this.warmupEnd + durationMs;
    this.sending = true;
    if (warmupMs > 0) this.later(this.warmupEnd - now, () => this.beginMeasure());
    else this.beginMeasure();
    // The open loop's tick ends the window itself; this timer only stops a loop that has fallen behind.
    if (amount === undefined) this.later(this.sendEnd - now + (this.open ? 1 : 0), () => this.stopSending());
    if (this.open) {
      this.nextDue = this.dueOf(0);
      this.tick();
    } else {
      for (const client of this.clients) this.sendNext(client);
    }
  }

  /** Stops sending now; the engine drains and resolves as usual. */
  stop(): void {
    this.stopped = true;
    if (this.phase === 'warmup') this.beginMeasure();
    if (!this.sending) {
      // Not begun yet: nothing was sent, nothing to wait for.
      this.sendEndActual = nowMs();
      this.warmupEnd = this.sendEndActual;
      this.maybeFinish();
      return;
    }
    this.stopSending();
  }

  private later(ms: number, fn: () => void): void {
    this.timers.push(setTimeout(fn, Math.max(0, ms)));
  }

  private beginMeasure(): void {
    if (this.phase !== 'warmup') return;
    this.phase = 'measure';
    this.eluStart = performance.eventLoopUtilization();
  }

  private stopSending(): void {
    if (!this.sending) return;
    this.sending = false;
    this.sendEndActual = nowMs();
    if (this.open) {
      // Every request due in the measured window up to now, whether it could be sent or not.
      const due = this.dueBefore(Math.min(this.sendEnd, this.sendEndActual));
      this.scheduled =
        this.config.amount === undefined
          ? due
          : Math.min(this.config.amount, Math.max(due, this.measuredSent));
    }
    if (this.eluStart) this.elu = performance.eventLoopUtilization(this.eluStart).utilization;
    if (this.phase !== 'done') this.phase = 'drain';
    this.maybeFinish();
  }

  private report(): void {
    this.onProgress?.({ phase: this.phase, counts: { ...this.counts } });
  }

  // ---- sending ----

  /** Closed loop: the client's next request, if the run still sends. */
  private sendNext(client: Client): void {
    if (!this.sending || client.reconnecting || client.dead || client.ledger.pending > 0) return;
    const now = nowMs();
    if (now >= this.sendEnd) {
      this.stopSending();
      return;
    }
    // The warm-up ends by the clock; its timer may fire a fraction of a millisecond early.
    if (this.phase === 'warmup' && now >= this.warmupEnd) this.beginMeasure();
    const measured = this.phase !== 'warmup';
    this.send(client, now, now, measured);
    if (measured && this.config.amount !== undefined && this.measuredSent >= this.config.amount) {
      this.stopSending();
    }
  }

  private send(client: Client, now: number, due: number, measured: boolean): void {
    const ledger = client.ledger;
    const evicted = ledger.slotHolder();
    if (evicted >= 0) this.timeOut(client, evicted);
    const seq = ledger.add(now, due, measured);
    const bytes = client.codec.request(seq, now);
    if (measured) {
      this.counts.sent++;
      this.measuredSent++;
    }
    client.socket.send(bytes);
  }

  private dueOf(k: number): number {
    return this.t0 + ((k + this.config.phase) * 1000) / this.config.rate;
  }

  /** How many requests of the schedule fall in [warm-up end, `endMs`). */
  private dueBefore(endMs: number): number {
    const perMs = this.config.rate / 1000;
    const first = Math.max(0, Math.ceil((this.warmupEnd - this.t0) * perMs - this.config.phase));
    const last = Math.ceil((endMs - this.t0) * perMs - this.config.phase) - 1;
    return Math.max(0, last - first + 1);
  }

  /** Open loop: sends every request that is due, then waits for the next one. */
  private tick(): void {
    this.immediate = undefined;
    this.tickTimer = undefined;
    if (!this.sending) return;
    const n = this.clients.length;
    let budget = SEND_BATCH;
    let now = nowMs();
    while (this.nextDue <= now && budget-- > 0) {
      const due = this.nextDue;
      if (due >= this.sendEnd) {
        this.stopSending();
        return;
      }
      const measured = due >= this.warmupEnd;
      if (measured && this.phase === 'warmup') this.beginMeasure();
      const client = this.clients[this.nextK % n]!;
      this.nextK++;
      this.nextDue = this.dueOf(this.nextK);
      if (client.reconnecting || client.dead) continue;
      this.send(client, now, due, measured);
      if (measured) {
        recordUs(this.lagHistogram!, (now - due) * 1000);
        if (this.config.amount !== undefined && this.measuredSent >= this.config.amount) {
          this.stopSending();
          return;
        }
      }
      now = nowMs();
    }
    const wait = this.nextDue - now;
    if (wait > 2) this.tickTimer = setTimeout(() => this.tick(), wait - 1);
    else this.immediate = setImmediate(() => this.tick());
  }

  // ---- receiving ----

  private onReply(client: Client, bytes: Uint8Array): void {
    const now = nowMs();
    const ledger = client.ledger;
    let seq = client.codec.key(bytes);
    if (seq === NO_KEY) {
      seq = ledger.oldestPending();
      // A text reply with nothing outstanding: an extra answer to a request already answered.
      if (seq < 0) {
        if (this.phase !== 'warmup') this.counts.duplicate++;
        return;
      }
    } else if (seq < 0) {
      if (this.phase !== 'warmup') this.invalid(reasonOfKey(seq));
      return;
    }
    if (!ledger.knows(seq)) {
      if (seq >= ledger.nextSeq) {
        if (this.phase !== 'warmup') this.invalid('unmatched');
      } else if (this.phase !== 'warmup') {
        // Older than the ledger remembers: long after its timeout.
        this.counts.late++;
        this.counts.lost = Math.max(0, this.counts.lost - 1);
      }
      return;
    }
    const measured = ledger.measured(seq);
    switch (ledger.state(seq)) {
      case RequestState.Pending: {
        const problem = client.codec.check(bytes, seq, ledger.sentAtMs(seq), now);
        const latencyFrom = this.open ? ledger.dueAtMs(seq) : ledger.sentAtMs(seq);
        ledger.settle(seq, RequestState.Answered);
        if (measured) {
          if (problem !== undefined) this.invalid(problem);
          else this.valid(now, now - latencyFrom);
        }
        if (!this.open) this.sendNext(client);
        this.maybeFinish();
        return;
      }
      case RequestState.TimedOut:
        ledger.settle(seq, RequestState.Late);
        if (measured) {
          this.counts.lost--;
          this.counts.late++;
        }
        return;
      default:
        if (measured) this.counts.duplicate++;
        return;
    }
  }

  private valid(now: number, latencyMs: number): void {
    this.counts.valid++;
    this.lastReply = now;
    recordUs(this.histogram, latencyMs * 1000);
    let second = Math.max(0, Math.floor((now - this.warmupEnd) / 1000));
    if (this.config.amount === undefined) {
      second = Math.min(second, Math.max(0, Math.ceil(this.config.durationMs / 1000) - 1));
    }
    while (this.perSecond.length <= second) this.perSecond.push(0);
    this.perSecond[second]!++;
  }

  private invalid(reason: InvalidReason): void {
    this.counts.invalid++;
    this.reasons[reason]++;
  }

  // ---- timeouts and the end ----

  private sweep(): void {
    const now = nowMs();
    const timeout = this.config.timeoutMs;
    for (const client of this.clients) {
      const ledger = client.ledger;
      for (let seq = ledger.oldestPending(); seq >= 0; seq = ledger.oldestPending()) {
        if (now - ledger.sentAtMs(seq) < timeout) break;
        this.timeOut(client, seq);
      }
    }
    this.maybeFinish();
  }

  private timeOut(client: Client, seq: number): void {
    const ledger = client.ledger;
    if (ledger.measured(seq)) this.counts.lost++;
    ledger.settle(seq, RequestState.TimedOut);
    if (this.open) return;
    if (this.textReconnect) this.reconnect(client);
    else this.sendNext(client);
  }

  /**
   * Text replies name no request: after a timeout, a late reply would be taken for the answer to the next
   * request. A fresh socket (a new source port) makes late replies miss the client instead.
   */
  private reconnect(client: Client): void {
    client.reconnecting = true;
    client.socket.close();
    client.socket = NO_SOCKET;
    this.openSocket(client).then(
      (socket) => {
        if (client.dead) {
          socket.close();
          return;
        }
        client.socket = socket;
        client.reconnecting = false;
        this.sendNext(client);
        this.maybeFinish();
      },
      (error: Error) => {
        client.reconnecting = false;
        client.dead = true;
        this.counts.socketErrors++;
        this.firstSocketError ??= error.message;
        this.maybeFinish();
      },
    );
  }

  /** Ends the engine at once without a report: timers cleared, sockets closed. */
  close(): void {
    this.sending = false;
    this.phase = 'done';
    this.release();
  }

  private release(): void {
    for (const timer of this.timers) clearTimeout(timer);
    if (this.tickTimer) clearTimeout(this.tickTimer);
    if (this.immediate) clearImmediate(this.immediate);
    for (const client of this.clients) {
      client.socket.close();
      client.dead = true;
    }
  }

  private maybeFinish(): void {
    // Before the start time nothing is pending, yet the run has not even begun: only stop() ends it then.
    if (this.sending || this.phase === 'done' || (!this.begun && !this.stopped)) return;
    for (const client of this.clients) if (client.ledger.pending > 0 || client.reconnecting) return;
    this.phase = 'done';
    this.release();
    this.report();
    this.finished!({
      counts: { ...this.counts },
      invalidReasons: { ...this.reasons },
      histogram: encodeHistogram(this.histogram),
      lagHistogram: this.lagHistogram ? encodeHistogram(this.lagHistogram) : undefined,
      scheduled: this.scheduled,
      perSecond: this.perSecond,
      measureStartMs: this.warmupEnd,
      sendEndMs: this.sendEndActual,
      lastReplyMs: this.lastReply,
      eventLoopUtilization: Math.round(this.elu * 1000) / 1000,
      firstSocketError: this.firstSocketError,
      io: this.io.name,
      ioFallback: this.ioFallback,
    });
  }
}
