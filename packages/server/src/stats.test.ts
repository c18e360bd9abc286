import { createHandlerContext, handle } from '@tock/protocol';
import { describe, expect, it } from 'vitest';
import { createStatsRecorder, DROP_REASONS } from './stats.ts';

const context = createHandlerContext(() => 1_700_000_000_000_000_000n, { timeZone: 'UTC' });
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('createStatsRecorder', () => {
  it('starts at zero with a counter for every drop reason', () => {
    const s = createStatsRecorder().snapshot();
    expect(Object.keys(s.dropped).sort()).toEqual([...DROP_REASONS].sort());
    expect(Object.values(s.dropped).every((n) => n === 0)).toBe(true);
    expect(s).toMatchObject({
      received: { text: 0, json: 0, ntp: 0, unknown: 0 },
      sendErrors: 0,
      socketErrors: 0,
    });
  });

  it("counts handle()'s results: received and replies by protocol, drops by reason, JSON errors", () => {
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
    stats.sendError();
    stats.socketError();
    const s = stats.snapshot();
    expect(s.received).toEqual({ text: 3, json: 2, ntp: 1, unknown: 2 });
    expect(s.replies).toEqual({ text: 2, json: 2, ntp: 0 });
    expect(s.jsonErrorReplies).toBe(1);
    expect(s.dropped).toMatchObject({
      unrecognized: 1,
      oversized: 1,
      'ntp-truncated': 1,
      'source-port-zero': 1,
    });
    expect(s.sendErrors).toBe(1);
    expect(s.socketErrors).toBe(1);
    const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
    expect(sum(s.received)).toBe(sum(s.replies) + sum(s.dropped));
  });

  it('returns snapshots that later counts do not change', () => {
    const stats = createStatsRecorder();
    const before = stats.snapshot();
    stats.record(handle(text('unix'), 1n, context));
    expect(before.replies.text).toBe(0);
    expect(stats.snapshot().replies.text).toBe(1);
  });
});
