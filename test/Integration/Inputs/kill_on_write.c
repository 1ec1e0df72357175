//===- kill_on_write.c - Kill a process in the middle of writing a file ---===//
//
// An LD_PRELOAD shim for the interrupted-write test: once the process has
// written KILL_AFTER bytes to a file whose path contains ".tmp-" (the
// temporary file writeNpy renames into place), it writes only up to that
// byte and raises the signal KILL_SIGNAL, as a kill arriving mid-write would.
//
//===----------------------------------------------------------------------===//

#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t written;

ssize_t write(int fd, const void *buf, size_t n) {
  static ssize_t (*real)(int, const void *, size_t);
  if (!real)
    real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
  char link[64], path[4096];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t len = readlink(link, path, sizeof(path) - 1);
  const char *after = getenv("KILL_AFTER"), *sig = getenv("KILL_SIGNAL");
  if (len > 0 && after && sig) {
    path[len] = '\0';
    size_t limit = strtoull(after, NULL, 10);
    if (strstr(path, ".tmp-") && written + n > limit) {
      if (limit > written)
        real(fd, buf, limit - written);
      raise(atoi(sig));
    }
    if (strstr(path, ".tmp-"))
      written += n;
  }
  return real(fd, buf, n);
}
