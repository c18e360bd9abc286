#!/usr/bin/env python3
# Reproduces the server of shared/seeds/001_2938ea26640dd8e8.txt
# ("Concurrent Time Server", Rwithik Manoj, "Server Code"):
# reads at most 10 bytes of any datagram with recvfrom(10) and replies str.encode(time.asctime()),
# with no CRLF.
# Changes from the seed, and nothing else: bind host/port come from argv, port 0 picks a free port,
# one line "listening HOST PORT" goes to stdout once bound, the seed's per-request
# "Time request from ..." line goes to stderr (stdout carries only the listening line), and
# SIGTERM/SIGINT exit cleanly (status 0).
#
# Usage: python3 lab_server_asctime.py PORT [HOST]   (HOST defaults to 127.0.0.1; "::1" binds IPv6)
import signal
import socket
import sys
import time


def _stop(signum, frame):
    # Ignore repeats (e.g. timeout(1) signals the child and then its whole process group): a second
    # SIGTERM during interpreter shutdown would otherwise kill the process with status 143.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(0)


def main():
    if len(sys.argv) < 2 or len(sys.argv) > 3:
        sys.stderr.write("usage: lab_server_asctime.py PORT [HOST]\n")
        return 2
    port = int(sys.argv[1])
    ip = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.bind((ip, port))
        sys.stdout.write("listening %s %d\n" % (ip, sock.getsockname()[1]))
        sys.stdout.flush()

        while True:
            req, client_ip = sock.recvfrom(10)
            print(f"Time request from {client_ip}", file=sys.stderr, flush=True)
            sock.sendto(str.encode(time.asctime()), client_ip)
    finally:
        sock.close()


if __name__ == "__main__":
    sys.exit(main())
