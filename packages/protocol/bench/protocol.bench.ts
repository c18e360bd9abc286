/**
 * Micro-benchmarks of tock's codecs and of `handle()`, the request handler at the core of tockd: how many
 * datagrams one thread can classify, answer, encode and decode per second. Run with `pnpm bench` (after
 * `pnpm turbo run build`); prints a table of operations per second. Absolute figures depend on the machine:
 * compare runs on the same machine only.
 */

import { printBenchTable } from '@tock/bench';
import {
  buildNtpRequest,
  classify,
  createHandlerContext,
  decodeJsonReply,
  decodeJsonRequest,
  encodeJson,
  formatTime,
  handle,
  parseTimeLine,
  readNtpReply,
} from '@tock/protocol';
import { Bench } from 'tinybench';

const encoder = new TextEncoder();
const now = (): bigint => BigInt(Date.now()) * 1_000_000n;
const context = createHandlerContext(now, { textFormat: 'ctime', timeZone: 'UTC' });
const zoned = createHandlerContext(now, { textFormat: 'ctime', timeZone: 'Europe/Paris' });

const nonce = 0x0123_4567_89ab_cdefn;
const ntpRequest = buildNtpRequest(nonce);
const jsonRequest = encodeJson({ v: 1, type: 'time.request', id: 'c0ffee-1', t1: Date.now(), format: 'iso' });
const textRequest = encoder.encode('Time request');
const answer = (request: Uint8Array): Uint8Array => {
  const result = handle(request, now(), context);
  if (result.action !== 'reply') throw new Error(`no reply: ${result.reason}`);
  return result.bytes;
};
const ntpReply = answer(ntpRequest);
const jsonReply = answer(jsonRequest);
const ctimeLine = new TextDecoder().decode(answer(textRequest));
const isoLine = formatTime(now(), 'iso', 'UTC');
const pivot = now();

const bench = new Bench({ name: '@tock/protocol', time: Number(process.env.BENCH_TIME_MS ?? 500) });
bench
  .add('handle: NTP request → reply', () => {
    handle(ntpRequest, pivot, context);
  })
  .add('handle: JSON request → reply', () => {
    handle(jsonRequest, pivot, context);
  })
  .add('handle: text request → ctime line (UTC)', () => {
    handle(textRequest, pivot, context);
  })
  .add('handle: text request → ctime line (Europe/Paris)', () => {
    handle(textRequest, pivot, zoned);
  })
  .add('classify: NTP', () => {
    classify(ntpRequest);
  })
  .add('buildNtpRequest', () => {
    buildNtpRequest(nonce);
  })
  .add('readNtpReply', () => {
    readNtpReply(ntpReply, nonce, pivot);
  })
  .add('encodeJson: request', () => {
    encodeJson({ v: 1, type: 'time.request', id: 'c0ffee-1', t1: 1_520_945_698_100.25 });
  })
  .add('decodeJsonRequest', () => {
    decodeJsonRequest(jsonRequest);
  })
  .add('decodeJsonReply (zod)', () => {
    decodeJsonReply(jsonReply);
  })
  .add('parseTimeLine: ctime', () => {
    parseTimeLine(ctimeLine, 'UTC');
  })
  .add('parseTimeLine: iso', () => {
    parseTimeLine(isoLine, 'UTC');
  })
  .add('formatTime: ctime', () => {
    formatTime(pivot, 'ctime', 'UTC');
  });

await bench.run();
printBenchTable(bench);
