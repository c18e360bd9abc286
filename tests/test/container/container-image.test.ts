/**
 * The container image of deploy/docker/Dockerfile, built by scripts/container/build-image.sh, run with podman:
 * its UDP port and metrics port published on 127.0.0.1, asked the time by `tock` over NTP and plain text,
 * probed on /healthz (by us and by the image's own HEALTHCHECK), its log read for the batched I/O path, and
 * stopped with SIGTERM, which must end it with status 0. The container is removed in afterAll.
 *
 * No image (or no podman): skipped with the reason on a developer's machine, a failure under CI, where
 * .ci/run builds the image before the tests.
 */
import { fileURLToPath } from 'node:url';
import { findProgram, freeTcpPort, freeUdpPort, run } from '@tock/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTock } from '../client/support.ts';
import { parseEvents, type TockdEvent } from '../server/support.ts';

const IMAGE = process.env.TOCK_IMAGE ?? 'localhost/tockd:latest';
const BUILD = 'scripts/container/build-image.sh';
/** podman as the build script runs it: runc and the repository's containers.conf (cgroup v1/hybrid kernels). */
const ENV: NodeJS.ProcessEnv = {
  ...process.env,
  CONTAINERS_CONF: fileURLToPath(new URL('../../../scripts/container/containers.conf', import.meta.url)),
};
const NAME = `tock-image-test-${process.pid}`;

const podmanPath = findProgram('podman');
const podman = (args: readonly string[], timeoutMs = 30_000) =>
  run(podmanPath ?? 'podman', ['--runtime', 'runc', ...args], { timeoutMs, env: ENV });

/** Why the image cannot be tested here, or undefined when it can. */
async function missing(): Promise<string | undefined> {
  if (podmanPath === undefined)
    return `podman is not installed (apt-get install podman runc, or run ${BUILD})`;
  const exists = await podman(['image', 'exists', IMAGE]);
  if (exists.code !== 0) return `the image ${IMAGE} is not built (run ${BUILD} as root)`;
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The container's events so far (its stdout; podman logs writes the container's stderr to ours). */
async function events(): Promise<{ events: TockdEvent[]; stderr: string }> {
  const logs = await podman(['logs', NAME]);
  const complete = logs.stdout.slice(0, logs.stdout.lastIndexOf('\n') + 1);
  return { events: parseEvents(complete), stderr: logs.stderr };
}

let skipReason: string | undefined;
let udpPort = 0;
let metricsPort = 0;
let listening: TockdEvent | undefined;
let started = false;

beforeAll(async () => {
  skipReason = await missing();
  if (skipReason !== undefined) {
    if (process.env.CI) throw new Error(`${skipReason}; CI builds it in .ci/run before the tests`);
    return;
  }
  udpPort = await freeUdpPort(['127.0.0.1']);
  metricsPort = await freeTcpPort();
  const r = await podman(
    [
      'run',
      '--detach',
      '--name',
      NAME,
      '--publish',
      `127.0.0.1:${udpPort}:1123/udp`,
      '--publish',
      `127.0.0.1:${metricsPort}:9123/tcp`,
      IMAGE,
    ],
    60_000,
  );
  expect(r.code, `podman run: ${r.stderr}`).toBe(0);
  started = true;
  const deadline = Date.now() + 60_000;
  while (listening === undefined && Date.now() < deadline) {
    const seen = await events();
    listening = seen.events.find((e) => e.event === 'listening');
    if (listening !== undefined) break;
    const state = await podman(['inspect', '--format', '{{.State.Running}}', NAME]);
    if (state.stdout.trim() === 'false')
      throw new Error(`the container stopped before listening:\n${seen.stderr}`);
    await sleep(250);
  }
  if (listening === undefined) throw new Error('the container did not log its listening event in 60 s');
}, 150_000);

afterAll(async () => {
  if (started) await podman(['rm', '--force', '--time', '0', NAME], 60_000);
}, 90_000);

describe('the container image (deploy/docker/Dockerfile)', () => {
  it('runs tockd as a non-root user on the batched I/O path', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip(skipReason);
    expect(listening).toMatchObject({ level: 'info', io: 'batched', port: 1123, address: '::' });
    expect(listening?.msg).toMatch(/^tockd \S+ listening on udp \[::\]:1123 \(text, JSON, NTP, IPv4 too;/);
    const fallback = (await events()).events.filter((e) => e.event === 'io-fallback');
    expect(fallback).toEqual([]);
    const user = await podman(['exec', NAME, 'id', '-u']);
    expect(user.stdout.trim()).not.toBe('0');
    expect(user.stdout.trim()).toMatch(/^\d+$/);
  });

  it('answers tock over NTP on the published UDP port', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip(skipReason);
    const r = await runTock([`127.0.0.1:${udpPort}`, '--protocol', 'ntp', '--json'], { timeoutMs: 20_000 });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ protocol: 'ntp', reply: { mode: 4, version: 4, stratum: 2 } });
    expect(Math.abs(Date.parse(out.time) - Date.now())).toBeLessThan(5_000);
  }, 30_000);

  it('answers tock over plain text with a ctime line', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip(skipReason);
    const r = await runTock([`127.0.0.1:${udpPort}`, '--protocol', 'text', '--json'], { timeoutMs: 20_000 });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ protocol: 'text', reply: { format: 'ctime' } });
    expect(out.reply.line).toMatch(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n$/);
  }, 30_000);

  it('serves /healthz on the published metrics port, and its HEALTHCHECK passes', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip(skipReason);
    const health = await fetch(`http://127.0.0.1:${metricsPort}/healthz`, {
      signal: AbortSignal.timeout(10_000),
    });
    expect(health.status).toBe(200);
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, {
      signal: AbortSignal.timeout(10_000),
    });
    expect(await metrics.text()).toMatch(/^tock_requests_total/m);
    const check = await podman(['healthcheck', 'run', NAME], 30_000);
    expect(check.code, `podman healthcheck run: ${check.stdout}${check.stderr}`).toBe(0);
  }, 60_000);

  it('stops on SIGTERM with exit status 0', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip(skipReason);
    const kill = await podman(['kill', '--signal', 'SIGTERM', NAME]);
    expect(kill.code, kill.stderr).toBe(0);
    // run() rejects when podman wait outlives its 60 s.
    const wait = await podman(['wait', NAME], 60_000);
    expect(wait.stdout.trim()).toBe('0');
    const exit = await podman(['inspect', '--format', '{{.State.ExitCode}}', NAME]);
    expect(exit.stdout.trim()).toBe('0');
    const ended = (await events()).events.map((e) => e.event);
    expect(ended).toContain('stopping');
    expect(ended.at(-1)).toBe('stopped');
  }, 90_000);
});
