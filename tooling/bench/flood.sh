#!/usr/bin/env bash
# Loads this machine the way a busy shared CI host is loaded, to prove that tests do not fail by chance:
# c-server.c and c-client.c (compiled here with cc) exchange datagrams on 127.0.0.1 as fast as they can,
# a few hundred thousand a second on loopback, until SECONDS have passed or the script is stopped.
#   bash tooling/bench/flood.sh 1800 &      # then run the suite: ./dev test
# Prints the flood's totals when it ends. Only loopback is ever addressed.
set -euo pipefail
seconds="${1:-600}"
clients="${2:-16}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cc -O2 -o "$work/c-server" "$here/c-server.c"
cc -O2 -pthread -o "$work/c-client" "$here/c-client.c"
"$work/c-server" 0 >"$work/server.out" &
server_pid=$!
for _ in $(seq 50); do
  port=$(sed -n 's/^listening 127\.0\.0\.1 \([0-9]*\)$/\1/p' "$work/server.out")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "${port:-}" ] || { echo "flood: c-server did not start" >&2; exit 1; }
echo "flood: $clients clients against c-server on 127.0.0.1:$port for $seconds s" >&2
"$work/c-client" text 127.0.0.1 "$port" "$clients" "$seconds"
