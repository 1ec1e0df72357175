//===- DynamicSizes.cpp - What the CPU codegen assumes of `?` sizes -------===//

#include "DynamicSizes.h"

using namespace mlir;
using namespace mlir::softmoe;

SmallVector<int64_t> mlir::softmoe::expectedLoopRanges(linalg::LinalgOp op,
                                                       int64_t expected) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  for (int64_t &r : ranges)
    if (ShapedType::isDynamic(r))
      r = expected;
  return ranges;
}

int64_t mlir::softmoe::expectedNumElements(MemRefType type, int64_t expected) {
  int64_t n = 1;
  for (int64_t s : type.getShape())
    n *= ShapedType::isDynamic(s) ? expected : s;
  return n;
}

namespace {
/// Where the size of one dimension comes from: a dimension of a value that
/// nothing here computes (a function argument), or an opaque size value
/// (dim = -1).
struct SizeSource {
  Value value;
  int64_t dim = -1;
  bool operator==(const SizeSource &o) const {
    return value == o.value && dim == o.dim;
  }
};
} // namespace

static SizeSource sourceOfSize(Value size);

static SizeSource sourceOfDim(Value buffer, int64_t dim) {
  auto type = cast<MemRefType>(buffer.getType());
  if (auto alloc = buffer.getDefiningOp<memref::AllocOp>())
    return sourceOfSize(alloc.getDynamicSizes()[type.getDynamicDimIndex(dim)]);
  if (auto alloca = buffer.getDefiningOp<memref::AllocaOp>())
    return sourceOfSize(
        alloca.getDynamicSizes()[type.getDynamicDimIndex(dim)]);
  return {buffer, dim};
}

static SizeSource sourceOfSize(Value size) {
  if (auto dim = size.getDefiningOp<memref::DimOp>())
    if (std::optional<int64_t> i = dim.getConstantIndex();
        i && isa<MemRefType>(dim.getSource().getType()))
      return sourceOfDim(dim.getSource(), *i);
  return {size, -1};
}

bool mlir::softmoe::haveSameShape(Value a, Value b) {
  auto ta = dyn_cast<MemRefType>(a.getType());
  auto tb = dyn_cast<MemRefType>(b.getType());
  if (!ta || !tb || ta.getShape() != tb.getShape())
    return false;
  for (auto [i, s] : llvm::enumerate(ta.getShape()))
    if (ShapedType::isDynamic(s) &&
        !(sourceOfDim(a, i) == sourceOfDim(b, i)))
      return false;
  return true;
}
