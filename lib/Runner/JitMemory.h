//===- JitMemory.h - The allocator of JIT-compiled code ---------*- C++ -*-===//
//
// Compiled layers malloc their buffers on every call (scratch, and the
// results the caller frees), and training's weight gradients are as large as
// the weights: 1.2 GB each for B-128. The JIT's malloc and free are these
// functions, not the process's, so that such buffers are reused across calls
// instead of being faulted in again each time.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_LIB_RUNNER_JITMEMORY_H
#define SOFTMOE_LIB_RUNNER_JITMEMORY_H

#include <cstddef>

namespace mlir::softmoe::jit_memory {

/// Sets the process's malloc policy for compiled code (glibc only); the
/// runner calls it once, with the target initialisation.
void configureMalloc();

/// malloc for compiled code, which uses the result unchecked: on failure it
/// reports one error line and exits 1. Large blocks come from the cache.
void *allocate(size_t size);

/// free for compiled code and for the results the runner releases. Large
/// blocks go back to the cache; anything else to std::free.
void release(void *ptr);

/// Compiled functions alive: the cache is emptied when the last one goes, so
/// an embedding process does not keep a layer's memory after its function.
void retainCache();
void releaseCache();

} // namespace mlir::softmoe::jit_memory

#endif // SOFTMOE_LIB_RUNNER_JITMEMORY_H
