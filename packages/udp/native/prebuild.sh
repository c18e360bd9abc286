#!/usr/bin/env bash
# Builds the prebuilt binaries the published package ships (prebuilds/linux-x64, prebuilds/linux-arm64),
# N-API so that one binary serves every Node version. arm64 needs Debian's gcc-aarch64-linux-gnu.
# Run from packages/udp: `pnpm run prebuild:native` (before `pnpm publish`). Rebuilds the local
# build/Release afterwards (prebuildify builds in place).
set -euo pipefail
cd "$(dirname "$0")"
prebuildify=../node_modules/.bin/prebuildify
"$prebuildify" --napi --strip --arch x64
if command -v aarch64-linux-gnu-gcc >/dev/null; then
  CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ LINK=aarch64-linux-gnu-gcc "$prebuildify" --napi --arch arm64
  aarch64-linux-gnu-strip --strip-unneeded prebuilds/linux-arm64/*.node
else
  echo "prebuild: no aarch64-linux-gnu-gcc (Debian: gcc-aarch64-linux-gnu); skipped linux-arm64" >&2
fi
node install.mjs --force
