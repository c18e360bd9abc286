/**
 * The release smoke test: the packages as users get them from a registry, one at a time.
 *
 * Every published package is published the way `pnpm release` publishes it (`changeset publish`: `pnpm
 * pack`, then `pnpm publish` of the tarball, here without git tags) to a Verdaccio started on 127.0.0.1 for
 * this test, with no uplink: the third-party packages are published into it from the workspace's
 * installed copies (scripts/release/registry.ts), so nothing is fetched from the internet and a package
 * missing from `dependencies` is missing from the install. Then, in empty folders outside the workspace, with an npm that reads no configuration of this
 * machine:
 *
 * - `npm install -g @tock/server` alone, and `tockd` (with worker threads) answers plain text and NTP;
 * - `npm install @tock/client` alone installs @tock/client, @tock/protocol and zod, nothing else, as
 *   big as its README says; its API and its `tock` command read the time from that tockd and from a
 *   chronyd;
 * - `npm install @tock/loadgen` alone, and `tock-loadgen` loads tockd and validates every reply.
 *
 * Programs are run through their installed `node_modules/.bin` links, so a bin without its shebang fails.
 * Every process started here runs under a time limit of its own and is stopped in afterAll.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  needProgram,
  ntpRequest,
  type PeerServer,
  type RunResult,
  run,
  type Started,
  start,
  startChronyd,
} from '@tock/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PackedPackage, packPackage, publishedPackages } from '../../../scripts/release/pack.ts';
import {
  changesetPublish,
  npmEnvironment,
  publishThirdParty,
  type Registry,
  startRegistry,
  thirdPartyClosure,
} from '../../../scripts/release/registry.ts';
import { filesSize, nodeModulesAbove, udpExchange } from './support.ts';

/** The longest the whole file may keep a process alive, in seconds (everything it starts ends by then). */
const LIFETIME_S = 300;
/** What `npm install @tock/client` may put in node_modules: the client, what it imports, and nothing else. */
const CLIENT_INSTALL = ['@tock/client', '@tock/protocol', 'zod'];

const prerequisites = [
  needProgram('npm', 'it comes with Node.js'),
  needProgram('pnpm', 'source scripts/env.sh'),
  needProgram('timeout', 'Debian package coreutils'),
];
const missing = prerequisites.flatMap((p) => ('skip' in p ? [p.skip] : []));
const chronyd = needProgram('chronyd', 'Debian package chrony; scripts/system-deps.sh installs it');

let work: string | undefined;
let registry: Registry | undefined;
let packed: PackedPackage[] = [];
let env: NodeJS.ProcessEnv = {};
const installs = new Map<string, RunResult>();
let tockd: Started | undefined;
let tockdPort = 0;
let chrony: PeerServer | undefined;
let chronyPort = 0;

/** The folder a package was installed into (the global prefix for the server). */
const folder = (name: 'server' | 'client' | 'loadgen'): string => join(work!, name);

/** How long each step of the setup took, printed at its end. */
const phases: string[] = [];
async function phase<T>(name: string, step: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await step();
  } finally {
    phases.push(`${name} ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }
}

beforeAll(async () => {
  if (missing.length > 0) return;
  work = mkdtempSync(join(tmpdir(), 'tock-release-'));
  const above = nodeModulesAbove(work);
  if (above !== undefined) throw new Error(`${above} exists: installs under ${work} could use its packages`);
  const home = join(work, 'home');

  const workspace = publishedPackages();
  [packed, registry] = await Promise.all([
    phase('pack', () => Promise.all(workspace.map((pkg) => packPackage(pkg.dir, join(work!, 'tarballs'))))),
    phase('start verdaccio', () => startRegistry(join(work!, 'registry'), LIFETIME_S)),
  ]);
  env = npmEnvironment(registry, home);
  const thirdParty = thirdPartyClosure(packed, new Map(workspace.map((pkg) => [pkg.name, pkg.dir])));
  await Promise.all([
    phase('publish third-party', () =>
      publishThirdParty(registry!, thirdParty, join(work!, 'third-party'), home),
    ),
    // The tock packages as `pnpm release` publishes them.
    phase('changeset publish', () => changesetPublish(registry!, home)),
  ]);

  // The three installs at once, each into an empty folder of its own; chronyd starts meanwhile.
  for (const name of ['server', 'client', 'loadgen'] as const) mkdirSync(folder(name));
  const install = async (name: 'server' | 'client' | 'loadgen', args: string[]): Promise<void> => {
    const result = await phase(`npm install ${name}`, () =>
      run('npm', ['install', ...args], { cwd: folder(name), env, timeoutMs: 120_000 }),
    );
    installs.set(name, result);
  };
  await Promise.all([
    install('server', ['--global', '--prefix', folder('server'), '@tock/server']),
    install('client', ['@tock/client']),
    install('loadgen', ['@tock/loadgen']),
    'path' in chronyd
      ? phase('start chronyd', async () => {
          // As /work/shared/INTEROP.md shows, on a free port of 127.0.0.1; it answers NTP once started.
          chrony = await startChronyd({ path: chronyd.path, lifetimeS: LIFETIME_S });
          chronyPort = chrony.port;
        })
      : undefined,
  ]);
  console.log(`release smoke test setup: ${phases.join(', ')}`);
}, 240_000);

afterAll(async () => {
  await Promise.allSettled([tockd?.stop(), chrony?.stop()]);
  await registry?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
}, 30_000);

/** Runs an installed program (or node) in `cwd` with the clean environment, 30 s at most. */
function runInstalled(command: string, args: readonly string[], cwd: string): Promise<RunResult> {
  return run(command, args, { cwd, env: { ...env, TZ: 'UTC' }, timeoutMs: 30_000 });
}

function expectInstalled(name: 'server' | 'client' | 'loadgen'): void {
  const result = installs.get(name);
  expect(result, 'the install did not run').toBeDefined();
  expect(result!.code, `npm install @tock/${name} failed:\n${result!.stdout}${result!.stderr}`).toBe(0);
}

function versionOf(name: string): string {
  const pkg = packed.find((p) => p.name === name);
  if (pkg === undefined) throw new Error(`${name} was not packed`);
  return pkg.version;
}

/** The client's `tock`, through the link npm made. */
const tockBin = (): string => join(folder('client'), 'node_modules', '.bin', 'tock');

/** `query()` of the installed client, from a module in the install folder, against 127.0.0.1:`port`. */
async function expectQuery(protocol: 'text' | 'json' | 'ntp', port: number): Promise<void> {
  expectInstalled('client');
  writeFileSync(
    join(folder('client'), 'app.mjs'),
    [
      "import { query, TockClientError } from '@tock/client';",
      'const [target, protocol] = process.argv.slice(2);',
      'const r = await query(target, { protocol, timeout: 1000, retries: 2 });',
      'console.log(JSON.stringify({ protocol: r.protocol, time: r.time.toISOString(), offsetMs: r.offsetMs,',
      "  port: r.server.port, error: typeof TockClientError === 'function' }));",
      '',
    ].join('\n'),
  );
  const result = await runInstalled('node', ['app.mjs', `127.0.0.1:${port}`, protocol], folder('client'));
  expect(result.code, result.stderr).toBe(0);
  const out = JSON.parse(result.stdout) as { time: string; offsetMs: number | null };
  expect(out).toMatchObject({ protocol, port, error: true });
  expect(Math.abs(Date.parse(out.time) - Date.now())).toBeLessThan(5000);
  if (protocol !== 'text') expect(Math.abs(out.offsetMs!)).toBeLessThan(50);
}

/** `tock 127.0.0.1:PORT --json` (NTP) of the installed client: the reply's stratum is `stratum`. */
async function expectTock(port: number, stratum: number): Promise<void> {
  expectInstalled('client');
  const result = await runInstalled(
    tockBin(),
    [`127.0.0.1:${port}`, '--protocol', 'ntp', '--json'],
    folder('client'),
  );
  expect(result.code, result.stderr).toBe(0);
  const out = JSON.parse(result.stdout) as { offsetMs: number };
  expect(out).toMatchObject({ protocol: 'ntp', server: { port }, reply: { stratum } });
  expect(Math.abs(out.offsetMs)).toBeLessThan(50);
}

describe.skipIf(missing.length > 0)(
  `release smoke test against a Verdaccio on loopback ${missing.join('; ')}`,
  () => {
    it('publishes every package of the workspace', async () => {
      expect(packed.map((p) => p.name).sort()).toEqual([
        '@tock/client',
        '@tock/loadgen',
        '@tock/protocol',
        '@tock/server',
        '@tock/udp',
      ]);
      for (const pkg of packed) {
        const response = await fetch(`${registry!.url}${pkg.name.replace('/', '%2f')}`);
        const packument = (await response.json()) as { versions: Record<string, unknown> };
        expect(Object.keys(packument.versions), pkg.name).toContain(pkg.version);
      }
    });

    describe('npm install --global @tock/server, alone', () => {
      it('puts tockd on PATH', async () => {
        expectInstalled('server');
        const result = await runInstalled(
          join(folder('server'), 'bin', 'tockd'),
          ['--version'],
          folder('server'),
        );
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout).toContain(versionOf('@tock/server'));
      });

      it('tockd, with two worker threads, answers plain text and NTP', async () => {
        expectInstalled('server');
        const tockdArgs = ['--host', '127.0.0.1', '--port', '0', '--workers', '2', '--time-zone', 'UTC'];
        const started = await start(join(folder('server'), 'bin', 'tockd'), tockdArgs, {
          ready: /listening on udp 127\.0\.0\.1:(\d+)/,
          lifetimeS: LIFETIME_S,
          env: { ...env, TZ: 'UTC' },
          cwd: folder('server'),
        });
        tockd = started;
        tockdPort = Number(started.match[1]);
        const line = await udpExchange(tockdPort, Buffer.from('Time request'), 2000);
        expect(line?.toString('latin1')).toMatch(
          /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n$/,
        );
        const ntp = await udpExchange(tockdPort, ntpRequest(), 2000);
        expect(ntp).toHaveLength(48);
        expect(ntp![0]! & 0x07).toBe(4); // mode 4: server
        expect(ntp![1]).toBe(2); // stratum 2, tockd's default
      });
    });

    describe('npm install @tock/client, alone', () => {
      it(`installs ${CLIENT_INSTALL.join(', ')} and nothing else, as big as its README says`, () => {
        expectInstalled('client');
        const lock = JSON.parse(
          readFileSync(join(folder('client'), 'node_modules', '.package-lock.json'), 'utf8'),
        ) as {
          packages: Record<string, unknown>;
        };
        const installed = Object.keys(lock.packages).map((path) => path.replace(/^.*node_modules\//, ''));
        expect(installed.sort()).toEqual(CLIENT_INSTALL);

        // The README's install line: "`npm install @tock/client` adds 3 packages, 6.5 MB".
        const readme = readFileSync(
          join(folder('client'), 'node_modules', '@tock', 'client', 'README.md'),
          'utf8',
        );
        const stated = /adds (\d+) packages, ([\d.]+) MB/.exec(readme);
        expect(stated, 'packages/client/README.md states the install size').not.toBeNull();
        const bytes = filesSize(join(folder('client'), 'node_modules'));
        console.log(`npm install @tock/client: ${installed.length} packages, ${bytes} bytes`);
        expect(Number(stated![1])).toBe(installed.length);
        // Within 10% of what the README says: a bigger install has to update the README, and so be noticed.
        expect(bytes / 1e6).toBeGreaterThan(Number(stated![2]) * 0.9);
        expect(bytes / 1e6).toBeLessThan(Number(stated![2]) * 1.1);
      });

      it('query() reads tockd in every protocol', async (ctx) => {
        ctx.skip(tockd === undefined, 'tockd did not start');
        for (const protocol of ['text', 'json', 'ntp'] as const) await expectQuery(protocol, tockdPort);
      });

      it('the tock command reads tockd', async (ctx) => {
        ctx.skip(tockd === undefined, 'tockd did not start');
        const version = await runInstalled(tockBin(), ['--version'], folder('client'));
        expect(version.code, version.stderr).toBe(0);
        expect(version.stdout).toContain(versionOf('@tock/client'));
        await expectTock(tockdPort, 2);
      });

      it('query() and the tock command read chronyd over NTP', async (ctx) => {
        ctx.skip(chrony === undefined, 'skip' in chronyd ? chronyd.skip : 'chronyd did not start');
        await expectQuery('ntp', chronyPort);
        await expectTock(chronyPort, 8);
      });

      it('every subpath export resolves', async () => {
        expectInstalled('client');
        const result = await runInstalled(
          'node',
          [
            '--input-type=module',
            '-e',
            "await import('@tock/client/cli'); await import('@tock/client/package.json', { with: { type: 'json' } });",
          ],
          folder('client'),
        );
        expect(result.code, result.stderr).toBe(0);
      });
    });

    describe('npm install @tock/loadgen, alone', () => {
      it('tock-loadgen loads tockd from a worker thread and validates every reply', async (ctx) => {
        expectInstalled('loadgen');
        ctx.skip(tockd === undefined, 'tockd did not start');
        const loadgen = join(folder('loadgen'), 'node_modules', '.bin', 'tock-loadgen');
        const args = [`127.0.0.1:${tockdPort}`, '-a', '200', '-c', '2', '-w', '1', '--json'];
        const result = await runInstalled(loadgen, args, folder('loadgen'));
        expect(result.code, result.stderr).toBe(0);
        const out = JSON.parse(result.stdout) as {
          sent: number;
          valid: number;
          invalid: number;
          workers: number;
        };
        expect(out).toMatchObject({ workers: 1, invalid: 0, valid: out.sent });
        expect(out.sent).toBeGreaterThanOrEqual(200);
      });

      it('its API is importable', async () => {
        expectInstalled('loadgen');
        const result = await runInstalled(
          'node',
          [
            '--input-type=module',
            '-e',
            "const m = await import('@tock/loadgen'); if (typeof m.run !== 'function') process.exit(3);",
          ],
          folder('loadgen'),
        );
        expect(result.code, result.stderr).toBe(0);
      });
    });
  },
);
