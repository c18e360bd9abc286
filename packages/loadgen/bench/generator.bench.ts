/**
 * Micro-benchmarks of the load generator's own work per request: making a request, matching and validating
 * its reply (per protocol), and recording the latency. Together they bound how many replies per second one
 * worker thread can check. Run with `pnpm bench` (prints operations per second; compare runs on one machine).
 */

import { printBenchTable } from '@tock/bench';
import { createHandlerContext, handle } from '@tock/protocol';
import { Bench } from 'tinybench';
import { createHistogram, recordUs } from '../src/histogram.ts';
import { createCodec, type ProtocolName } from '../src/protocols/index.ts';

const clock = (): bigint => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
const context = createHandlerContext(clock, { timeZone: 'UTC' });
const settings = { toleranceMs: 1000, timeZone: 'UTC', textRequest: 'Time request', salt: 0xc0ffee01 };

const bench = new Bench({ name: '@tock/loadgen', time: Number(process.env.BENCH_TIME_MS ?? 500) });
for (const protocol of ['ntp', 'json', 'text', 'echo'] as ProtocolName[]) {
  const codec = createCodec(protocol, settings);
  const sent = performance.timeOrigin + performance.now();
  const request = codec.request(7, sent);
  const result = protocol === 'echo' ? undefined : handle(request, clock(), context);
  const reply = result === undefined ? request : result.action === 'reply' ? result.bytes : request;
  const received = sent + 0.05;
  bench
    .add(`${protocol}: make a request`, () => {
      codec.request(7, sent);
    })
    .add(`${protocol}: match and validate a reply`, () => {
      // A fresh copy per call, as every datagram arrives in its own buffer.
      const bytes = Uint8Array.from(reply);
      const seq = codec.key(bytes);
      codec.check(bytes, Math.max(seq, 0), sent, received);
    });
}
const histogram = createHistogram();
let v = 0;
bench.add('histogram: record a latency', () => {
  recordUs(histogram, 40 + (v++ % 500));
});

await bench.run();
printBenchTable(bench);
