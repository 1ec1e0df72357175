//===- JitMemory.cpp - The allocator of JIT-compiled code -----------------===//
//
// Small blocks are plain malloc, with glibc told to keep freed memory in the
// process. That is not enough for large ones: glibc trims the heap once its
// free top exceeds M_TRIM_THRESHOLD, an int (at most 2 GB), so B-128's
// backward (2.4 GB of weight gradients) gave its memory back on every call
// and faulted it in again: 6-11 s per call instead of 0.5 s. Blocks of
// kLargeBytes and more are therefore cached here by size, and asked to be
// backed by transparent huge pages, which also cuts the TLB misses of
// streaming through a gigabyte of gradients.
//
//===----------------------------------------------------------------------===//

#include "JitMemory.h"

#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <mutex>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

using namespace mlir::softmoe;

namespace {
constexpr size_t kLargeBytes = size_t(4) << 20;
constexpr size_t kHugePage = size_t(2) << 20;

struct LargeBlockCache {
  std::mutex mutex;
  /// Free blocks by usable size.
  std::multimap<size_t, void *> blocks;
  size_t cachedBytes = 0;
  int users = 0;

  /// A quarter of the memory: enough for every buffer of the largest layers
  /// the runner can hold, while not starving the rest of the process.
  /// Asked once, not on every release.
  static size_t limit() {
    static const size_t bytes = [] {
#if defined(__linux__)
      long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
      if (pages > 0 && pageSize > 0)
        return size_t(pages) * size_t(pageSize) / 4;
#endif
      return size_t(4) << 30;
    }();
    return bytes;
  }

  void clearLocked() {
    for (auto &entry : blocks)
      std::free(entry.second);
    blocks.clear();
    cachedBytes = 0;
  }
};

LargeBlockCache &cache() {
  static LargeBlockCache *instance = new LargeBlockCache();
  return *instance;
}

size_t usableSize(void *ptr) {
#if defined(__GLIBC__)
  return malloc_usable_size(ptr);
#else
  (void)ptr;
  return 0; // Without it, nothing is cached.
#endif
}

void adviseHugePages(void *ptr, size_t size) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  uintptr_t begin = (reinterpret_cast<uintptr_t>(ptr) + kHugePage - 1) &
                    ~(kHugePage - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(ptr) + size) & ~(kHugePage - 1);
  // Advice only: where the kernel has THP off, nothing changes.
  if (end > begin)
    (void)madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)ptr;
  (void)size;
#endif
}
} // namespace

void jit_memory::configureMalloc() {
#if defined(__GLIBC__)
  // Keep freed memory in the process, as a caching allocator would: no
  // mmap'd chunks (their threshold cannot exceed 32 MB, less than one
  // S-32-b64 intermediate) and no trimming below 2 GB of free heap.
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
#endif
}

void *jit_memory::allocate(size_t size) {
  if (size >= kLargeBytes) {
    LargeBlockCache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    // A block at most 1/8 larger than asked for: close sizes share blocks
    // (dynamic shapes), far larger ones are not wasted on small requests.
    auto it = c.blocks.lower_bound(size);
    if (it != c.blocks.end() && it->first <= size + size / 8) {
      void *ptr = it->second;
      c.cachedBytes -= it->first;
      c.blocks.erase(it);
      return ptr;
    }
  }
  void *ptr = std::malloc(size);
  if (!ptr && size) {
    llvm::errs() << program_invocation_short_name
                 << ": error: out of memory: the compiled code could not "
                    "allocate "
                 << size << " bytes\n";
    llvm::errs().flush();
    // _Exit: destructors must not run while compiled code is on the stack.
    std::_Exit(1);
  }
  if (size >= kLargeBytes)
    adviseHugePages(ptr, size);
  return ptr;
}

void jit_memory::release(void *ptr) {
  if (!ptr)
    return;
  size_t size = usableSize(ptr);
  if (size >= kLargeBytes) {
    LargeBlockCache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.users > 0 && c.cachedBytes + size <= LargeBlockCache::limit()) {
      c.blocks.emplace(size, ptr);
      c.cachedBytes += size;
      return;
    }
  }
  std::free(ptr);
}

void jit_memory::retainCache() {
  LargeBlockCache &c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  ++c.users;
}

void jit_memory::releaseCache() {
  LargeBlockCache &c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  if (--c.users == 0)
    c.clearLocked();
}
