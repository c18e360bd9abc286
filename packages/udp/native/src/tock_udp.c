// tock_udp: a UDP socket for Linux that moves datagrams in batches (recvmmsg/sendmmsg) and takes each
// datagram's receive time from the kernel (SO_TIMESTAMPNS). JavaScript owns one ArrayBuffer per socket,
// laid out as in the constants below; the addon only ever reads and writes inside it, at offsets it
// computes from those constants and checks against the buffer's length once, when the socket is opened.
//
//   [ receive slots: BATCH x SLOT bytes | receive meta: BATCH x META | send slots: BATCH x SEND_SLOT |
//     send meta: BATCH x META ]
//
// Meta of one datagram (META bytes, little-endian host order, 8-byte aligned):
//   0 int64  receive time, ns since the Unix epoch (CLOCK_REALTIME)      (receive only)
//   8 int32  length: bytes in the slot (receive: at most SLOT; send: at most SEND_SLOT)
//  12 int32  flags (receive): 1 truncated (larger than SLOT), 2 no kernel timestamp (read the clock)
//  16 uint16 family: 4 or 6 (0: unknown)
//  18 uint16 port
//  20 16 B   address (IPv4 in the first 4 bytes)
//  36 uint32 IPv6 scope id
//  40 int32  send: 0, or the errno the kernel refused this datagram with
//
// The receive side is driven by a uv_poll_t on the non-blocking socket: when it is readable, the addon
// calls recvmmsg and hands JavaScript the number of datagrams, up to MAX_ROUNDS batches per wakeup.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#define BATCH 64
#define SLOT 1032 /* 1024 (MAX_DATAGRAM_BYTES) + 8: anything longer than 1024 is oversized anyway */
#define SEND_SLOT 2048
#define META 48
#define MAX_ROUNDS 8
#define CTRL_BYTES 64

#define RECV_DATA_OFF 0
#define RECV_META_OFF (RECV_DATA_OFF + BATCH * SLOT)
#define SEND_DATA_OFF (RECV_META_OFF + BATCH * META)
#define SEND_META_OFF (SEND_DATA_OFF + BATCH * SEND_SLOT)
#define BUFFER_BYTES (SEND_META_OFF + BATCH * META)

#define FLAG_TRUNCATED 1
#define FLAG_NO_TIMESTAMP 2

typedef struct tock_socket {
  napi_env env;
  int fd;
  int family; /* AF_INET or AF_INET6 */
  int closed;
  int in_callback;
  uv_poll_t *poll; /* allocated apart: freed by its close callback only */
  napi_ref self;   /* strong while open: the JS wrapper stays alive while the poll can call into it */
  napi_ref buffer; /* the ArrayBuffer `base` points into, strong while open */
  napi_ref callback;
  napi_async_context async;
  uint8_t *base;
  double datagrams, truncated, batches, no_timestamp;
  struct mmsghdr rmsgs[BATCH];
  struct iovec riov[BATCH];
  struct sockaddr_storage raddr[BATCH];
  union {
    char buf[CTRL_BYTES];
    struct cmsghdr align;
  } rctrl[BATCH];
  struct mmsghdr smsgs[BATCH];
  struct iovec siov[BATCH];
  struct sockaddr_storage saddr[BATCH];
} tock_socket;

#define CHECK(call)                                                                                        \
  do {                                                                                                     \
    if ((call) != napi_ok) return NULL;                                                                    \
  } while (0)

static napi_value throw_errno(napi_env env, int err, const char *syscall) {
  char message[160];
  const char *code = uv_err_name(-err);
  snprintf(message, sizeof message, "%s %s", syscall, code);
  napi_value msg, codev, error;
  if (napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg) != napi_ok) return NULL;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &codev) != napi_ok) return NULL;
  if (napi_create_error(env, codev, msg, &error) != napi_ok) return NULL;
  napi_value errnov, sys;
  napi_create_int32(env, -err, &errnov);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sys);
  napi_set_named_property(env, error, "errno", errnov);
  napi_set_named_property(env, error, "syscall", sys);
  napi_throw(env, error);
  return NULL;
}

/* The poll handle's close callback is libc's free itself, not a function of this addon: when a worker
 * thread is terminated, Node unloads the addon before its event loop runs the last close callbacks, and a
 * callback in the unloaded code would crash the process. free(void *) takes its argument as a
 * uv_close_cb(uv_handle_t *) would on every ABI Node runs on. */
#define free_handle ((uv_close_cb)(void (*)(void))free)

static uint8_t *meta_at(tock_socket *s, size_t area, int i) { return s->base + area + (size_t)i * META; }

/* Stops polling, closes the socket and drops the references that keep JS objects alive. Idempotent. */
static void teardown(tock_socket *s, int delete_refs) {
  if (s->closed) return;
  s->closed = 1;
  if (s->poll != NULL) {
    uv_poll_stop(s->poll);
    s->poll->data = NULL;
    uv_close((uv_handle_t *)s->poll, free_handle);
    s->poll = NULL;
  }
  if (s->fd >= 0) {
    close(s->fd);
    s->fd = -1;
  }
  s->base = NULL;
  if (delete_refs) {
    if (s->buffer != NULL) napi_delete_reference(s->env, s->buffer);
    if (s->callback != NULL) napi_delete_reference(s->env, s->callback);
    if (s->async != NULL) napi_async_destroy(s->env, s->async);
    s->buffer = NULL;
    s->callback = NULL;
    s->async = NULL;
    if (s->self != NULL) napi_reference_unref(s->env, s->self, NULL);
  }
}

static void cleanup_hook(void *arg) { teardown((tock_socket *)arg, 0); }

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  tock_socket *s = data;
  napi_remove_env_cleanup_hook(env, cleanup_hook, s);
  teardown(s, 0);
  if (s->self != NULL) napi_delete_reference(env, s->self);
  free(s);
}

/* One recvmmsg: fills the receive meta. Returns the count, 0 when nothing is waiting, or -errno. */
static int receive_batch(tock_socket *s) {
  for (int i = 0; i < BATCH; i++) {
    s->riov[i].iov_base = s->base + RECV_DATA_OFF + (size_t)i * SLOT;
    s->riov[i].iov_len = SLOT;
    struct msghdr *h = &s->rmsgs[i].msg_hdr;
    h->msg_name = &s->raddr[i];
    h->msg_namelen = sizeof s->raddr[i];
    h->msg_iov = &s->riov[i];
    h->msg_iovlen = 1;
    h->msg_control = s->rctrl[i].buf;
    h->msg_controllen = sizeof s->rctrl[i].buf;
    h->msg_flags = 0;
    s->rmsgs[i].msg_len = 0;
  }
  int n;
  do {
    n = recvmmsg(s->fd, s->rmsgs, BATCH, MSG_DONTWAIT, NULL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
  struct timespec fallback = {0, 0};
  for (int i = 0; i < n; i++) {
    struct msghdr *h = &s->rmsgs[i].msg_hdr;
    uint8_t *m = meta_at(s, RECV_META_OFF, i);
    memset(m, 0, META);
    uint32_t len = s->rmsgs[i].msg_len;
    int32_t flags = 0;
    if ((h->msg_flags & MSG_TRUNC) || len > SLOT) {
      flags |= FLAG_TRUNCATED;
      len = SLOT; /* what is in the slot; the rest was never written */
      s->truncated++;
    }
    struct timespec ts;
    int have = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
          c->cmsg_len >= CMSG_LEN(sizeof ts)) {
        memcpy(&ts, CMSG_DATA(c), sizeof ts);
        have = 1;
      }
    }
    if (!have) {
      if (fallback.tv_sec == 0) clock_gettime(CLOCK_REALTIME, &fallback);
      ts = fallback;
      flags |= FLAG_NO_TIMESTAMP;
      s->no_timestamp++;
    }
    int64_t ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    int32_t len32 = (int32_t)len;
    memcpy(m + 0, &ns, 8);
    memcpy(m + 8, &len32, 4);
    memcpy(m + 12, &flags, 4);
    uint16_t family = 0, port = 0;
    uint32_t scope = 0;
    if (h->msg_namelen >= sizeof(struct sockaddr_in) && s->raddr[i].ss_family == AF_INET) {
      const struct sockaddr_in *a = (const struct sockaddr_in *)&s->raddr[i];
      family = 4;
      port = ntohs(a->sin_port);
      memcpy(m + 20, &a->sin_addr, 4);
    } else if (h->msg_namelen >= sizeof(struct sockaddr_in6) && s->raddr[i].ss_family == AF_INET6) {
      const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&s->raddr[i];
      family = 6;
      port = ntohs(a->sin6_port);
      memcpy(m + 20, &a->sin6_addr, 16);
      scope = a->sin6_scope_id;
    }
    memcpy(m + 16, &family, 2);
    memcpy(m + 18, &port, 2);
    memcpy(m + 36, &scope, 4);
  }
  s->datagrams += n;
  s->batches++;
  return n;
}

static void call_js(tock_socket *s, int value) {
  napi_env env = s->env;
  napi_value self, cb, arg, result;
  if (napi_get_reference_value(env, s->self, &self) != napi_ok || self == NULL) return;
  if (napi_get_reference_value(env, s->callback, &cb) != napi_ok || cb == NULL) return;
  napi_create_int32(env, value, &arg);
  s->in_callback = 1;
  /* make_callback runs microtasks and reports a thrown exception as uncaught, like any libuv callback. */
  napi_make_callback(env, s->async, self, cb, 1, &arg, &result);
  s->in_callback = 0;
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  (void)events;
  tock_socket *s = handle->data;
  if (s == NULL || s->closed) return;
  napi_handle_scope scope;
  if (napi_open_handle_scope(s->env, &scope) != napi_ok) return;
  if (status < 0) {
    call_js(s, status); /* a libuv error code: negative errno */
  } else {
    for (int round = 0; round < MAX_ROUNDS && !s->closed; round++) {
      int n = receive_batch(s);
      if (n == 0) break;
      call_js(s, n);
      /* A short batch means the socket was empty: wait for epoll rather than pay a recvmmsg that finds
       * nothing (measured with bench/io.ts: looping until EAGAIN was no faster with 16 clients). */
      if (n < 0 || n < BATCH) break;
    }
  }
  napi_close_handle_scope(s->env, scope);
}

static tock_socket *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *data = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, self, &data) != napi_ok || data == NULL) {
    napi_throw_error(env, "ERR_INVALID_THIS", "not a tock_udp socket");
    return NULL;
  }
  return data;
}

static int parse_address(const char *text, struct sockaddr_storage *out, socklen_t *len, uint16_t port) {
  memset(out, 0, sizeof *out);
  struct sockaddr_in *a4 = (struct sockaddr_in *)out;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;
  if (inet_pton(AF_INET, text, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons(port);
    *len = sizeof *a4;
    return AF_INET;
  }
  if (inet_pton(AF_INET6, text, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(port);
    *len = sizeof *a6;
    return AF_INET6;
  }
  return 0;
}

static napi_value js_send(napi_env env, napi_callback_info info);
static napi_value js_close(napi_env env, napi_callback_info info);
static napi_value js_address(napi_env env, napi_callback_info info);
static napi_value js_stats(napi_env env, napi_callback_info info);

/* open(host: string, port: number, reusePort: boolean, buffer: ArrayBuffer, onBatch: (n) => void) */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], self;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "open(host, port, reusePort, buffer, onBatch)");
    return NULL;
  }
  char host[64];
  size_t host_len = 0;
  if (napi_get_value_string_utf8(env, argv[0], host, sizeof host, &host_len) != napi_ok ||
      host_len >= sizeof host - 1) {
    napi_throw_type_error(env, NULL, "host must be an IP address");
    return NULL;
  }
  uint32_t port;
  bool reuse;
  if (napi_get_value_uint32(env, argv[1], &port) != napi_ok || port > 65535) {
    napi_throw_range_error(env, NULL, "port must be 0 to 65535");
    return NULL;
  }
  CHECK(napi_get_value_bool(env, argv[2], &reuse));
  void *data = NULL;
  size_t bytes = 0;
  bool is_ab = false;
  CHECK(napi_is_arraybuffer(env, argv[3], &is_ab));
  if (!is_ab || napi_get_arraybuffer_info(env, argv[3], &data, &bytes) != napi_ok || bytes < BUFFER_BYTES ||
      data == NULL) {
    napi_throw_range_error(env, NULL, "buffer must be an ArrayBuffer of at least BUFFER_BYTES");
    return NULL;
  }
  napi_valuetype t;
  CHECK(napi_typeof(env, argv[4], &t));
  if (t != napi_function) {
    napi_throw_type_error(env, NULL, "onBatch must be a function");
    return NULL;
  }
  struct sockaddr_storage addr;
  socklen_t addr_len;
  int family = parse_address(host, &addr, &addr_len, (uint16_t)port);
  if (family == 0) {
    napi_throw_type_error(env, NULL, "host must be an IP address");
    return NULL;
  }
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, errno, "socket");
  int one = 1, zero = 0;
  if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) < 0) goto fail_sockopt;
  if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) goto fail_sockopt;
  if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0) goto fail_sockopt;
  if (bind(fd, (struct sockaddr *)&addr, addr_len) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, err, "bind");
  }
  tock_socket *s = calloc(1, sizeof *s);
  if (s == NULL) {
    close(fd);
    return throw_errno(env, ENOMEM, "open");
  }
  s->env = env;
  s->fd = fd;
  s->family = family;
  s->base = data;
  napi_value obj, name;
  if (napi_create_object(env, &obj) != napi_ok || napi_wrap(env, obj, s, finalize, NULL, NULL) != napi_ok) {
    close(fd);
    free(s);
    return NULL;
  }
  /* From here on, the finalizer owns `s`. */
  napi_property_descriptor methods[] = {
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
      {"address", NULL, js_address, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, obj, sizeof methods / sizeof methods[0], methods);
  napi_create_reference(env, obj, 1, &s->self);
  napi_create_reference(env, argv[3], 1, &s->buffer);
  napi_create_reference(env, argv[4], 1, &s->callback);
  napi_create_string_utf8(env, "tock_udp", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &s->async);
  napi_add_env_cleanup_hook(env, cleanup_hook, s);
  uv_loop_t *loop = NULL;
  s->poll = malloc(sizeof *s->poll);
  int r = UV_ENOMEM;
  if (s->poll != NULL && napi_get_uv_event_loop(env, &loop) == napi_ok &&
      (r = uv_poll_init(loop, s->poll, fd)) == 0) {
    s->poll->data = s;
    r = uv_poll_start(s->poll, UV_READABLE, on_poll);
    if (r != 0) {
      uv_close((uv_handle_t *)s->poll, free_handle);
      s->poll = NULL;
    }
  } else {
    free(s->poll);
    s->poll = NULL;
  }
  if (r != 0) {
    teardown(s, 1);
    return throw_errno(env, -r, "uv_poll_start");
  }
  return obj;
fail_sockopt : {
  int err = errno;
  close(fd);
  return throw_errno(env, err, "setsockopt");
}
}

/* send(count): sends send slots 0..count-1 in sendmmsg calls; writes each one's errno into its meta.
 * Returns how many the kernel refused. */
static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  tock_socket *s = unwrap(env, info, &argc, argv);
  if (s == NULL) return NULL;
  int32_t count = 0;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &count) != napi_ok || count < 0 || count > BATCH) {
    napi_throw_range_error(env, NULL, "count must be 0 to BATCH");
    return NULL;
  }
  if (s->closed) return throw_errno(env, EBADF, "sendmmsg");
  int failed = 0;
  int ready = 0;
  int index[BATCH]; /* which slot each prepared message is */
  for (int i = 0; i < count; i++) {
    uint8_t *m = meta_at(s, SEND_META_OFF, i);
    int32_t len, err = 0;
    uint16_t family, port;
    memcpy(&len, m + 8, 4);
    memcpy(&family, m + 16, 2);
    memcpy(&port, m + 18, 2);
    struct sockaddr_storage *a = &s->saddr[ready];
    memset(a, 0, sizeof *a);
    socklen_t alen = 0;
    if (len < 0 || len > SEND_SLOT) {
      err = EMSGSIZE;
    } else if (s->family == AF_INET) {
      if (family != 4) {
        err = EAFNOSUPPORT;
      } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)a;
        a4->sin_family = AF_INET;
        a4->sin_port = htons(port);
        memcpy(&a4->sin_addr, m + 20, 4);
        alen = sizeof *a4;
      }
    } else {
      struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)a;
      a6->sin6_family = AF_INET6;
      a6->sin6_port = htons(port);
      if (family == 6) {
        memcpy(&a6->sin6_addr, m + 20, 16);
        memcpy(&a6->sin6_scope_id, m + 36, 4);
      } else if (family == 4) { /* IPv4-mapped, for the dual-stack socket */
        a6->sin6_addr.s6_addr[10] = 0xff;
        a6->sin6_addr.s6_addr[11] = 0xff;
        memcpy(&a6->sin6_addr.s6_addr[12], m + 20, 4);
      } else {
        err = EAFNOSUPPORT;
      }
      alen = sizeof *a6;
    }
    memcpy(m + 40, &err, 4);
    if (err != 0) {
      failed++;
      continue;
    }
    s->siov[ready].iov_base = s->base + SEND_DATA_OFF + (size_t)i * SEND_SLOT;
    s->siov[ready].iov_len = (size_t)len;
    struct msghdr *h = &s->smsgs[ready].msg_hdr;
    memset(h, 0, sizeof *h);
    h->msg_name = a;
    h->msg_namelen = alen;
    h->msg_iov = &s->siov[ready];
    h->msg_iovlen = 1;
    index[ready] = i;
    ready++;
  }
  int off = 0;
  while (off < ready) {
    int r = sendmmsg(s->fd, s->smsgs + off, (unsigned)(ready - off), MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EINTR) continue;
      int err = errno; /* the message at `off` was refused: record it, go on with the next */
      memcpy(meta_at(s, SEND_META_OFF, index[off]) + 40, &err, 4);
      failed++;
      off++;
      continue;
    }
    if (r == 0) break; /* should not happen; never spin */
    off += r;
  }
  for (; off < ready; off++) {
    int err = EIO;
    memcpy(meta_at(s, SEND_META_OFF, index[off]) + 40, &err, 4);
    failed++;
  }
  napi_create_int32(env, failed, &result);
  return result;
}

/* close(): stops polling and closes the socket; no callback runs afterwards. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  tock_socket *s = unwrap(env, info, &argc, NULL);
  if (s == NULL) return NULL;
  teardown(s, 1);
  return NULL;
}

/* address(): { family: 4 | 6, address, port } of the bound socket. */
static napi_value js_address(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  tock_socket *s = unwrap(env, info, &argc, NULL);
  if (s == NULL) return NULL;
  if (s->closed) return throw_errno(env, EBADF, "getsockname");
  struct sockaddr_storage a;
  socklen_t len = sizeof a;
  if (getsockname(s->fd, (struct sockaddr *)&a, &len) < 0) return throw_errno(env, errno, "getsockname");
  char text[INET6_ADDRSTRLEN] = "";
  int port = 0, family = 0;
  if (a.ss_family == AF_INET) {
    struct sockaddr_in *a4 = (struct sockaddr_in *)&a;
    inet_ntop(AF_INET, &a4->sin_addr, text, sizeof text);
    port = ntohs(a4->sin_port);
    family = 4;
  } else if (a.ss_family == AF_INET6) {
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&a;
    inet_ntop(AF_INET6, &a6->sin6_addr, text, sizeof text);
    port = ntohs(a6->sin6_port);
    family = 6;
  }
  napi_value obj, v;
  CHECK(napi_create_object(env, &obj));
  napi_create_int32(env, family, &v);
  napi_set_named_property(env, obj, "family", v);
  napi_create_int32(env, port, &v);
  napi_set_named_property(env, obj, "port", v);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "address", v);
  return obj;
}

/* stats(): counters of this socket. */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  tock_socket *s = unwrap(env, info, &argc, NULL);
  if (s == NULL) return NULL;
  napi_value obj, v;
  CHECK(napi_create_object(env, &obj));
  napi_create_double(env, s->datagrams, &v);
  napi_set_named_property(env, obj, "datagrams", v);
  napi_create_double(env, s->batches, &v);
  napi_set_named_property(env, obj, "batches", v);
  napi_create_double(env, s->truncated, &v);
  napi_set_named_property(env, obj, "truncated", v);
  napi_create_double(env, s->no_timestamp, &v);
  napi_set_named_property(env, obj, "noTimestamp", v);
  return obj;
}

/* ntop(buffer: ArrayBuffer, offset): the address text of the meta at `offset` (family at +16). */
static napi_value js_ntop(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *data = NULL;
  size_t bytes = 0;
  uint32_t off = 0;
  bool is_ab = false;
  if (argc < 2 || napi_is_arraybuffer(env, argv[0], &is_ab) != napi_ok || !is_ab ||
      napi_get_arraybuffer_info(env, argv[0], &data, &bytes) != napi_ok ||
      napi_get_value_uint32(env, argv[1], &off) != napi_ok || (size_t)off + META > bytes) {
    napi_throw_range_error(env, NULL, "ntop(buffer, offset): offset out of range");
    return NULL;
  }
  const uint8_t *m = (const uint8_t *)data + off;
  uint16_t family;
  memcpy(&family, m + 16, 2);
  char text[INET6_ADDRSTRLEN] = "";
  if (family == 4) inet_ntop(AF_INET, m + 20, text, sizeof text);
  else if (family == 6) inet_ntop(AF_INET6, m + 20, text, sizeof text);
  CHECK(napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &result));
  return result;
}

/* pton(address: string, buffer: ArrayBuffer, offset): writes family (+16) and address (+20) of the meta at
 * `offset`; returns the family (4 or 6) or 0 when `address` is not an IP address. */
static napi_value js_pton(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char text[64];
  size_t len = 0;
  void *data = NULL;
  size_t bytes = 0;
  uint32_t off = 0;
  bool is_ab = false;
  if (argc < 3 || napi_get_value_string_utf8(env, argv[0], text, sizeof text, &len) != napi_ok ||
      napi_is_arraybuffer(env, argv[1], &is_ab) != napi_ok || !is_ab ||
      napi_get_arraybuffer_info(env, argv[1], &data, &bytes) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &off) != napi_ok || (size_t)off + META > bytes) {
    napi_throw_range_error(env, NULL, "pton(address, buffer, offset): bad arguments");
    return NULL;
  }
  uint8_t *m = (uint8_t *)data + off;
  uint16_t family = 0;
  uint8_t addr[16] = {0};
  uint32_t scope = 0;
  char *percent = strchr(text, '%'); /* fe80::1%2: a numeric scope id */
  if (percent != NULL) {
    *percent = '\0';
    scope = (uint32_t)strtoul(percent + 1, NULL, 10);
  }
  if (len < sizeof text - 1) {
    if (inet_pton(AF_INET, text, addr) == 1) family = 4;
    else if (inet_pton(AF_INET6, text, addr) == 1) family = 6;
  }
  if (family != 0) {
    memcpy(m + 16, &family, 2);
    memcpy(m + 20, addr, 16);
    memcpy(m + 36, &scope, 4);
  }
  CHECK(napi_create_int32(env, family, &result));
  return result;
}

static napi_value constant(napi_env env, napi_value exports, const char *name, int32_t value) {
  napi_value v;
  CHECK(napi_create_int32(env, value, &v));
  CHECK(napi_set_named_property(env, exports, name, v));
  return exports;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor fns[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"ntop", NULL, js_ntop, NULL, NULL, NULL, napi_default, NULL},
      {"pton", NULL, js_pton, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns));
  constant(env, exports, "BATCH", BATCH);
  constant(env, exports, "SLOT", SLOT);
  constant(env, exports, "SEND_SLOT", SEND_SLOT);
  constant(env, exports, "META", META);
  constant(env, exports, "RECV_META_OFF", RECV_META_OFF);
  constant(env, exports, "SEND_DATA_OFF", SEND_DATA_OFF);
  constant(env, exports, "SEND_META_OFF", SEND_META_OFF);
  constant(env, exports, "BUFFER_BYTES", BUFFER_BYTES);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
