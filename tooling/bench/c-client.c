/*
 * The minimal closed-loop UDP load generator in C that tock's benchmarks measure against (the server's
 * bench/io.ts and the load generator's bench/vs-c.ts compile it with the machine's cc at run time; no
 * binary is committed): one thread per client, each with its own socket,
 * sends one request, waits for its reply (or a timeout), and records the round trip in a histogram of
 * microseconds. `ntp`: a 48-byte SNTPv4 request with a fresh nonce, valid when the reply echoes it.
 * `text`: the lab client's "Time request", valid when a reply of at least 20 bytes comes from the server.
 *
 * Usage: c-client ntp|text HOST PORT CONNECTIONS SECONDS [TIMEOUT_MS]
 * Prints one JSON line: {"mode":…,"sent":…,"valid":…,"lost":…,"rps":…,"p50Us":…,"p99Us":…}
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
#include <time.h>
#include <unistd.h>

#define BUCKETS 100000 /* 1 µs each, up to 100 ms; slower goes in the last */

struct client {
  struct sockaddr_in server;
  double deadline;
  int timeout_ms, ntp;
  uint64_t seed;
  unsigned long sent, valid, lost;
  uint32_t *hist;
  pthread_t thread;
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t next_nonce(uint64_t *s) {
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ULL;
}

static void *run_client(void *arg) {
  struct client *c = arg;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return NULL;
  struct timeval tv = {c->timeout_ms / 1000, (c->timeout_ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  unsigned char request[48], reply[1024];
  static const char text[] = "Time request";
  while (now_s() < c->deadline) {
    uint64_t nonce = next_nonce(&c->seed);
    size_t len;
    if (c->ntp) {
      memset(request, 0, sizeof request);
      request[0] = 0x23;
      for (int i = 0; i < 8; i++) request[40 + i] = (unsigned char)(nonce >> (56 - 8 * i));
      len = 48;
    } else {
      memcpy(request, text, sizeof text - 1);
      len = sizeof text - 1;
    }
    double t0 = now_s();
    if (sendto(fd, request, len, 0, (struct sockaddr *)&c->server, sizeof c->server) < 0) {
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
        c->lost++;
        break;
      }
      if (from.sin_addr.s_addr != c->server.sin_addr.s_addr || from.sin_port != c->server.sin_port) continue;
      if (c->ntp) {
        if (n < 48 || (reply[0] & 7) != 4) continue;
        uint64_t origin = 0;
        for (int i = 0; i < 8; i++) origin = (origin << 8) | reply[24 + i];
        if (origin != nonce) continue;
      } else if (n < 20) {
        continue;
      }
      long us = (long)((now_s() - t0) * 1e6);
      c->hist[us < 0 ? 0 : us >= BUCKETS ? BUCKETS - 1 : us]++;
      c->valid++;
      break;
    }
  }
  close(fd);
  return NULL;
}

static long percentile(const uint64_t *hist, unsigned long total, double p) {
  unsigned long want = (unsigned long)(p * (double)total), seen = 0;
  for (long i = 0; i < BUCKETS; i++) {
    seen += hist[i];
    if (seen > want) return i;
  }
  return BUCKETS - 1;
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s ntp|text HOST PORT CONNECTIONS SECONDS [TIMEOUT_MS]\n", argv[0]);
    return 2;
  }
  int ntp = strcmp(argv[1], "ntp") == 0;
  if (!ntp && strcmp(argv[1], "text") != 0) return 2;
  struct sockaddr_in server = {0};
  server.sin_family = AF_INET;
  server.sin_port = htons((uint16_t)atoi(argv[3]));
  if (inet_pton(AF_INET, argv[2], &server.sin_addr) != 1) return 2;
  int n = atoi(argv[4]);
  double seconds = atof(argv[5]);
  int timeout_ms = argc > 6 ? atoi(argv[6]) : 1000;
  if (n < 1 || n > 1024 || seconds <= 0 || seconds > 3600 || timeout_ms < 1) return 2;
  struct client *clients = calloc((size_t)n, sizeof *clients);
  uint64_t *hist = calloc(BUCKETS, sizeof *hist);
  if (clients == NULL || hist == NULL) return 1;
  double start = now_s();
  for (int i = 0; i < n; i++) {
    clients[i].server = server;
    clients[i].deadline = start + seconds;
    clients[i].timeout_ms = timeout_ms;
    clients[i].ntp = ntp;
    clients[i].seed = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)(i + 1) << 32) ^ (uint64_t)time(NULL);
    clients[i].hist = calloc(BUCKETS, sizeof(uint32_t));
    if (clients[i].hist == NULL) return 1;
    pthread_create(&clients[i].thread, NULL, run_client, &clients[i]);
  }
  unsigned long sent = 0, valid = 0, lost = 0;
  for (int i = 0; i < n; i++) {
    pthread_join(clients[i].thread, NULL);
    sent += clients[i].sent;
    valid += clients[i].valid;
    lost += clients[i].lost;
    for (long b = 0; b < BUCKETS; b++) hist[b] += clients[i].hist[b];
    free(clients[i].hist);
  }
  double elapsed = now_s() - start;
  printf("{\"mode\":\"%s\",\"connections\":%d,\"durationS\":%.3f,\"sent\":%lu,\"valid\":%lu,\"lost\":%lu,"
         "\"rps\":%.1f,\"p50Us\":%ld,\"p99Us\":%ld}\n",
         argv[1], n, elapsed, sent, valid, lost, (double)valid / elapsed, percentile(hist, valid, 0.5),
         percentile(hist, valid, 0.99));
  free(hist);
  free(clients);
  return 0;
}
