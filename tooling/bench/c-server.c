/*
 * The minimal UDP time server in C that the server's bench/io.ts measures tockd against: a yardstick for
 * what one core can answer on this machine when nothing but the kernel costs anything. One thread, one
 * socket, recvmmsg (blocking for the first datagram) and sendmmsg of up to 64 datagrams per call. It
 * answers a 48-byte NTP client request (mode 3) with a server reply (mode 4, stratum 1, origin = the
 * request's transmit time, receive and transmit from one clock read per batch) and anything else with the
 * lab's ctime line (formatted once per second). Compiled at run time with the machine's cc; no binary is
 * committed. Not a server to deploy: no validation beyond the length and mode, no rate limit, no logging.
 *
 * Usage: c-server PORT   (binds 127.0.0.1; PORT 0 lets the OS pick)
 * Prints `listening 127.0.0.1 PORT` once bound, then serves until killed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 64
#define SLOT 1100
#define NTP_UNIX_OFFSET 2208988800ULL

static void put_ntp_time(unsigned char *p, const struct timespec *ts) {
  uint64_t seconds = (uint64_t)ts->tv_sec + NTP_UNIX_OFFSET;
  uint64_t fraction = ((uint64_t)ts->tv_nsec << 32) / 1000000000ULL;
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(seconds >> (24 - 8 * i));
  for (int i = 0; i < 4; i++) p[4 + i] = (unsigned char)(fraction >> (24 - 8 * i));
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)atoi(argv[1]));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t addr_len = sizeof addr;
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
      getsockname(fd, (struct sockaddr *)&addr, &addr_len) != 0) {
    perror("c-server");
    return 1;
  }
  printf("listening 127.0.0.1 %d\n", ntohs(addr.sin_port));
  fflush(stdout);

  static unsigned char in[BATCH][SLOT], out[BATCH][64];
  static struct mmsghdr rmsg[BATCH], smsg[BATCH];
  static struct iovec riov[BATCH], siov[BATCH];
  static struct sockaddr_in from[BATCH];
  char line[32] = "";
  size_t line_len = 0;
  time_t line_second = -1;
  for (;;) {
    for (int i = 0; i < BATCH; i++) {
      riov[i] = (struct iovec){in[i], SLOT};
      rmsg[i].msg_hdr = (struct msghdr){.msg_name = &from[i], .msg_namelen = sizeof from[i], .msg_iov = &riov[i], .msg_iovlen = 1};
    }
    int n = recvmmsg(fd, rmsg, BATCH, MSG_WAITFORONE, NULL);
    if (n <= 0) continue;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (now.tv_sec != line_second) {
      struct tm tm;
      localtime_r(&now.tv_sec, &tm);
      line_len = strftime(line, sizeof line, "%a %b %e %H:%M:%S %Y\r\n", &tm);
      line_second = now.tv_sec;
    }
    for (int i = 0; i < n; i++) {
      size_t len;
      if (rmsg[i].msg_len >= 48 && (in[i][0] & 7) == 3) {
        memset(out[i], 0, 48);
        out[i][0] = (unsigned char)((in[i][0] & 0x38) | 4); /* the client's version, mode 4 */
        out[i][1] = 1;
        out[i][2] = in[i][2];
        out[i][3] = (unsigned char)-20;
        memcpy(out[i] + 12, "LOCL", 4);
        put_ntp_time(out[i] + 16, &now);
        memcpy(out[i] + 24, in[i] + 40, 8);
        put_ntp_time(out[i] + 32, &now);
        put_ntp_time(out[i] + 40, &now);
        len = 48;
      } else {
        memcpy(out[i], line, line_len);
        len = line_len;
      }
      siov[i] = (struct iovec){out[i], len};
      smsg[i].msg_hdr = (struct msghdr){.msg_name = &from[i], .msg_namelen = rmsg[i].msg_hdr.msg_namelen, .msg_iov = &siov[i], .msg_iovlen = 1};
    }
    for (int sent = 0; sent < n;) {
      int r = sendmmsg(fd, smsg + sent, (unsigned)(n - sent), 0);
      if (r <= 0) break;
      sent += r;
    }
  }
}
