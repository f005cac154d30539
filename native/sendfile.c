/*
 * sockftp's optional zero-copy sender: sendfile(2) from a file descriptor to
 * a non-blocking socket, called on the event loop (src/server/zeroCopy.ts).
 *
 * Why on the event loop and not in libuv's thread pool: a blocking sendfile
 * there holds one of the pool's 4 threads for a whole transfer, so 200
 * downloads would queue behind 4. A non-blocking sendfile (as pyftpdlib and
 * nginx do) returns as soon as the socket's send buffer is full; the caller
 * then waits for writability and calls again. That wait is done in
 * JavaScript, through Node's own handle (see zeroCopy.ts), so this file
 * needs only Node-API and no libuv headers, and Node's socket stays the one
 * owner of the descriptor (its close sends the FIN as usual).
 *
 * Linux only (the build script skips other systems): sendfile's signature
 * differs on the BSDs and macOS.
 */
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdint.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <node_api.h>

/* Most bytes one sendfile(2) call is asked for (Linux caps a call near 2 GiB anyway). */
#define MAX_CALL (16 * 1024 * 1024)

static int args(napi_env env, napi_callback_info info, size_t want, double *out) {
  napi_value argv[4];
  size_t argc = 4;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) return 0;
  for (size_t i = 0; i < want; i++) {
    if (napi_get_value_double(env, argv[i], &out[i]) != napi_ok) return 0;
  }
  return 1;
}

static napi_value number(napi_env env, double value) {
  napi_value result;
  napi_create_double(env, value, &result);
  return result;
}

/*
 * sendfile(socketFd, fileFd, offset, count): sends up to `count` bytes of the
 * file from `offset`, until the socket is full. Returns the bytes sent (> 0),
 * 0 at end of file, or a negative errno (-EAGAIN: the socket is full and
 * nothing was sent). Never throws for a system error: the caller names it.
 */
static napi_value Sendfile(napi_env env, napi_callback_info info) {
  double a[4];
  if (!args(env, info, 4, a) || a[2] < 0 || a[3] < 0) {
    napi_throw_type_error(env, NULL, "sendfile(socketFd, fileFd, offset, count) takes four non-negative numbers");
    return NULL;
  }
  int out = (int)a[0], in = (int)a[1];
  off_t offset = (off_t)a[2];
  double left = a[3], total = 0;
  while (left > 0) {
    size_t ask = left > MAX_CALL ? MAX_CALL : (size_t)left;
    ssize_t n = sendfile(out, in, &offset, ask);
    if (n > 0) {
      total += (double)n;
      left -= (double)n;
      continue;
    }
    if (n == 0) break; /* end of file */
    if (errno == EINTR) continue;
    if (total > 0) break; /* report what was sent; the next call meets the error again */
    return number(env, -(double)errno);
  }
  return number(env, total);
}

/* nonblock(fd): sets O_NONBLOCK (libuv's TCP sockets have it already); returns 0 or a negative errno. */
static napi_value Nonblock(napi_env env, napi_callback_info info) {
  double a[1];
  if (!args(env, info, 1, a)) {
    napi_throw_type_error(env, NULL, "nonblock(fd) takes a number");
    return NULL;
  }
  int fd = (int)a[0];
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || ((flags & O_NONBLOCK) == 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)) return number(env, -(double)errno);
  return number(env, 0);
}

/*
 * fixMmapThreshold(bytes): blocks of `bytes` and more are mmap()ed and given
 * back to the kernel when freed. glibc's threshold is dynamic by default: the
 * first large block freed raises it to that block's size, and from then on
 * each libuv thread keeps scrypt's 16 MiB (one per login hash) in its own
 * arena for good, 64 MiB with the pool's 4 threads. Setting it once turns
 * the dynamic rule off. Returns 1 if set, 0 where the libc has no mallopt.
 */
static napi_value FixMmapThreshold(napi_env env, napi_callback_info info) {
  double a[1];
  if (!args(env, info, 1, a)) {
    napi_throw_type_error(env, NULL, "fixMmapThreshold(bytes)");
    return NULL;
  }
#ifdef __GLIBC__
  return number(env, mallopt(M_MMAP_THRESHOLD, (int)a[0]) == 1 ? 1 : 0);
#else
  return number(env, 0);
#endif
}

/* sndbuf(fd, bytes): sets SO_SNDBUF (which turns the kernel's autotuning off for that socket); returns 0 or a negative errno. */
static napi_value Sndbuf(napi_env env, napi_callback_info info) {
  double a[2];
  if (!args(env, info, 2, a) || a[1] < 0) {
    napi_throw_type_error(env, NULL, "sndbuf(fd, bytes) takes two non-negative numbers");
    return NULL;
  }
  int bytes = (int)a[1];
  return number(env, setsockopt((int)a[0], SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes) == 0 ? 0 : -(double)errno);
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"sendfile", NULL, Sendfile, NULL, NULL, NULL, napi_enumerable, NULL},
    {"nonblock", NULL, Nonblock, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sndbuf", NULL, Sndbuf, NULL, NULL, NULL, napi_enumerable, NULL},
    {"fixMmapThreshold", NULL, FixMmapThreshold, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
