/*
 * A minimal closed-loop NTP load generator, the yardstick tock-loadgen is measured against
 * (bench/vs-c.ts compiles it with the machine's cc at run time; no binary is committed).
 *
 * One thread per client, each with its own UDP socket: sendto() a 48-byte SNTPv4 client request whose
 * transmit timestamp is a fresh 64-bit nonce, then recvfrom() until the reply that echoes the nonce as its
 * origin timestamp arrives (valid) or the timeout expires (lost). Nothing else is checked: this is the
 * fastest honest loop plain sockets allow.
 *
 * Usage: c-client HOST PORT CONNECTIONS SECONDS [TIMEOUT_MS]
 * Prints one JSON line: {"connections":…,"durationS":…,"sent":…,"valid":…,"lost":…,"rps":…}
 * Only numeric IPv4 addresses are accepted (this is only ever aimed at 127.0.0.1).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

struct client {
  struct sockaddr_in server;
  double deadline;
  int timeout_ms;
  uint64_t seed;
  unsigned long sent, valid, lost;
  pthread_t thread;
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t next_nonce(uint64_t *s) {
  /* xorshift64*: distinct nonces without a system call per request. */
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ULL;
}

static void *run_client(void *arg) {
  struct client *c = arg;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) {
    perror("socket");
    return NULL;
  }
  struct timeval tv = {c->timeout_ms / 1000, (c->timeout_ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  unsigned char request[48], reply[1024];
  while (now_s() < c->deadline) {
    uint64_t nonce = next_nonce(&c->seed);
    memset(request, 0, sizeof request);
    request[0] = 0x23; /* leap 0, version 4, mode 3 (client) */
    for (int i = 0; i < 8; i++) request[40 + i] = (unsigned char)(nonce >> (56 - 8 * i));
    if (sendto(fd, request, sizeof request, 0, (struct sockaddr *)&c->server, sizeof c->server) < 0) {
      c->lost++;
      continue;
    }
    c->sent++;
    for (;;) {
      struct sockaddr_in from;
      socklen_t fromlen = sizeof from;
      ssize_t n = recvfrom(fd, reply, sizeof reply, 0, (struct sockaddr *)&from, &fromlen);
      if (n < 0) {
        if (errno == EINTR) continue;
        c->lost++; /* timeout (EAGAIN) or an error such as ECONNREFUSED */
        break;
      }
      if (from.sin_addr.s_addr != c->server.sin_addr.s_addr || from.sin_port != c->server.sin_port) continue;
      if (n < 48 || (reply[0] & 7) != 4) continue;
      uint64_t origin = 0;
      for (int i = 0; i < 8; i++) origin = (origin << 8) | reply[24 + i];
      if (origin != nonce) continue; /* a stray or late reply: keep waiting */
      c->valid++;
      break;
    }
  }
  close(fd);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s HOST PORT CONNECTIONS SECONDS [TIMEOUT_MS]\n", argv[0]);
    return 2;
  }
  struct sockaddr_in server = {0};
  server.sin_family = AF_INET;
  server.sin_port = htons((uint16_t)atoi(argv[2]));
  if (inet_pton(AF_INET, argv[1], &server.sin_addr) != 1) {
    fprintf(stderr, "c-client: %s is not an IPv4 address\n", argv[1]);
    return 2;
  }
  int n = atoi(argv[3]);
  double seconds = atof(argv[4]);
  int timeout_ms = argc > 5 ? atoi(argv[5]) : 1000;
  if (n < 1 || n > 4096 || seconds <= 0 || seconds > 3600 || timeout_ms < 1) {
    fprintf(stderr, "c-client: bad arguments\n");
    return 2;
  }
  struct client *clients = calloc((size_t)n, sizeof *clients);
  double start = now_s();
  for (int i = 0; i < n; i++) {
    clients[i].server = server;
    clients[i].deadline = start + seconds;
    clients[i].timeout_ms = timeout_ms;
    clients[i].seed = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)(i + 1) << 32) ^ (uint64_t)time(NULL);
    pthread_create(&clients[i].thread, NULL, run_client, &clients[i]);
  }
  unsigned long sent = 0, valid = 0, lost = 0;
  for (int i = 0; i < n; i++) {
    pthread_join(clients[i].thread, NULL);
    sent += clients[i].sent;
    valid += clients[i].valid;
    lost += clients[i].lost;
  }
  double elapsed = now_s() - start;
  printf("{\"connections\":%d,\"durationS\":%.3f,\"sent\":%lu,\"valid\":%lu,\"lost\":%lu,\"rps\":%.1f}\n", n,
         elapsed, sent, valid, lost, (double)valid / elapsed);
  free(clients);
  return 0;
}
