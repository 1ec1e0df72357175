//===- DynamicSizes.h - What the CPU codegen assumes of `?` sizes -*- C++ -*-===//
//
// softmoe-cpu-codegen plans every kernel (register tiles, lanes, threads,
// streaming) from loop extents. A dynamic extent is planned at an expected
// size, and its tiles are made static by peeling: full tiles run the static
// register kernels, and the remainder runs unit tiles along the dynamic
// dimension (see CPUCodegen.h). The function attribute that overrides the
// expected size is CPUCodegen.h's kExpectedSizeAttr.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_LIB_CODEGEN_DYNAMICSIZES_H
#define SOFTMOE_LIB_CODEGEN_DYNAMICSIZES_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::softmoe {

/// The loop extents of `op`, each dynamic one replaced by `expected`.
SmallVector<int64_t> expectedLoopRanges(linalg::LinalgOp op, int64_t expected);

/// The number of elements of `type`, each dynamic size taken as `expected`.
int64_t expectedNumElements(MemRefType type, int64_t expected);

/// Whether the buffers `a` and `b` have the same shape whatever the dynamic
/// sizes are: equal static sizes, and every dynamic size traced (through
/// allocations and memref.dim) to the same dimension of the same value.
bool haveSameShape(Value a, Value b);

} // namespace mlir::softmoe

#endif // SOFTMOE_LIB_CODEGEN_DYNAMICSIZES_H
