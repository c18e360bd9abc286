/**
 * Against servers that are not ours: the lab's Python servers (text), chronyd (NTP), and tockd when it has
 * been built. Each test starts its server on a free loopback port and stops it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  needProgram,
  type PeerServer,
  REPO_ROOT,
  startChronyd,
  startLabServer,
  startListening,
} from '@tock/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../src/index.ts';
import { IO_NAMES } from '../src/io/types.ts';

const byIo = <T>(cases: readonly T[]): Array<[(typeof IO_NAMES)[number], T]> =>
  IO_NAMES.flatMap((io) => cases.map((c): [(typeof IO_NAMES)[number], T] => [io, c]));

const started: PeerServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});
async function keep(server: Promise<PeerServer>): Promise<PeerServer> {
  const s = await server;
  started.push(s);
  return s;
}

// A missing peer skips these here, and fails them under CI.
const python = needProgram('python3', 'Debian package python3');
const chronyd = needProgram('chronyd', 'Debian package chrony');

describe.skipIf(python.skip !== undefined)('the lab servers (text)', () => {
  it.each(byIo(['crlf', 'asctime'] as const))(
    '--io %s, lab_server_%s.py: every ctime reply is valid',
    async (io, variant) => {
      const server = await keep(startLabServer(variant, { python: python.path! }));
      // The lab servers write ctime lines in their local zone: the one this process has too.
      const r = await run({
        target: server.target,
        protocol: 'text',
        connections: 4,
        amount: 400,
        workers: 0,
        io,
      });
      expect(r).toMatchObject({ sent: 400, valid: 400, invalid: 0, lost: 0 });
    },
  );

  it('catches a time zone mismatch as invalid replies', async () => {
    const server = await keep(startLabServer('crlf', { python: python.path! }));
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone === 'Asia/Kolkata' ? 'UTC' : 'Asia/Kolkata';
    const r = await run({
      target: server.target,
      protocol: 'text',
      connections: 1,
      amount: 10,
      workers: 0,
      timeZone: zone,
    });
    expect(r).toMatchObject({ valid: 0, invalid: 10, invalidReasons: { 'wrong-time': 10 } });
  });
});

describe.skipIf(chronyd.skip !== undefined)('chronyd (NTP)', () => {
  it.each(IO_NAMES)(
    '--io %s: answers a closed-loop flood with valid replies only',
    async (io) => {
      const server = await keep(startChronyd({ path: chronyd.path! }));
      const r = await run({
        target: server.target,
        protocol: 'ntp',
        connections: 16,
        duration: 1,
        workers: 1,
        io,
      });
      expect(r.valid).toBeGreaterThan(1000);
      expect(r.invalid).toBe(0);
      expect(r.lossPct).toBeLessThan(1);
      expect(r.generator.eventLoopUtilization).toBeGreaterThan(0);
    },
    20_000,
  );

  it('ignores JSON, so every JSON request is lost', async () => {
    const server = await keep(startChronyd({ path: chronyd.path! }));
    const r = await run({
      target: server.target,
      protocol: 'json',
      connections: 2,
      amount: 6,
      timeout: 0.1,
      workers: 0,
    });
    expect(r).toMatchObject({ sent: 6, valid: 0, lost: 6 });
  }, 20_000);
});

const tockd = join(REPO_ROOT, 'packages/server/bin/tockd.js');
const tockdBuilt = existsSync(tockd) && existsSync(join(REPO_ROOT, 'packages/server/dist/cli.mjs'));
describe.skipIf(!tockdBuilt)('tockd', () => {
  it.each(byIo(['ntp', 'json', 'text'] as const))(
    '--io %s: answers %s validly',
    async (io, protocol) => {
      const server = await keep(
        startListening(process.execPath, [tockd, '--host', '127.0.0.1', '--port', '0']),
      );
      const r = await run({
        target: server.target,
        protocol,
        connections: 8,
        duration: 0.5,
        workers: 1,
        io,
      });
      expect(r.valid).toBeGreaterThan(100);
      expect(r.invalid).toBe(0);
      expect(r.lost).toBe(0);
    },
    20_000,
  );
});
