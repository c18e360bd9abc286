#!/usr/bin/env bash
# Installs the Debian packages that tock's tests talk to: real NTP and daytime peers that are not ours.
#   chrony         chronyd as an NTP server and as a one-shot client (chronyd -Q)
#   ntpsec-ntpdig  ntpdig, an SNTP client
#   rdate          RFC 868 / SNTP client
#   netcat-openbsd nc -u, the plain-text client of the quick start
#   socat          another plain-text client
#   python3        runs the lab's original servers
#   iproute2       `ip` to bring up loopback inside a network namespace
#   util-linux     `unshare`
#   chromium       the docs site's browser test (with fonts-liberation, so pages render with real fonts)
#   gcc, g++, make the batched-I/O addon of @tock/udp (node-gyp); without them tockd and tock-loadgen fall back to dgram
#   valgrind       the addon's memory test under valgrind
# Only what is missing is installed; needs root (apt-get). Services are not started.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have chronyd || need+=(chrony)
have ntpdig || need+=(ntpsec-ntpdig)
have rdate || need+=(rdate)
have nc || need+=(netcat-openbsd)
have socat || need+=(socat)
have python3 || need+=(python3)
have ip || need+=(iproute2)
have unshare || need+=(util-linux)
have chromium || need+=(chromium fonts-liberation)
have gcc || need+=(gcc)
have g++ || need+=(g++)
have make || need+=(make)
have valgrind || need+=(valgrind)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "tock: these Debian packages are needed by the tests: ${need[*]} (run as root, or: sudo apt-get install ${need[*]})" >&2
  exit 1
fi
echo "tock: installing Debian packages: ${need[*]}" >&2
# Keep package scripts from starting services (chronyd must not start as the system's NTP daemon).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
