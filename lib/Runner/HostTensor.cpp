//===- HostTensor.cpp - Host buffers passed to compiled code --------------===//

#include "softmoe/Runner/HostTensor.h"

#include "softmoe/Support/FloatRounding.h"

#include "mlir/Support/LLVM.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <optional>

using llvm::createStringError;
using llvm::Error;
using llvm::Expected;
using llvm::toString;
using namespace mlir;
using namespace mlir::softmoe;

Expected<HostTensor> HostTensor::allocate(ElementKind kind,
                                          ArrayRef<int64_t> shape) {
  std::optional<int64_t> numElements = checkedNumElements(shape);
  uint64_t bytes = 0;
  if (!numElements ||
      __builtin_mul_overflow(*numElements, elementKindSize(kind), &bytes) ||
      bytes > SIZE_MAX - 64)
    return createStringError("the shape " + formatShape(shape) +
                             " is too large");
  HostTensor tensor;
  tensor.kind = kind;
  tensor.shape.assign(shape.begin(), shape.end());
  tensor.numElements = *numElements;
  // aligned_alloc wants a multiple of the alignment, and a non-zero size so
  // that empty tensors still get a distinct, freeable pointer.
  size_t allocBytes = llvm::alignTo(std::max<uint64_t>(bytes, 1), 64);
  tensor.storage.reset(static_cast<char *>(std::aligned_alloc(64, allocBytes)));
  if (!tensor.storage)
    return createStringError("cannot allocate " + Twine(bytes) +
                             " bytes for a tensor of shape " +
                             formatShape(shape));
  return std::move(tensor);
}

double HostTensor::getAsDouble(int64_t i) const {
  switch (kind) {
  case ElementKind::F32:
    return elements<float>()[i];
  case ElementKind::BF16:
    return bf16ToF32(elements<uint16_t>()[i]);
  case ElementKind::F16:
    return f16ToF32(elements<uint16_t>()[i]);
  case ElementKind::I1:
    return elements<uint8_t>()[i] ? 1.0 : 0.0;
  }
  llvm_unreachable("unknown ElementKind");
}

Expected<HostTensor>
mlir::softmoe::tensorFromNpy(const NpyArray &array, ElementKind kind,
                             StringRef what, const NpyConversion &conversion) {
  NpyDType dtype = array.getDType();
  bool isFloat = kind != ElementKind::I1;
  bool ok = false;
  switch (kind) {
  case ElementKind::F32:
  case ElementKind::BF16:
    ok = dtype == NpyDType::F32;
    break;
  case ElementKind::F16:
    ok = dtype == NpyDType::F32 || dtype == NpyDType::F16;
    break;
  case ElementKind::I1:
    ok = dtype == NpyDType::Bool;
    break;
  }
  ok |= isFloat && dtype == NpyDType::F64 && conversion.convertF64;
  if (!ok) {
    StringRef expected = kind == ElementKind::I1    ? "bool"
                         : kind == ElementKind::F16 ? "float32 or float16"
                                                    : "float32";
    std::string msg =
        (what + ": dtype " + npyDTypeName(dtype) + " cannot feed a tensor of " +
         elementKindName(kind) + " (expected " + expected + ")")
            .str();
    // numpy makes float64 unless told otherwise: say how to get float32.
    if (isFloat && dtype == NpyDType::F64) {
      msg += "; save float32 data, e.g. np.save(path, np.asarray(a, "
             "np.float32))";
      if (!conversion.convertF64Flag.empty())
        msg += ", or pass " + conversion.convertF64Flag.str() +
               " to round float64 to float32 here";
    }
    return createStringError(msg);
  }

  Expected<HostTensor> tensorOr = HostTensor::allocate(kind, array.getShape());
  if (!tensorOr)
    return createStringError(what + ": " + toString(tensorOr.takeError()));
  HostTensor &tensor = *tensorOr;
  ArrayRef<char> bytes = array.data();
  // The file's data may not be aligned (version 1.0 headers of other
  // writers), so read elements through memcpy.
  auto readF64 = [&](int64_t i) {
    double v;
    std::memcpy(&v, bytes.data() + 8 * i, 8);
    return v;
  };
  std::string overflow;
  auto readF32 = [&](int64_t i) {
    float v;
    if (dtype == NpyDType::F64) {
      double d = readF64(i);
      v = static_cast<float>(d);
      if (std::isfinite(d) && !std::isfinite(v) && overflow.empty()) {
        llvm::raw_string_ostream os(overflow);
        os << what << ": float64 element " << i << " (" << d
           << ") is beyond the range of float32";
      }
      return v;
    }
    std::memcpy(&v, bytes.data() + 4 * i, 4);
    return v;
  };
  if (npyElementSize(dtype) == elementKindSize(kind)) {
    std::memcpy(tensor.data(), bytes.data(), bytes.size());
  } else if (kind == ElementKind::F32) {
    assert(dtype == NpyDType::F64);
    MutableArrayRef<float> out = tensor.elements<float>();
    for (int64_t i = 0, e = tensor.getNumElements(); i < e; ++i)
      out[i] = readF32(i);
  } else if (kind == ElementKind::BF16) {
    MutableArrayRef<uint16_t> out = tensor.elements<uint16_t>();
    for (int64_t i = 0, e = tensor.getNumElements(); i < e; ++i)
      out[i] = roundF32ToBF16(readF32(i));
  } else {
    assert(kind == ElementKind::F16 && dtype != NpyDType::F16);
    MutableArrayRef<uint16_t> out = tensor.elements<uint16_t>();
    for (int64_t i = 0, e = tensor.getNumElements(); i < e; ++i)
      out[i] = roundF32ToF16(readF32(i));
  }
  if (!overflow.empty())
    return createStringError(overflow);
  return std::move(tensor);
}

namespace {
/// Rows [begin, begin + count) of dimension `dim` of a row-major array, laid
/// out as `outer` runs of count * inner elements, shape[dim] * inner apart.
struct DimSlice {
  int64_t outer = 1, inner = 1;
  SmallVector<int64_t> shape; // the slice's own shape
};
} // namespace

/// The layout of the slice [begin, begin + count) of dimension `dim` of an
/// array of `shape`; nothing when the slice is not within that dimension.
static std::optional<DimSlice> getDimSlice(ArrayRef<int64_t> shape,
                                           unsigned dim, int64_t begin,
                                           int64_t count) {
  if (dim >= shape.size() || begin < 0 || count < 0 ||
      begin + count > shape[dim])
    return std::nullopt;
  DimSlice slice;
  for (unsigned d = 0; d < dim; ++d)
    slice.outer *= shape[d];
  for (unsigned d = dim + 1; d < shape.size(); ++d)
    slice.inner *= shape[d];
  slice.shape.assign(shape.begin(), shape.end());
  slice.shape[dim] = count;
  return slice;
}

Expected<HostTensor> mlir::softmoe::tensorFromNpySlice(
    const NpyArray &array, ElementKind kind, StringRef what, unsigned dim,
    int64_t begin, int64_t count) {
  ArrayRef<int64_t> shape = array.getShape();
  std::optional<DimSlice> slice = getDimSlice(shape, dim, begin, count);
  if (!slice)
    return createStringError(what + ": no slice [" + Twine(begin) + ", " +
                             Twine(begin + count) + ") of dimension " +
                             Twine(dim) + " of a rank-" +
                             Twine(shape.size()) + " array");
  // The whole array's type check and element conversion, one run at a time.
  int64_t outer = slice->outer, inner = slice->inner;
  Expected<HostTensor> tensorOr = HostTensor::allocate(kind, slice->shape);
  if (!tensorOr)
    return createStringError(what + ": " + toString(tensorOr.takeError()));
  HostTensor &tensor = *tensorOr;
  NpyDType dtype = array.getDType();
  bool ok = kind == ElementKind::I1 ? dtype == NpyDType::Bool
            : kind == ElementKind::F16
                ? (dtype == NpyDType::F32 || dtype == NpyDType::F16)
                : dtype == NpyDType::F32;
  if (!ok)
    return tensorFromNpy(array, kind, what).takeError();
  size_t srcSize = npyElementSize(dtype), dstSize = elementKindSize(kind);
  const char *src = array.data().data();
  char *dst = tensor.data();
  int64_t run = count * inner;
  for (int64_t o = 0; o < outer; ++o) {
    const char *from = src + (o * shape[dim] + begin) * inner * srcSize;
    char *to = dst + o * run * dstSize;
    if (srcSize == dstSize) {
      std::memcpy(to, from, run * srcSize);
      continue;
    }
    auto *out = reinterpret_cast<uint16_t *>(to);
    for (int64_t i = 0; i < run; ++i) {
      float v;
      std::memcpy(&v, from + 4 * i, 4);
      out[i] = kind == ElementKind::BF16 ? roundF32ToBF16(v) : roundF32ToF16(v);
    }
  }
  return std::move(tensor);
}

Expected<HostTensor> mlir::softmoe::sliceDim(const HostTensor &tensor,
                                             unsigned dim, int64_t begin,
                                             int64_t count) {
  ArrayRef<int64_t> shape = tensor.getShape();
  std::optional<DimSlice> slice = getDimSlice(shape, dim, begin, count);
  if (!slice)
    return createStringError("no slice [" + Twine(begin) + ", " +
                             Twine(begin + count) + ") of dimension " +
                             Twine(dim) + " of a rank-" + Twine(shape.size()) +
                             " tensor");
  // Counted in bytes here: a copy moves runs of count * inner bytes.
  int64_t outer = slice->outer,
          inner = slice->inner * elementKindSize(tensor.getKind());
  Expected<HostTensor> out =
      HostTensor::allocate(tensor.getKind(), slice->shape);
  if (!out)
    return out.takeError();
  for (int64_t o = 0; o < outer; ++o)
    std::memcpy(out->data() + o * count * inner,
                tensor.data() + (o * shape[dim] + begin) * inner,
                count * inner);
  return std::move(*out);
}

Error mlir::softmoe::writeTensorNpy(StringRef path, const HostTensor &tensor) {
  switch (tensor.getKind()) {
  case ElementKind::F32:
    return writeNpy(path, NpyDType::F32, tensor.getShape(),
                    {tensor.data(), tensor.getNumBytes()});
  case ElementKind::I1:
    return writeNpy(path, NpyDType::Bool, tensor.getShape(),
                    {tensor.data(), tensor.getNumBytes()});
  case ElementKind::BF16:
  case ElementKind::F16: {
    Expected<HostTensor> wide =
        HostTensor::allocate(ElementKind::F32, tensor.getShape());
    if (!wide)
      return createStringError(path + ": " + toString(wide.takeError()));
    MutableArrayRef<float> out = wide->elements<float>();
    for (int64_t i = 0, e = tensor.getNumElements(); i < e; ++i)
      out[i] = static_cast<float>(tensor.getAsDouble(i));
    return writeNpy(path, NpyDType::F32, wide->getShape(),
                    {wide->data(), wide->getNumBytes()});
  }
  }
  llvm_unreachable("unknown ElementKind");
}

TensorSummary mlir::softmoe::summarize(const HostTensor &tensor) {
  TensorSummary summary;
  for (int64_t i = 0, e = tensor.getNumElements(); i < e; ++i) {
    double v = tensor.getAsDouble(i);
    if (!std::isfinite(v)) {
      ++summary.nonFinite;
      continue;
    }
    summary.sum += v;
    summary.absSum += std::fabs(v);
  }
  return summary;
}
