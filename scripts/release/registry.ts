/**
 * A real npm registry on loopback for the release smoke test: Verdaccio on 127.0.0.1, on a free port,
 * with its storage in a temporary folder and **no uplink**. Nothing is fetched from the internet while it
 * runs: the third-party packages the tock packages depend on (zod, prom-client, hdr-histogram-js and what
 * they depend on) are published into it from the copies the workspace has installed, i.e. the exact
 * versions the lockfile pins. An install that needs a package nobody published fails, as it should.
 *
 * `node scripts/release/registry.ts serve CONFIG LIFETIME_S` is the child process that runs Verdaccio; the
 * rest of this module is the parent's side.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { runOk, type Started, start } from '@tock/test-utils';
import { type Manifest, type PackedPackage, REPO_ROOT, readPackedPackage } from './pack.ts';

/** A running registry. */
export interface Registry {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  /** A token of a user allowed to publish. */
  readonly token: string;
  /** An npmrc with the registry and the token: the only npm configuration the smoke test's npm reads. */
  readonly npmrc: string;
  /** Stops Verdaccio and resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts Verdaccio with its config, storage and htpasswd file in `dir`. It stops when {@link Registry.stop}
 * is called, when this process dies (its stdin closes), or after `lifetimeS` seconds, whichever is first.
 */
export async function startRegistry(dir: string, lifetimeS = 600): Promise<Registry> {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'config.yaml');
  // JSON is YAML. No `uplinks` and no `proxy`: every package comes from this storage or nowhere.
  const settings = {
    storage: join(dir, 'storage'),
    auth: { htpasswd: { file: join(dir, 'htpasswd') } },
    uplinks: {},
    packages: { '**': { access: '$all', publish: '$authenticated', unpublish: '$authenticated' } },
    web: { enable: false },
    middlewares: { audit: { enabled: false } },
    log: { type: 'stdout', format: 'json', level: 'warn' },
  };
  writeFileSync(config, `${JSON.stringify(settings, null, 2)}\n`);
  const started = await start(process.execPath, [import.meta.filename, 'serve', config, String(lifetimeS)], {
    ready: /"tockRegistry":"(http:\/\/127\.0\.0\.1:\d+\/)"/,
    lifetimeS: lifetimeS + 10,
    readyTimeoutMs: 60_000,
  });
  try {
    const url = started.match[1]!;
    const token = await addUser(url);
    const npmrc = join(dir, 'npmrc');
    // No update check, audit or funding call: npm and pnpm talk to this registry only.
    const lines = [
      `registry=${url}`,
      `//${new URL(url).host}/:_authToken=${token}`,
      'update-notifier=false',
      'audit=false',
      'fund=false',
    ];
    writeFileSync(npmrc, `${lines.join('\n')}\n`);
    return { url, token, npmrc, stop: () => stopRegistry(started) };
  } catch (error) {
    await started.stop();
    throw error;
  }
}

async function stopRegistry(started: Started): Promise<void> {
  const { code, signal } = await started.stop();
  if (code !== 0 && signal !== 'SIGTERM')
    throw new Error(`verdaccio ended with ${code ?? signal}:\n${started.output()}`);
}

/** Creates the publishing user (Verdaccio's htpasswd plugin signs up on first login) and returns its token. */
async function addUser(url: string): Promise<string> {
  const name = 'tock-release';
  const response = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name,
      password: createHash('sha256').update(url).digest('hex'),
      type: 'user',
      roles: [],
    }),
    signal: AbortSignal.timeout(20_000),
  });
  const body = (await response.json()) as { token?: string };
  if (!response.ok || body.token === undefined)
    throw new Error(`could not add a user to ${url}: ${response.status} ${JSON.stringify(body)}`);
  return body.token;
}

/**
 * The environment the smoke test's npm runs in: nothing from this machine's npm configuration, the
 * invoking pnpm, or Node options; a home, cache and global config of its own under `home`.
 */
export function npmEnvironment(registry: Registry, home: string): NodeJS.ProcessEnv {
  mkdirSync(home, { recursive: true });
  const globalConfig = join(home, 'global-npmrc');
  if (!existsSync(globalConfig)) writeFileSync(globalConfig, '');
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    npm_config_userconfig: registry.npmrc,
    npm_config_globalconfig: globalConfig,
    npm_config_cache: join(home, 'npm-cache'),
    npm_config_registry: registry.url,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_loglevel: 'warn',
  };
}

/**
 * Publishes every package of the workspace whose version the registry lacks the way `pnpm release` does:
 * `changeset publish` (`pnpm pack`, then `pnpm publish` of the tarball), without git tags. pnpm reads the
 * registry and token from `home`/.npmrc; it is asked which registry it will publish to first, and nothing
 * runs unless that is this one. Resolves with changesets' output.
 */
export async function changesetPublish(registry: Registry, home: string): Promise<string> {
  mkdirSync(home, { recursive: true });
  copyFileSync(registry.npmrc, join(home, '.npmrc'));
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8' };
  const target = (
    await runOk('pnpm', ['config', 'get', 'registry'], { cwd: REPO_ROOT, env, timeoutMs: 30_000 })
  ).trim();
  if (target.replace(/\/$/, '') !== registry.url.replace(/\/$/, ''))
    throw new Error(`pnpm would publish to ${target}, not to ${registry.url}: not publishing`);
  const changeset = join(REPO_ROOT, 'node_modules', '@changesets', 'cli', 'bin.js');
  return runOk(process.execPath, [changeset, 'publish', '--no-git-tag'], {
    cwd: REPO_ROOT,
    env,
    timeoutMs: 120_000,
  });
}

/** An installed third-party package: where it is and what it is. */
interface Installed {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
}

/** The installed copy of `name` that code in `from` gets: Node's lookup through the node_modules above it. */
function findInstalled(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) return realpathSync(dirname(candidate));
    if (dirname(dir) === dir || resolve(dir) === resolve(REPO_ROOT)) {
      const atRoot = join(REPO_ROOT, 'node_modules', name, 'package.json');
      return existsSync(atRoot) ? realpathSync(dirname(atRoot)) : undefined;
    }
  }
}

/**
 * Every third-party package (and version) that installing `packages` pulls in, found in the workspace's
 * node_modules: the `dependencies`, the non-optional `peerDependencies`, and the `optionalDependencies`
 * that are installed, transitively. `workspaceDirs` maps each tock package to its folder.
 */
export function thirdPartyClosure(
  packages: readonly PackedPackage[],
  workspaceDirs: ReadonlyMap<string, string>,
): Installed[] {
  const own = new Set(packages.map((p) => p.name));
  const found = new Map<string, Installed>();
  const visit = (manifest: Manifest, from: string): void => {
    const wanted: Array<[string, boolean]> = [
      ...Object.keys(manifest.dependencies ?? {}).map((n): [string, boolean] => [n, true]),
      ...Object.keys(manifest.peerDependencies ?? {}).map((n): [string, boolean] => [
        n,
        manifest.peerDependenciesMeta?.[n]?.optional !== true,
      ]),
      ...Object.keys(manifest.optionalDependencies ?? {}).map((n): [string, boolean] => [n, false]),
    ];
    for (const [name, required] of wanted) {
      if (own.has(name)) continue;
      const dir = findInstalled(name, from);
      if (dir === undefined) {
        if (required)
          throw new Error(`${manifest.name} needs ${name}, which is not installed in the workspace`);
        continue;
      }
      const installed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
      const key = `${installed.name}@${installed.version}`;
      if (found.has(key)) continue;
      found.set(key, { name: installed.name, version: installed.version, dir });
      visit(installed, dir);
    }
  };
  for (const pkg of packages) {
    const dir = workspaceDirs.get(pkg.name);
    if (dir === undefined) throw new Error(`no workspace folder for ${pkg.name}`);
    visit(pkg.manifest, dir);
  }
  return [...found.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || compareVersions(a.version, b.version),
  );
}

function compareVersions(a: string, b: string): number {
  const parse = (v: string): number[] => v.split(/[.+-]/).map((part) => Number.parseInt(part, 10) || 0);
  const [pa, pb] = [parse(a), parse(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Publishes installed third-party packages into the registry: each is packed from its installed folder
 * with `npm pack --ignore-scripts` (its own `files` rules, no lifecycle scripts) and sent with the same
 * request `npm publish` makes, but without reading the package's `publishConfig`, so a package that names
 * its own registry there is still published only here. Lower versions first, so `latest` ends up highest.
 */
export async function publishThirdParty(
  registry: Registry,
  installed: readonly Installed[],
  destination: string,
  home: string,
): Promise<void> {
  if (installed.length === 0) return;
  mkdirSync(destination, { recursive: true });
  // npm cannot pack a folder inside pnpm's store (it fails with "Exit handler never called!"): pack copies.
  const copies = installed.map(({ name, version, dir }) => {
    const copy = join(destination, 'sources', `${name.replace('/', '+')}@${version}`);
    cpSync(dir, copy, {
      recursive: true,
      dereference: true,
      filter: (source) => !source.includes('/node_modules/', dir.length),
    });
    return copy;
  });
  const stdout = await runOk(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', destination, ...copies],
    {
      env: npmEnvironment(registry, home),
      cwd: destination,
      timeoutMs: 120_000,
    },
  );
  const packs = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{ filename: string }>;
  for (const { filename } of packs)
    await putPackage(registry, readPackedPackage(join(destination, filename)));
}

/** The request `npm publish` makes: the version's manifest and the tarball, base64, in one PUT. */
export async function putPackage(registry: Registry, pkg: PackedPackage): Promise<void> {
  const bytes = readFileSync(pkg.tarball);
  const file = `${pkg.name.replace(/^@[^/]+\//, '')}-${pkg.version}.tgz`;
  const document = {
    _id: pkg.name,
    name: pkg.name,
    'dist-tags': { latest: pkg.version },
    versions: {
      [pkg.version]: {
        ...pkg.manifest,
        _id: `${pkg.name}@${pkg.version}`,
        dist: {
          shasum: createHash('sha1').update(bytes).digest('hex'),
          integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
          tarball: `${registry.url}${pkg.name}/-/${file}`,
        },
      },
    },
    _attachments: {
      [file]: {
        content_type: 'application/octet-stream',
        data: bytes.toString('base64'),
        length: bytes.length,
      },
    },
  };
  const response = await fetch(`${registry.url}${pkg.name.replace('/', '%2f')}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${registry.token}` },
    body: JSON.stringify(document),
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok)
    throw new Error(
      `publishing ${pkg.name}@${pkg.version} to ${registry.url} failed: ${response.status} ${await response.text()}`,
    );
}

/** The child process: Verdaccio listening on 127.0.0.1 on a free port; prints `{"tockRegistry":URL}`. */
async function serve(config: string, lifetimeS: number): Promise<void> {
  const { runServer } = await import('verdaccio');
  const server = (await runServer(config)) as Server;
  const stop = (code: number): void => {
    server.close(() => process.exit(code));
    server.closeAllConnections();
  };
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('verdaccio is not listening on TCP');
    process.stdout.write(`${JSON.stringify({ tockRegistry: `http://127.0.0.1:${address.port}/` })}\n`);
  });
  process.once('SIGTERM', () => stop(0));
  process.once('SIGINT', () => stop(0));
  // The parent holds our stdin open and never writes: end of file means it is gone.
  process.stdin.resume();
  process.stdin.once('end', () => stop(0));
  setTimeout(() => {
    process.stderr.write(`verdaccio: stopping after its ${lifetimeS} s lifetime\n`);
    stop(1);
  }, lifetimeS * 1000).unref();
}

if (
  process.argv[1] !== undefined &&
  resolve(process.argv[1]) === resolve(import.meta.filename) &&
  process.argv[2] === 'serve'
) {
  await serve(process.argv[3]!, Number(process.argv[4] ?? 600));
}
