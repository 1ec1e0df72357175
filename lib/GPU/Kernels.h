//===- Kernels.h - The kernels of softmoe-gpu-map-linalg --------*- C++ -*-===//
//
// Each emitter inserts, before a linalg op on memrefs, one block-mapped
// scf.forall that computes the op (see KernelUtils.h for the conventions),
// and leaves erasing the op to the caller.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_LIB_GPU_KERNELS_H
#define SOFTMOE_LIB_GPU_KERNELS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace mlir::softmoe::gpu_codegen {

/// What is folded into a contraction kernel besides the contraction itself.
struct ContractionFusion {
  /// The start value of every output element, from a linalg.fill of the
  /// output just before the contraction; null: read the output's old value.
  Value initScalar;
  /// An elementwise op right after the contraction that reads its result;
  /// it is applied to each output element before storing.
  linalg::LinalgOp epilogue;
  /// Whether the contraction's own output must be written too (someone reads
  /// it after the epilogue op).
  bool storeContractionOutput = true;
};

/// Why a contraction cannot use the GEMM kernels, or success.
LogicalResult checkGemmSupported(linalg::LinalgOp op, std::string &why);

/// A tiled GEMM kernel: mma.sync tensor cores when an operand is bf16/f16 and
/// `useTensorCores`, else f32 FMA. With `useWgmma` (sm_90a), contractions of
/// two bf16 or two f16 operands whose layouts TMA can load use the
/// wgmma/TMA kernel instead of mma.sync.
void emitContractionKernel(OpBuilder &b, linalg::LinalgOp op,
                           const ContractionFusion &fusion,
                           bool useTensorCores, bool useWgmma = false);

/// A parallel reduction kernel, if the body of `op` is `out = combiner(out,
/// f(ins))` with a combiner of known neutral element on a 32-bit type.
/// `initScalar`, if set, is the output's start value (a folded fill).
LogicalResult emitParallelReductionKernel(OpBuilder &b, linalg::LinalgOp op,
                                          Value initScalar);

/// One thread per point of the parallel loops, looping over the reduction
/// loops if any: works for every linalg op with static loop ranges.
/// `initScalar`, if set, is the start value of the op's single output.
void emitPointwiseKernel(OpBuilder &b, linalg::LinalgOp op, Value initScalar);

} // namespace mlir::softmoe::gpu_codegen

#endif // SOFTMOE_LIB_GPU_KERNELS_H
