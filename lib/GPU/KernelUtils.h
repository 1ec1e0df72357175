//===- KernelUtils.h - Helpers shared by the GPU kernel emitters -*- C++ -*-===//
//
// Small builders used by the kernels of softmoe-gpu-map-linalg: index
// constants and arithmetic, delinearisation, the block-mapped scf.forall that
// holds a kernel, operand loads through indexing maps and inlining of a
// linalg op's body.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_LIB_GPU_KERNELUTILS_H
#define SOFTMOE_LIB_GPU_KERNELUTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

namespace mlir::softmoe::gpu_codegen {

/// Threads per block of every kernel; 8 warps.
inline constexpr int64_t kBlockThreads = 256;
inline constexpr int64_t kWarpLanes = 32;

/// Index arithmetic on an OpBuilder, folding what it can so that the IR
/// stays readable in tests.
struct IndexBuilder {
  OpBuilder &b;
  Location loc;

  Value c(int64_t v);
  Value add(Value x, Value y);
  Value add(Value x, int64_t y) { return y == 0 ? x : add(x, c(y)); }
  Value mul(Value x, int64_t y);
  Value div(Value x, int64_t y);
  Value rem(Value x, int64_t y);
  Value lt(Value x, int64_t bound);
  Value lt(Value x, Value y);
  Value andI(Value x, Value y);
  Value threadId();
};

/// Splits `linear` into indices over `sizes`, the last one varying fastest.
/// The first index is not reduced modulo its size.
SmallVector<Value> delinearize(IndexBuilder &ib, Value linear,
                               ArrayRef<int64_t> sizes);

/// Creates `scf.forall (%block) in (numBlocks)` mapped to #gpu.block<x>, with
/// the thread-block size attribute and the kernel's kind (for tests and
/// readers) in `softmoe.gpu.kernel`, and calls `body` inside it with the
/// block id. The body is SIMT code run by each of `blockThreads` threads.
scf::ForallOp createKernel(OpBuilder &b, Location loc, StringRef kind,
                           int64_t numBlocks, int64_t blockThreads,
                           function_ref<void(OpBuilder &, Value)> body);

/// A buffer in workgroup (shared) memory for the current kernel.
Value allocShared(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type elementType);

/// The indices into an operand for the given loop induction values.
SmallVector<Value> applyIndexingMap(OpBuilder &b, Location loc, AffineMap map,
                                    ArrayRef<Value> loopIvs);

/// The value of `operand` at the loop point `loopIvs`: a load for shaped
/// operands, the value itself for scalars.
Value loadOperand(OpBuilder &b, Location loc, linalg::LinalgOp op,
                  OpOperand &operand, ArrayRef<Value> loopIvs);

/// Clones the body of `op` with its block arguments bound to `args` and
/// linalg.index bound to `loopIvs`; returns the yielded values.
SmallVector<Value> inlineBody(OpBuilder &b, Location loc, linalg::LinalgOp op,
                              ArrayRef<Value> args, ArrayRef<Value> loopIvs);

/// Converts a scalar or vector float value to another float type.
Value convertFloat(OpBuilder &b, Location loc, Value v, Type toElement);

/// Builds `scf.if` with `types` results; each callback returns the values
/// its branch yields (none for `types` empty, when `elseFn` may be null).
SmallVector<Value> buildIf(
    OpBuilder &b, Location loc, Value cond, TypeRange types,
    function_ref<SmallVector<Value>(OpBuilder &)> thenFn,
    function_ref<SmallVector<Value>(OpBuilder &)> elseFn = nullptr);

/// Builds `scf.for` from `lb` to `ub` by `step` carrying `inits`; `bodyFn`
/// gets the induction variable and the carried values and returns the next
/// ones. Returns the final values.
SmallVector<Value>
buildFor(OpBuilder &b, Location loc, Value lb, Value ub, Value step,
         ValueRange inits,
         function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> bodyFn);

/// Follows view-like ops (subview, reshapes, casts) to the allocation or
/// argument that a memref value views.
Value rootBuffer(Value memref);

} // namespace mlir::softmoe::gpu_codegen

#endif // SOFTMOE_LIB_GPU_KERNELUTILS_H
