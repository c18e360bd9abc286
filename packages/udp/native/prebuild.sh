#!/usr/bin/env bash
# Builds the prebuilt binaries the published package ships, N-API so that one binary serves every Node
# version, each tagged by its C library (prebuildify --tag-libc) so that node-gyp-build picks the right one:
#   prebuilds/linux-x64/node.glibc.node    gcc (Debian, Ubuntu, Fedora, the node:*-bookworm images)
#   prebuilds/linux-x64/node.musl.node     musl-gcc (Debian's musl-tools): Alpine, node:*-alpine
#   prebuilds/linux-arm64/node.glibc.node  aarch64-linux-gnu-gcc (Debian's gcc-aarch64-linux-gnu)
# A binary whose compiler is missing is skipped with a message; the glibc x64 one is required.
# Run from packages/udp: `pnpm run prebuild:native` (before `pnpm publish`). Rebuilds the local
# build/Release afterwards (prebuildify builds in place).
set -euo pipefail
cd "$(dirname "$0")"
prebuildify=../node_modules/.bin/prebuildify
rm -rf prebuilds

PREBUILD_LIBC=glibc "$prebuildify" --napi --strip --tag-libc --arch x64

# musl: musl-gcc compiles against musl's headers (the Node headers are the same for both C libraries).
# Linked with -nodefaultlibs: Debian's musl libc.so has no SONAME, so linking it would make the binary need
# "libc.so", a file Alpine has only with musl-dev. Unlinked, the C library's symbols (and N-API's) resolve
# at load time from the node process, which on Alpine is musl's libc.
if command -v musl-gcc >/dev/null; then
  PREBUILD_LIBC=musl CC=musl-gcc LINK="musl-gcc -nodefaultlibs" "$prebuildify" --napi --strip --tag-libc --arch x64
  musl=prebuilds/linux-x64/node.musl.node
  # It must need no shared library at all (no glibc, no libc.so) and no glibc-versioned symbol.
  needed="$(objdump -p "$musl" | awk '$1 == "NEEDED" { print $2 }')"
  if [ -n "$needed" ] || objdump -T "$musl" | grep -q 'GLIBC_'; then
    echo "prebuild: $musl needs ${needed:-glibc symbols}; it would not load on musl" >&2
    exit 1
  fi
else
  echo "prebuild: no musl-gcc (Debian: musl-tools); skipped the linux-x64 musl binary (Alpine builds from source)" >&2
fi

if command -v aarch64-linux-gnu-gcc >/dev/null; then
  PREBUILD_LIBC=glibc CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ LINK=aarch64-linux-gnu-gcc \
    "$prebuildify" --napi --tag-libc --arch arm64
  aarch64-linux-gnu-strip --strip-unneeded prebuilds/linux-arm64/*.node
else
  echo "prebuild: no aarch64-linux-gnu-gcc (Debian: gcc-aarch64-linux-gnu); skipped linux-arm64" >&2
fi
ls -l prebuilds/*/
node install.mjs --force
