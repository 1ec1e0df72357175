//===- AotNpy.h - Minimal .npy reading and writing for AOT binaries -------===//
//
// AOT executables must not depend on LLVM, so they carry their own small .npy
// support: little-endian float32 and bool arrays in C order, which is what
// peers/softmoe_ref.py writes and what the contract asks for.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_LIB_RUNTIME_AOT_AOTNPY_H
#define SOFTMOE_LIB_RUNTIME_AOT_AOTNPY_H

#include <cstdint>
#include <string>
#include <vector>

namespace softmoe::aot {

struct NpyArray {
  std::string descr; // "<f4" or "|b1"
  std::vector<int64_t> shape;
  std::vector<unsigned char> data; // raw little-endian bytes, C order
  int64_t numElements() const;
};

/// Reads `path`; on failure returns false and sets `error` to one line that
/// names the file.
bool readNpy(const std::string &path, NpyArray &array, std::string &error);

/// Writes a float32 array atomically (a temporary file renamed into place), so
/// a failure never leaves a partial file behind.
bool writeNpyF32(const std::string &path, const std::vector<int64_t> &shape,
                 const float *data, std::string &error);

} // namespace softmoe::aot

#endif // SOFTMOE_LIB_RUNTIME_AOT_AOTNPY_H
