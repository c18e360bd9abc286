import { createHandlerContext, handle } from '@tock/protocol';
import { describe, expect, it } from 'vitest';
import {
  createStatsRecorder,
  DROP_REASONS,
  PROCESSING_BUCKETS_SECONDS,
  STATS_SLOTS,
  sumStats,
} from './stats.ts';

const context = createHandlerContext(() => 1_700_000_000_000_000_000n, { timeZone: 'UTC' });
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);

describe('createStatsRecorder', () => {
  it('starts at zero with a counter for every drop reason and protocol', () => {
    const s = createStatsRecorder().snapshot();
    expect(Object.keys(s.dropped).sort()).toEqual([...DROP_REASONS].sort());
    expect(Object.values(s.dropped).every((n) => n === 0)).toBe(true);
    expect(Object.keys(s.droppedByProtocol)).toEqual(['text', 'json', 'ntp', 'unknown']);
    expect(s).toMatchObject({
      received: { text: 0, json: 0, ntp: 0, unknown: 0 },
      kissOfDeath: 0,
      sendErrors: 0,
      socketErrors: 0,
    });
    expect(s.processing.ntp.counts).toHaveLength(PROCESSING_BUCKETS_SECONDS.length + 1);
  });

  it("counts handle()'s results: received and replies by protocol, drops by protocol and reason, JSON errors", () => {
    const stats = createStatsRecorder();
    const datagrams = [
      text('Time request'),
      text('iso'),
      text('{"v":1,"type":"time.request","id":"a"}'),
      text('{"v":1'),
      Uint8Array.of(0xff, 0),
      new Uint8Array(2000),
      Uint8Array.of(0x23, 0),
    ];
    for (const d of datagrams) stats.record(handle(d, 1_700_000_000_000_000_000n, context));
    stats.drop('text', 'source-port-zero');
    stats.drop('ntp', 'rate-limited');
    stats.kissOfDeath();
    stats.sendError();
    stats.socketError();
    const s = stats.snapshot();
    expect(s.received).toEqual({ text: 3, json: 2, ntp: 2, unknown: 2 });
    expect(s.replies).toEqual({ text: 2, json: 2, ntp: 0 });
    expect(s.jsonErrorReplies).toBe(1);
    expect(s.kissOfDeath).toBe(1);
    expect(s.dropped).toMatchObject({
      unrecognized: 1,
      oversized: 1,
      'ntp-truncated': 1,
      'source-port-zero': 1,
      'rate-limited': 1,
    });
    expect(s.droppedByProtocol.ntp).toMatchObject({ 'ntp-truncated': 1, 'rate-limited': 1 });
    expect(s.droppedByProtocol.text['source-port-zero']).toBe(1);
    expect(s.droppedByProtocol.unknown).toMatchObject({ unrecognized: 1, oversized: 1 });
    expect(s.sendErrors).toBe(1);
    expect(s.socketErrors).toBe(1);
    expect(sum(s.received)).toBe(sum(s.replies) + sum(s.dropped));
    // record() does not time replies.
    expect(s.processing.text.count).toBe(0);
  });

  it('puts processing times in their buckets', () => {
    const stats = createStatsRecorder();
    stats.reply('ntp', false, 4_000); // 4 µs: first bucket (<= 5 µs)
    stats.reply('ntp', false, 5_000); // on the bound: still the first
    stats.reply('ntp', false, 30_000); // 30 µs: (25 µs, 50 µs]
    stats.reply('ntp', false, 1e9); // 1 s: above every bound
    const h = stats.snapshot().processing.ntp;
    expect(h.count).toBe(4);
    expect(h.counts[0]).toBe(2);
    expect(h.counts[PROCESSING_BUCKETS_SECONDS.indexOf(0.000_05)]).toBe(1);
    expect(h.counts.at(-1)).toBe(1);
    expect(h.sumSeconds).toBeCloseTo(1.000_039, 9);
  });

  it('adds up the regions of several workers', () => {
    const buffer = new SharedArrayBuffer(2 * STATS_SLOTS * 8);
    const a = createStatsRecorder(new Float64Array(buffer, 0, STATS_SLOTS));
    const b = createStatsRecorder(new Float64Array(buffer, STATS_SLOTS * 8, STATS_SLOTS));
    a.reply('text', false, 1000);
    b.reply('text', false, 1000);
    b.drop('json', 'json-not-a-request');
    const s = sumStats([a.counters, b.counters]);
    expect(s.replies.text).toBe(2);
    expect(s.received).toEqual({ text: 2, json: 1, ntp: 0, unknown: 0 });
    expect(s.processing.text.count).toBe(2);
    expect(STATS_SLOTS % 8).toBe(0);
  });

  it('returns snapshots that later counts do not change', () => {
    const stats = createStatsRecorder();
    const before = stats.snapshot();
    stats.record(handle(text('unix'), 1n, context));
    expect(before.replies.text).toBe(0);
    expect(stats.snapshot().replies.text).toBe(1);
  });
});
