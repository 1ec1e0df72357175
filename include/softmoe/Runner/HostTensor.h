//===- HostTensor.h - Host buffers passed to compiled code ------*- C++ -*-===//
//
// A dense, C-order, 64-byte aligned host array of one of the element types
// the project compiles for (f32, bf16, f16, i1), and its conversions from and
// to .npy files.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_RUNNER_HOSTTENSOR_H
#define SOFTMOE_RUNNER_HOSTTENSOR_H

#include "softmoe/Support/ElementKind.h"
#include "softmoe/Support/Npy.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <cstdlib>
#include <memory>

namespace mlir::softmoe {

class HostTensor {
public:
  HostTensor() = default;

  /// Allocates an uninitialised tensor; fails (does not abort) when the shape
  /// is invalid or the memory is not available.
  static llvm::Expected<HostTensor> allocate(ElementKind kind,
                                             llvm::ArrayRef<int64_t> shape);

  ElementKind getKind() const { return kind; }
  llvm::ArrayRef<int64_t> getShape() const { return shape; }
  int64_t getNumElements() const { return numElements; }
  size_t getNumBytes() const {
    return static_cast<size_t>(numElements) * elementKindSize(kind);
  }
  char *data() { return storage.get(); }
  const char *data() const { return storage.get(); }

  template <typename T> llvm::MutableArrayRef<T> elements() {
    return {reinterpret_cast<T *>(storage.get()),
            static_cast<size_t>(numElements)};
  }
  template <typename T> llvm::ArrayRef<T> elements() const {
    return {reinterpret_cast<const T *>(storage.get()),
            static_cast<size_t>(numElements)};
  }

  /// The element at flat index `i` widened to double (i1 as 0 or 1).
  double getAsDouble(int64_t i) const;

private:
  struct FreeDeleter {
    void operator()(char *p) const { std::free(p); }
  };
  ElementKind kind = ElementKind::F32;
  llvm::SmallVector<int64_t> shape;
  int64_t numElements = 0;
  std::unique_ptr<char, FreeDeleter> storage;
};

/// What tensorFromNpy may convert beyond the exact pairings.
struct NpyConversion {
  /// float64 files (numpy's default dtype) feed f32, bf16 and f16 tensors:
  /// each element is rounded to float32 (to nearest even), then as a float32
  /// file would be. A finite value beyond float32's range is an error.
  bool convertF64 = false;
  /// The tool flag that sets convertF64, named in the refusal's hint.
  llvm::StringRef convertF64Flag;
};

/// Converts an .npy array to a tensor of `kind`: float32 feeds f32 and is
/// rounded (to nearest even) for bf16 and f16; float16 feeds f16; bool feeds
/// i1; float64 only as `conversion` allows. Any other pairing is an error
/// naming `what` (e.g. "x.npy").
llvm::Expected<HostTensor> tensorFromNpy(const NpyArray &array,
                                         ElementKind kind, llvm::StringRef what,
                                         const NpyConversion &conversion = {});

/// tensorFromNpy of the indices [begin, begin + count) of dimension `dim`
/// only: what one process of an expert-parallel run holds of the weights.
llvm::Expected<HostTensor> tensorFromNpySlice(const NpyArray &array,
                                              ElementKind kind,
                                              llvm::StringRef what,
                                              unsigned dim, int64_t begin,
                                              int64_t count);

/// A copy of the indices [begin, begin + count) of dimension `dim`.
llvm::Expected<HostTensor> sliceDim(const HostTensor &tensor, unsigned dim,
                                    int64_t begin, int64_t count);

/// Writes `tensor` to `path` atomically (see writeNpy): f32, bf16 and f16 as
/// float32, i1 as bool.
llvm::Error writeTensorNpy(llvm::StringRef path, const HostTensor &tensor);

/// Sum and sum of absolute values of the elements (as doubles), and the
/// number of NaN/Inf elements, for quick checksums in tool output.
struct TensorSummary {
  double sum = 0, absSum = 0;
  int64_t nonFinite = 0;
};
TensorSummary summarize(const HostTensor &tensor);

} // namespace mlir::softmoe

#endif // SOFTMOE_RUNNER_HOSTTENSOR_H
