/** A request's state in a {@link Ledger}. */
export const RequestState = {
  /** No request with this number (never sent, or forgotten). */
  Unknown: 0,
  /** Sent, no reply yet, not timed out. */
  Pending: 1,
  /** Answered in time (validly or not). */
  Answered: 2,
  /** Timed out without a reply. */
  TimedOut: 3,
  /** Timed out, then answered. */
  Late: 4,
} as const;

/** A value of {@link RequestState}. */
export type RequestStateValue = (typeof RequestState)[keyof typeof RequestState];

/** Flag ORed into a state: the request belongs to the measurement (not the warm-up). */
export const MEASURED = 8;

/**
 * One client's requests, numbered 0, 1, 2, … in send order, kept in a ring of the last `size` numbers:
 * state, send time and intended send time. Old entries are forgotten as new requests reuse their slot, so
 * memory stays fixed however long the run.
 */
export class Ledger {
  /** The number the next request gets. */
  nextSeq = 0;
  /** Requests sent and neither answered nor timed out. */
  pending = 0;
  /** No request before this number is pending. */
  private oldest = 0;
  private readonly mask: number;
  private readonly states: Uint8Array;
  private readonly sentAt: Float64Array;
  private readonly dueAt: Float64Array;

  /** @param size - how many recent requests to remember; rounded up to a power of two. */
  constructor(size: number) {
    let n = 16;
    while (n < size) n *= 2;
    this.mask = n - 1;
    this.states = new Uint8Array(n);
    this.sentAt = new Float64Array(n);
    this.dueAt = new Float64Array(n);
  }

  /** How many recent requests the ring remembers. */
  get size(): number {
    return this.mask + 1;
  }

  /**
   * The number the next request will get, provided its slot is free; when the slot still holds a pending
   * request (the ring is full of outstanding requests), that request's number is returned as `evicted` so
   * the caller can time it out first.
   */
  slotHolder(): number {
    const old = this.nextSeq - this.size;
    if (old >= 0 && (this.states[old & this.mask]! & 7) === RequestState.Pending) return old;
    return -1;
  }

  /** Records a new pending request and returns its number. */
  add(sentAtMs: number, dueAtMs: number, measured: boolean): number {
    const seq = this.nextSeq++;
    const i = seq & this.mask;
    this.states[i] = RequestState.Pending | (measured ? MEASURED : 0);
    this.sentAt[i] = sentAtMs;
    this.dueAt[i] = dueAtMs;
    this.pending++;
    return seq;
  }

  /** Whether `seq` is still remembered (sent, and not yet overwritten by a newer request). */
  knows(seq: number): boolean {
    return seq < this.nextSeq && seq >= this.nextSeq - this.size && seq >= 0;
  }

  /** The state of a remembered request, without the {@link MEASURED} flag. */
  state(seq: number): RequestStateValue {
    return (this.states[seq & this.mask]! & 7) as RequestStateValue;
  }

  /** Whether a remembered request belongs to the measurement. */
  measured(seq: number): boolean {
    return (this.states[seq & this.mask]! & MEASURED) !== 0;
  }

  /** When a remembered request was sent (epoch ms). */
  sentAtMs(seq: number): number {
    return this.sentAt[seq & this.mask]!;
  }

  /** When a remembered request was due by the schedule (epoch ms; its send time in a closed loop). */
  dueAtMs(seq: number): number {
    return this.dueAt[seq & this.mask]!;
  }

  /** Moves a request to a new state, keeping its {@link MEASURED} flag; a pending request stops counting as pending. */
  settle(seq: number, state: RequestStateValue): void {
    const i = seq & this.mask;
    const old = this.states[i]!;
    if ((old & 7) === RequestState.Pending) this.pending--;
    this.states[i] = (old & MEASURED) | state;
  }

  /** The oldest pending request, or -1 when none is pending. */
  oldestPending(): number {
    const floor = Math.max(0, this.nextSeq - this.size);
    if (this.oldest < floor) this.oldest = floor;
    while (this.oldest < this.nextSeq) {
      if ((this.states[this.oldest & this.mask]! & 7) === RequestState.Pending) return this.oldest;
      this.oldest++;
    }
    return -1;
  }
}
