import { describe, expect, it } from 'vitest';
import {
  createRateLimiter,
  LEAK_PROBABILITY,
  type RateLimitSettings,
  rateLimitBufferBytes,
} from './rate-limit.ts';

const settings = (overrides: Partial<RateLimitSettings> = {}): RateLimitSettings => ({
  rate: 100,
  burst: 20,
  table: 1024,
  exempt: [],
  ...overrides,
});
const never = (): number => 1; // the leak's coin never lands

/** How many of `n` requests, `gapMs` apart from `startMs`, are admitted. */
function admitted(
  limiter: ReturnType<typeof createRateLimiter>,
  address: string,
  n: number,
  gapMs: number,
  startMs = 0,
) {
  let count = 0;
  for (let i = 0; i < n; i++) if (limiter.admitAddress(address, startMs + i * gapMs)) count++;
  return count;
}

describe('createRateLimiter', () => {
  it('lets a burst through, then the rate', () => {
    const limiter = createRateLimiter(settings(), { random: never });
    expect(admitted(limiter, '192.0.2.1', 30, 0)).toBe(20);
    // 100 ms later, 10 more tokens.
    expect(admitted(limiter, '192.0.2.1', 30, 0, 100)).toBe(10);
    // A second source has its own bucket.
    expect(admitted(limiter, '192.0.2.2', 30, 0, 100)).toBe(20);
    expect(limiter.sources()).toBe(2);
  });

  it('never gives a flooding source much more than the rate, leak included', () => {
    const limiter = createRateLimiter(settings());
    // 10,000 requests a second for 3 s.
    const count = admitted(limiter, '198.51.100.7', 30_000, 0.1);
    expect(count).toBeLessThanOrEqual(100 * 3 + 2 * 20 + 1);
    expect(count).toBeGreaterThanOrEqual(100 * 3 - 10);
  });

  it('leaks: a forger pacing its packets to take every token cannot silence the victim', () => {
    // The attacker drains the burst, then sends exactly one packet each time a token has grown back.
    // The victim asks 400 times in between.
    const victimAnswers = (random: () => number): number => {
      const limiter = createRateLimiter(settings(), { random });
      admitted(limiter, '203.0.113.9', 20, 0);
      let answered = 0;
      for (let i = 1; i <= 400; i++) {
        limiter.admitAddress('203.0.113.9', i * 10); // the attacker, on the refill
        if (limiter.admitAddress('203.0.113.9', i * 10 + 5)) answered++; // the victim, 5 ms later
      }
      return answered;
    };
    expect(victimAnswers(never)).toBe(0);
    const answered = victimAnswers(Math.random);
    // About LEAK_PROBABILITY of the victim's requests are answered.
    expect(answered).toBeGreaterThan(400 * LEAK_PROBABILITY * 0.5);
    expect(answered).toBeLessThan(400 * LEAK_PROBABILITY * 1.6);
  });

  it('never limits exempt sources, and does not track them', () => {
    const limiter = createRateLimiter(settings({ exempt: ['127.0.0.0/8', '::1', '2001:db8::/32'] }), {
      random: never,
    });
    for (const address of ['127.0.0.1', '127.9.9.9', '::ffff:127.0.0.1', '::1', '2001:db8:1::5'])
      expect(admitted(limiter, address, 100, 0), address).toBe(100);
    expect(limiter.sources()).toBe(0);
  });

  it('counts an IPv6 /64 as one source, and an IPv4-mapped address as its IPv4 address', () => {
    const limiter = createRateLimiter(settings(), { random: never });
    expect(
      admitted(limiter, '2001:db8:0:1::1', 15, 0) + admitted(limiter, '2001:db8:0:1:ffff::2', 15, 0),
    ).toBe(20);
    expect(admitted(limiter, '2001:db8:0:2::1', 15, 0)).toBe(15);
    expect(admitted(limiter, '192.0.2.1', 15, 0) + admitted(limiter, '::ffff:192.0.2.1', 15, 0)).toBe(20);
    expect(limiter.sources()).toBe(3);
  });

  it('keeps its memory whatever the number of sources, and keeps tracking an active flooder', () => {
    const limiter = createRateLimiter(settings({ table: 1024 }), { random: never });
    expect(limiter.buffer.byteLength).toBe(rateLimitBufferBytes(1024));
    let flooderAnswers = 0;
    for (let i = 0; i < 20_000; i++) {
      const t = i * 0.1; // 2 s in all
      limiter.admitAddress(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, t);
      if (limiter.admitAddress('198.51.100.1', t)) flooderAnswers++;
    }
    expect(limiter.sources()).toBe(1024);
    expect(limiter.buffer.byteLength).toBe(rateLimitBufferBytes(1024));
    // Evicting the flooder would hand it a fresh burst each time; staying tracked, it gets the rate.
    expect(flooderAnswers).toBeLessThanOrEqual(20 + 100 * 2 + 1);
  });

  it('shares one table between limiters on the same buffer, as worker threads do', () => {
    const a = createRateLimiter(settings(), { random: never });
    const b = createRateLimiter(settings(), { random: never, buffer: a.buffer });
    expect(admitted(a, '192.0.2.1', 15, 0) + admitted(b, '192.0.2.1', 15, 0)).toBe(20);
    expect(b.sources()).toBe(1);
    expect(() => createRateLimiter(settings({ table: 10 }), { buffer: a.buffer })).toThrow(RangeError);
  });

  it("allows one Kiss-o'-Death per source per second", () => {
    const limiter = createRateLimiter(settings({ burst: 1, rate: 1 }), { random: never });
    expect(limiter.admitAddress('192.0.2.1', 0)).toBe(true);
    expect(limiter.admitAddress('192.0.2.1', 10)).toBe(false);
    expect(limiter.kissOfDeath(10)).toBe(true);
    expect(limiter.admitAddress('192.0.2.1', 20)).toBe(false);
    expect(limiter.kissOfDeath(20)).toBe(false);
    expect(limiter.admitAddress('192.0.2.2', 500)).toBe(true);
    expect(limiter.admitAddress('192.0.2.2', 600)).toBe(false);
    expect(limiter.kissOfDeath(600)).toBe(true); // another source
    expect(limiter.admitAddress('192.0.2.1', 1020)).toBe(true); // a token grew back
    expect(limiter.admitAddress('192.0.2.1', 1030)).toBe(false);
    expect(limiter.kissOfDeath(1030)).toBe(true);
  });

  it('reports how many sources are over their limit now', () => {
    const limiter = createRateLimiter(settings(), { random: never });
    admitted(limiter, '192.0.2.1', 25, 0);
    admitted(limiter, '192.0.2.2', 5, 0);
    expect(limiter.limitedSources(0)).toBe(1);
    expect(limiter.limitedSources(1000)).toBe(0);
  });

  it('rejects exempt ranges that are not ranges', () => {
    expect(() => createRateLimiter(settings({ exempt: ['10.0.0.0/33'] }))).toThrow(/10\.0\.0\.0\/33/);
  });
});
