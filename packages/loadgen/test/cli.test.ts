/** `tock-loadgen` end to end through main(): output, exit statuses, the regression gate and merge. */

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@tock/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeServer, type FakeServerOptions, startFakeServer } from '../scripts/fake-server.ts';
import { main } from '../src/cli/main.ts';
import { captureIo } from './helpers.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tock-loadgen-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function fake(options: FakeServerOptions = {}): Promise<FakeServer> {
  const server = await startFakeServer(options);
  servers.push(server);
  return server;
}

async function cli(...argv: string[]) {
  const io = captureIo();
  const status = await main(argv, io);
  return { status, out: io.out, err: io.err };
}

describe('a run', () => {
  it('--json prints one JSON object with the documented fields', async () => {
    const server = await fake();
    const r = await cli('-c', '2', '-a', '100', '-w', '0', '--json', server.target);
    expect(r.status).toBe(0);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    const result = JSON.parse(r.out);
    expect(result).toMatchObject({ sent: 100, valid: 100, invalid: 0, lost: 0, protocol: 'ntp' });
    expect(result.rps).toBeGreaterThan(0);
    for (const p of ['p50', 'p90', 'p99', 'p999', 'max']) expect(result.latencyUs[p]).toBeGreaterThan(0);
    expect(r.err).toContain(`Running 100-request closed-loop ntp test @ ${server.target}`);
  });

  it('prints tables of latency percentiles, throughput and counts for a person', async () => {
    const server = await fake({ dropEvery: 4 });
    const r = await cli(
      '-c',
      '4',
      '-a',
      '200',
      '-R',
      '1000',
      '-t',
      '0.3',
      '-w',
      '0',
      '-p',
      'text',
      server.target,
    );
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/Latency \(µs\) +│ p50 +│ p90 +│ p99 +│ p99\.9 +│ Max/);
    expect(r.out).toContain('Throughput (per second)');
    expect(r.out).toMatch(/│ count +│ +200 │ +150 │ +0 │ +50 \(25%\) │/);
    expect(r.out).toMatch(/200 requests in [\d.]+s: [\d,]+ valid replies\/s, p99 [\d,]+ µs, 25% lost/);
  });

  it('exits 4 when the server lies about the time', async () => {
    const server = await fake({ clockOffsetMs: -3_600_000 });
    const r = await cli('-c', '1', '-a', '20', '-w', '0', '-p', 'json', server.target);
    expect(r.status).toBe(4);
    expect(r.out).toContain('warning: 20 invalid replies (wrong-time 20)');
    expect(r.err).toContain('tock-loadgen: no valid reply to 20 requests [BAD_REPLIES]');
  });

  it('exits 3 when the target does not resolve', async () => {
    const r = await cli('-a', '1', 'no-such-host.invalid:5005');
    expect(r.status).toBe(3);
    expect(r.err).toMatch(/cannot resolve "no-such-host.invalid".*\[RUN_FAILED\]/);
  });

  it('writes the result with --output', async () => {
    const server = await fake();
    const file = join(dir, 'out.json');
    const r = await cli('-c', '1', '-a', '10', '-w', '0', '-o', file, server.target);
    expect(r.status).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ sent: 10, valid: 10 });
  });
});

describe('the regression gate (--compare)', () => {
  // Servers that answer after a fixed delay have a throughput set by the delay (connections / delay), steady
  // enough on a busy machine to gate on.
  const args = ['-c', '8', '-d', '1', '-w', '0'];

  it('fails a server ten times slower than its baseline, and passes the same server again', async () => {
    const baseline = join(dir, 'baseline.json');
    const normal = await fake({ delayMs: 10 });
    expect((await cli(...args, '-o', baseline, normal.target)).status).toBe(0);

    const slow = await fake({ delayMs: 100 });
    const failed = await cli(...args, '--compare', baseline, '--max-regression', '50', slow.target);
    expect(failed.status).toBe(1);
    expect(failed.err).toMatch(/tock-loadgen: regression: throughput fell (8\d|9\d)\.\d%: .*; limit 50%\)/);
    expect(failed.err).toContain('p99 latency rose');
    expect(failed.err).toContain('[REGRESSION]');

    const passed = await cli(...args, '--compare', baseline, '--max-regression', '50', normal.target);
    expect(passed.status).toBe(0);
    expect(passed.out).toMatch(/ok: throughput (fell|rose) \d+\.\d%/);
    expect(passed.out).toMatch(/ok: p99 latency (fell|rose)/);
  });

  it('exits 3 before running when the baseline is not a result', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"rps": 5}');
    const r = await cli('-a', '1', '--compare', bad, '127.0.0.1:9');
    expect(r.status).toBe(3);
    expect(r.err).toMatch(/bad\.json is not a tock-loadgen result: tool/);
    expect(r.err).not.toContain('Running');
  });
});

describe('merge', () => {
  it('combines result files into one', async () => {
    const server = await fake();
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    await Promise.all([
      cli('-c', '1', '-a', '30', '-w', '0', '-o', a, server.target),
      cli('-c', '2', '-a', '40', '-w', '0', '-o', b, server.target),
    ]);
    const r = await cli('merge', '--json', a, b);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ runs: 2, sent: 70, valid: 70, connections: 3 });
    const human = await cli('merge', a, b);
    expect(human.out).toContain('(2 runs merged)');
  });

  it('exits 3 on a file that is not a result', async () => {
    const r = await cli('merge', join(dir, 'missing.json'));
    expect(r.status).toBe(3);
    expect(r.err).toMatch(/cannot read .*missing\.json/);
  });
});

const bin = new URL('../bin/tock-loadgen.js', import.meta.url);
describe.skipIf(!existsSync(new URL('../dist/cli.mjs', import.meta.url)))(
  'bin/tock-loadgen.js (built)',
  () => {
    it('turns a bad flag into exit status 2', async () => {
      const r = await run(process.execPath, [bin.pathname, '--bogus'], { timeoutMs: 10_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        'tock-loadgen: unknown flag --bogus [USAGE]\nRun "tock-loadgen --help" to see every flag.\n',
      );
    });
  },
);
