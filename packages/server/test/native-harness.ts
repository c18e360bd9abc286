// Exercises the batched I/O addon at its edges, for a run under AddressSanitizer or valgrind
// (src/io/native-memory.test.ts): datagrams of every size up to 65,507 bytes (most larger than a slot),
// bursts of several batches, replies to good and bad addresses, oversized replies, sending and closing from
// inside a batch, sockets opened and dropped to the garbage collector, and bad arguments to every function.
// Prints one JSON line of counts and exits 0; any memory error makes the sanitizer end it otherwise.
import { createSocket } from 'node:dgram';
import { loadBatchedUdp } from '@tock/udp';
import { createBatchedTransport } from '../src/io/batched-transport.ts';
import type { Endpoint, Transport } from '../src/io/transport.ts';

const rounds = Number(process.argv[2] ?? 3);
const status = loadBatchedUdp();
if (!status.ok) {
  console.log(JSON.stringify({ skipped: status.reason }));
  process.exit(0);
}
const native = status.binding;
let seed = 0x9e3779b9;
/** xorshift32: a fixed sequence, so that a failure can be replayed. */
const random = (n: number): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};

const errors = new Map<string, number>();
const counts = { received: 0, replies: 0, sendErrors: 0, truncated: 0, throws: 0 };

function expectThrow(f: () => unknown): void {
  try {
    f();
  } catch {
    counts.throws++;
    return;
  }
  throw new Error(`did not throw: ${f.toString()}`);
}

// Bad arguments: each must throw, none may touch memory it does not own.
const small = new ArrayBuffer(16);
expectThrow(() => native.open('127.0.0.1', 0, false, small, () => undefined));
expectThrow(() =>
  native.open('not an address', 0, false, new ArrayBuffer(native.BUFFER_BYTES), () => undefined),
);
expectThrow(() =>
  native.open('127.0.0.1', 70_000, false, new ArrayBuffer(native.BUFFER_BYTES), () => undefined),
);
expectThrow(() =>
  native.open('x'.repeat(10_000), 0, false, new ArrayBuffer(native.BUFFER_BYTES), () => undefined),
);
expectThrow(() => native.ntop(small, 0));
expectThrow(() => native.ntop(new ArrayBuffer(native.BUFFER_BYTES), native.BUFFER_BYTES - 1));
expectThrow(() => native.pton('127.0.0.1', small, 0));
expectThrow(() => native.pton('127.0.0.1', new ArrayBuffer(native.BUFFER_BYTES), 0xffff_fff0));
if (native.pton('y'.repeat(500), new ArrayBuffer(native.BUFFER_BYTES), 0) !== 0)
  throw new Error('pton accepted junk');
if (native.pton('fe80::1%999999999999', new ArrayBuffer(native.BUFFER_BYTES), 0) !== 6)
  throw new Error('pton scope');
{
  const s = native.open('127.0.0.1', 0, false, new ArrayBuffer(native.BUFFER_BYTES), () => undefined);
  expectThrow(() => s.send(-1));
  expectThrow(() => s.send(native.BATCH + 1));
  s.send(native.BATCH); // zeroed meta: family 0, every datagram refused, none sent
  s.close();
  s.close();
  expectThrow(() => s.send(1));
  expectThrow(() => s.address());
}

async function round(host: string, clientType: 'udp4' | 'udp6', clientHost: string): Promise<void> {
  let transport: Transport | undefined;
  let closeInside = false;
  const t = createBatchedTransport({
    host,
    port: 0,
    clock: () => 0n,
    events: {
      datagram: (d) => {
        counts.received++;
        const n = d.data.length;
        let sum = 0;
        for (let i = 0; i < n; i++) sum += d.data[i] as number; // read every byte handed over
        if (sum < 0) throw new Error('unreachable');
        const to: Endpoint =
          random(8) === 0 ? { ...d.sender, address: random(2) ? '::1' : '10.0.0.1' } : d.sender;
        transport?.send(d.data.subarray(0, Math.min(n, 64)), to);
        if (random(16) === 0) transport?.send(new Uint8Array(3000), d.sender); // larger than a send slot
        if (random(16) === 0)
          transport?.send(new Uint8Array(8), { address: 'bogus', port: 1, family: 'IPv4' });
        if (closeInside && random(4) === 0) void transport?.close();
      },
      sendError: (e) => {
        if (process.env.HARNESS_DEBUG) errors.set(e.message, (errors.get(e.message) ?? 0) + 1);
        counts.sendErrors++;
      },
      socketError: () => undefined,
    },
  });
  transport = t;
  const { port } = await t.bind();
  const client = createSocket(clientType);
  await new Promise<void>((resolve) => client.bind(0, clientHost, resolve));
  client.on('message', () => {
    counts.replies++;
  });
  const sizes = [0, 1, 47, 48, 1024, 1031, 1032, 1033, 2048, 9000, 65_507];
  for (let burst = 0; burst < 4; burst++) {
    for (let i = 0; i < 150; i++) {
      const size = i < sizes.length ? (sizes[i] as number) : random(4) === 0 ? random(65_508) : random(1100);
      const payload = new Uint8Array(size);
      for (let j = 0; j < Math.min(size, 64); j++) payload[j] = random(256);
      client.send(payload, port, clientHost);
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  closeInside = true;
  for (let i = 0; i < 100; i++) client.send(new Uint8Array(random(1100)), port, clientHost);
  await new Promise((resolve) => setTimeout(resolve, 30));
  counts.truncated += (t as ReturnType<typeof createBatchedTransport>).stats()?.truncated ?? 0;
  if (process.env.HARNESS_DEBUG)
    console.error(host, counts, (t as ReturnType<typeof createBatchedTransport>).stats());
  await t.close();
  client.close();
}

for (let r = 0; r < rounds; r++) {
  await round('127.0.0.1', 'udp4', '127.0.0.1');
  await round('::', 'udp4', '127.0.0.1');
  await round('::1', 'udp6', '::1');
  // Sockets that are never closed, only dropped: the finalizer closes them.
  for (let i = 0; i < 20; i++)
    native.open('127.0.0.1', 0, false, new ArrayBuffer(native.BUFFER_BYTES), () => undefined);
  (globalThis as { gc?: () => void }).gc?.();
}
if (process.env.HARNESS_DEBUG) console.error(errors);
if (counts.received === 0 || counts.replies === 0 || counts.truncated === 0) {
  throw new Error(`harness did not exercise the addon: ${JSON.stringify(counts)}`);
}
console.log(JSON.stringify(counts));
if (process.env.HARNESS_DEBUG) console.error(errors);
process.exit(0);
