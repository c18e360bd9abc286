// 20,000 random and mutated datagrams at a running tockd: it must keep running and keep answering.
import { buildNtpRequest, decodeJsonReply, readNtpReply } from '@tock/protocol';
import { exchange, stopAll, type UdpClient, udpClient } from '@tock/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { CTIME_LINE, startTockd } from './support.ts';

afterAll(stopAll);

const DATAGRAMS = 20_000;
/** Datagrams sent before waiting for tockd to catch up, so that no socket buffer overflows. */
const BURST = 64;
const SEED = Number(process.env.TOCK_FUZZ_SEED ?? 0x7063_6b21);

/** mulberry32: a small seeded PRNG, so that a failure can be replayed with TOCK_FUZZ_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function generator(random: () => number): () => Uint8Array {
  const int = (n: number): number => Math.floor(random() * n);
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(256));
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const mutate = (base: Uint8Array): Uint8Array => {
    let out = Uint8Array.from(base);
    for (let i = 1 + int(3); i > 0; i--) {
      switch (int(5)) {
        case 0: // flip a bit
          if (out.length > 0) out[int(out.length)]! ^= 1 << int(8);
          break;
        case 1: // overwrite a byte
          if (out.length > 0) out[int(out.length)] = int(256);
          break;
        case 2: // truncate
          out = out.slice(0, int(out.length + 1));
          break;
        case 3: // append random bytes, up to 1500 in all
          out = Uint8Array.from([...out, ...bytes(int(Math.max(1, 1500 - out.length)))]);
          break;
        case 4: // change the first byte (NTP leap, version and mode)
          if (out.length > 0) out[0] = int(256);
          break;
      }
    }
    return out;
  };
  const encoder = new TextEncoder();
  const jsonRequest = (): Uint8Array => {
    const request: Record<string, unknown> = {
      v: pick([1, 1, 1, 2, '1', null]),
      type: pick(['time.request', 'time.request', 'time.response', 'error', 'x']),
    };
    if (random() < 0.9) request.id = pick(['a', 'req-1', '', 'has space', 'x'.repeat(65), 7]);
    if (random() < 0.5) request.t1 = pick([Date.now(), -1, 1e300, 'now', Date.now() + 0.123]);
    if (random() < 0.3) request.format = pick(['ctime', 'iso', 'unix', 'unix-ms', 'rfc2822', 1]);
    return encoder.encode(JSON.stringify(request));
  };
  return () => {
    const r = random();
    if (r < 0.4) return bytes(int(1501));
    if (r < 0.5)
      return encoder.encode(String.fromCharCode(...Array.from({ length: int(100) }, () => 32 + int(95))));
    if (r < 0.75) {
      const nonce = (BigInt(int(2 ** 32)) << 32n) | BigInt(int(2 ** 32));
      return mutate(buildNtpRequest(nonce, { version: 1 + int(4) }));
    }
    return random() < 0.3 ? jsonRequest() : mutate(jsonRequest());
  };
}

/** Sends a JSON probe and waits for its reply (skipping replies to earlier datagrams); retries a lost probe. */
async function barrier(client: UdpClient, port: number, n: number): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const id = `probe-${n}-${attempt}`;
    client.send(`{"v":1,"type":"time.request","id":"${id}"}`, port);
    const deadline = Date.now() + 1000;
    while (Date.now() < deadline) {
      let message: Buffer;
      try {
        message = await client.next(deadline - Date.now());
      } catch {
        break;
      }
      const reply = decodeJsonReply(message);
      if (reply.ok && reply.reply.id === id) return;
    }
  }
  throw new Error(`tockd stopped answering after burst ${n}`);
}

describe('tockd under random datagrams', () => {
  it(`keeps running and answering all three protocols after ${DATAGRAMS} random and mutated datagrams`, async () => {
    const tockd = await startTockd(['--port', '0']);
    const client = await udpClient();
    const next = generator(prng(SEED));
    try {
      for (let sent = 0; sent < DATAGRAMS; ) {
        const burst = Math.min(BURST, DATAGRAMS - sent);
        for (let i = 0; i < burst; i++) client.send(next(), tockd.port);
        sent += burst;
        await barrier(client, tockd.port, sent);
      }
      expect(tockd.child.exitCode, `seed ${SEED}`).toBeNull();
      expect((await exchange('Time request', tockd.port)).toString()).toMatch(CTIME_LINE);
      const json = decodeJsonReply(await exchange('{"v":1,"type":"time.request","id":"after"}', tockd.port));
      expect(json.ok && json.reply.type === 'time.response' && json.reply.id).toBe('after');
      const nonce = 0x1234_5678_9abc_def0n;
      const ntp = readNtpReply(
        await exchange(buildNtpRequest(nonce), tockd.port),
        nonce,
        BigInt(Date.now()) * 1_000_000n,
      );
      expect(ntp.ok).toBe(true);
    } finally {
      await client.close();
      expect(await tockd.stop()).toEqual({ code: 0, signal: null });
    }
    const { stdout, stderr } = tockd.output();
    // Nothing per request, no error, on either stream: only the listening, stopping and stopped events.
    expect(stderr).toBe('');
    expect(tockd.events().map((e) => e.event)).toEqual(['listening', 'stopping', 'stopped']);
    const counted = /closed after (\d+) datagrams: (\d+) replied to, (\d+) dropped/.exec(stdout);
    expect(counted, stdout).not.toBeNull();
    console.log(`tockd after the fuzz run (seed ${SEED}): ${counted![0]}`);
    const [received, replied, dropped] = counted!.slice(1).map(Number) as [number, number, number];
    // Loopback does not lose datagrams at this pace; allow 1% for a busy machine.
    expect(received).toBeGreaterThanOrEqual(DATAGRAMS * 0.99);
    expect(replied + dropped).toBe(received);
    expect(dropped).toBeGreaterThan(DATAGRAMS / 4);
  });
});
