/**
 * The built `tock` program, spawned as a user runs it (`node packages/client/bin/tock.js ...`), against the
 * real lab servers and against a UDP port that never answers. Every process has a hard timeout and is
 * stopped in afterAll.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  freeUdpPort,
  needProgram,
  type PeerServer,
  REPO_ROOT,
  startLabServer,
  stopAll,
} from '@tock/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltClient, runTock, startSilentServer, TOCK_BIN } from './support.ts';

const python = needProgram('python3', 'Debian package python3');
const skipReason = 'skip' in python ? python.skip : '';
const labs: Partial<Record<'crlf' | 'asctime', PeerServer>> = {};

beforeAll(async () => {
  requireBuiltClient();
  if ('path' in python) {
    labs.crlf = await startLabServer('crlf', { python: python.path });
    labs.asctime = await startLabServer('asctime', { python: python.path });
  }
});

afterAll(async () => {
  await Promise.all(Object.values(labs).map((lab) => lab.stop()));
  await stopAll();
});

/** One line on stderr starting with "tock: ", and no stack trace. */
function expectOneLine(stderr: string): void {
  expect(stderr).toMatch(/^tock: [^\n]+\n$/);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('tock, the program', () => {
  it('is a small executable launcher with a node shebang', () => {
    const source = readFileSync(TOCK_BIN, 'utf8');
    expect(source.startsWith('#!/usr/bin/env node\n')).toBe(true);
    // It imports the built CLI and, when that build is missing, says what to run (readme-commands.test.ts).
    expect(source).toContain("await import('../dist/cli.mjs')");
    expect(source.split('\n').filter((l) => l.trim() && !l.startsWith('//')).length).toBeLessThanOrEqual(10);
    expect(TOCK_BIN).toBe(join(REPO_ROOT, 'packages', 'client', 'bin', 'tock.js'));
  });

  it('--help and --version exit 0', async () => {
    const help = await runTock(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(
      /^tock \d+\.\d+\.\d+\n[^\n]+\n[\s\S]*\nUsage: tock \[flags\] HOST\[:PORT\]\n/,
    );
    expect(help.stdout).toContain('--protocol text|json|ntp');
    const version = await runTock(['--version']);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'client', 'package.json'), 'utf8'));
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('a usage error exits 2 with the message and where to look', async () => {
    const r = await runTock(['--protocol', 'sntp', '127.0.0.1']);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe(
      'tock: --protocol must be one of text, json, ntp, not "sntp" [USAGE]\nRun "tock --help" to see every flag.\n',
    );
    const bad = await runTock(['not a host']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'tock: "not a host" is not host, host:port or [v6-address]:port [USAGE]\nRun "tock --help" to see every flag.\n',
    );
  });

  it('talks to a lab server like the lab client, with the CRLF removed', async (ctx) => {
    ctx.skip(labs.crlf === undefined, skipReason);
    const r = await runTock(['--protocol', 'text', labs.crlf!.target]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(
      /^Time received: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} from 127\.0\.0\.1:\d+ \(text: whole seconds, no offset or delay\)\n$/,
    );
  });

  it('--json against the 10-byte lab server: time, and null offset and delay', async (ctx) => {
    ctx.skip(labs.asctime === undefined, skipReason);
    const before = Date.now();
    const r = await runTock(['--json', '-p', 'text', labs.asctime!.target]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      protocol: 'text',
      offsetMs: null,
      delayMs: null,
      resolutionMs: 1000,
      attempts: 1,
    });
    expect(out.reply.line).toMatch(/\d{4}$/);
    expect(Date.parse(out.time)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(Date.parse(out.time)).toBeLessThanOrEqual(Date.now());
  });

  it('ntp (the default) against a lab server: exit 1, says to use text', async (ctx) => {
    ctx.skip(labs.crlf === undefined, skipReason);
    const r = await runTock(['--timeout', '100', '--retries', '0', labs.crlf!.target]);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expectOneLine(r.stderr);
    expect(r.stderr).toContain('try protocol text) [INVALID_REPLY]');
  });

  it('nothing listening: exit 1 at once, UNREACHABLE', async () => {
    const port = await freeUdpPort(['127.0.0.1']);
    const r = await runTock([`127.0.0.1:${port}`]);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe(
      `tock: 127.0.0.1:${port} is unreachable (ECONNREFUSED, port unreachable: is a server listening there?) [UNREACHABLE]\n`,
    );
  });

  it('no reply: retries, then exit 1 with TIMEOUT (and JSON with --json)', async () => {
    const silent = await startSilentServer();
    try {
      const r = await runTock(['--timeout', '50', '--retries', '2', silent.target]);
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(r.stderr).toMatch(
        /^tock: no reply from 127\.0\.0\.1:\d+ after 3 requests in \d+ ms \[TIMEOUT\]\n$/,
      );
      expect(silent.received()).toBe(3);
      const json = await runTock(['--json', '--timeout', '20', '--retries', '0', silent.target]);
      expect(json).toMatchObject({ code: 1, stderr: '' });
      expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'TIMEOUT', attempts: 1 } });
    } finally {
      await silent.close();
    }
  });

  it('Ctrl-C (SIGINT) while waiting: exit 130 at once, one line', async () => {
    const silent = await startSilentServer('::1');
    try {
      const requested = silent.nextRequest();
      const started = performance.now();
      const r = await runTock(['--timeout', '20000', silent.target], {
        onSpawn: (child) => {
          void requested.then(() => child.kill('SIGINT'));
        },
      });
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(r).toMatchObject({ code: 130, signal: null, stdout: '' });
      expect(r.stderr).toBe('tock: the query was aborted: interrupted [ABORTED]\n');
    } finally {
      await silent.close();
    }
  });
});
