/** scripts/perf-gate.ts end to end, shortened: it writes a baseline, passes a server like it, fails one ten times slower. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '@tock/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const gate = fileURLToPath(new URL('../scripts/perf-gate.ts', import.meta.url));
const fake = 'node packages/loadgen/scripts/fake-server.ts';
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tock-perf-gate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function perfGate(...args: string[]): Promise<{ code: number | null; stderr: string }> {
  const quick = [
    '--rounds',
    '1',
    '--duration',
    '0.5',
    '--connections',
    '4',
    '--baseline',
    join(dir, 'baseline.json'),
  ];
  const { code, stderr } = await run(process.execPath, [gate, ...quick, ...args], { timeoutMs: 60_000 });
  return { code, stderr };
}

describe('perf-gate', () => {
  it('fails a server that needs ten times the CPU per request of its baseline', async () => {
    const made = await perfGate('--update-baseline', '--server-cmd', fake, '--server-name', 'fake');
    expect(made.code, made.stderr).toBe(0);
    const baseline = JSON.parse(await readFile(join(dir, 'baseline.json'), 'utf8'));
    expect(baseline.servers.fake.rpsRatio).toBeGreaterThan(0);

    const slow = await perfGate('--server-cmd', `${fake} --burn-us 200`, '--server-name', 'fake');
    expect(slow.code).toBe(1);
    expect(slow.stderr).toMatch(/perf-gate: FAIL: throughput ratio fake\/echo fell (8|9)\d\.\d%/);

    const missing = await perfGate('--server-cmd', fake, '--server-name', 'other');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('has no baseline for "other"');
  }, 60_000);
});
