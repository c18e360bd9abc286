#!/usr/bin/env python3
# Reproduces the server of shared/seeds/000_5cf2f9a7c195f542.txt
# ("Concurrent Time Server", Santhisenan A, March 13, 2018, section 3.1 Server):
# reads any datagram with recvfrom(1024) and replies time.ctime(time.time()) + "\r\n" in ASCII.
# Changes from the seed, and nothing else: bind host/port come from argv, port 0 picks a free port,
# one line "listening HOST PORT" goes to stdout once bound, and SIGTERM/SIGINT exit cleanly (status 0).
#
# Usage: python3 lab_server_crlf.py PORT [HOST]   (HOST defaults to 127.0.0.1; "::1" binds IPv6)
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
        sys.stderr.write("usage: lab_server_crlf.py PORT [HOST]\n")
        return 2
    UDP_PORT = int(sys.argv[1])
    UDP_IP = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    family = socket.AF_INET6 if ":" in UDP_IP else socket.AF_INET
    sock = socket.socket(family,  # Internet
                         socket.SOCK_DGRAM)  # UDP
    try:
        sock.bind((UDP_IP, UDP_PORT))
        sys.stdout.write("listening %s %d\n" % (UDP_IP, sock.getsockname()[1]))
        sys.stdout.flush()

        while True:
            message, ClientSocket = sock.recvfrom(1024)  # buffer size is 1024 bytes
            CurrentTime = time.ctime(time.time()) + "\r\n"
            sock.sendto(CurrentTime.encode('ascii'), ClientSocket)
    finally:
        sock.close()


if __name__ == "__main__":
    sys.exit(main())
