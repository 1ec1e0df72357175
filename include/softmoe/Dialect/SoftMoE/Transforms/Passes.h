//===- Passes.h - softmoe dialect passes ------------------------*- C++ -*-===//

#ifndef SOFTMOE_DIALECT_SOFTMOE_TRANSFORMS_PASSES_H
#define SOFTMOE_DIALECT_SOFTMOE_TRANSFORMS_PASSES_H

#include "mlir/Dialect/DLTI/DLTI.h"
#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/Dialect/Shard/IR/ShardDialect.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"

namespace mlir {
class RewritePatternSet;
namespace softmoe {

#define GEN_PASS_DECL
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h.inc"

/// Patterns that rewrite softmoe.layer into the four stage ops.
void populateDecomposeLayerPatterns(RewritePatternSet &patterns);

/// Registers what the expert-parallel path needs beyond the dialects: the
/// sharding interfaces of linalg, tensor and func, mpi's lowering to LLVM,
/// and the memory effects of mpi.allreduce (MLIR 22 declares none, so
/// buffer deallocation would reject it).
void registerShardExpertsExtensions(DialectRegistry &registry);

#define GEN_PASS_REGISTRATION
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h.inc"

} // namespace softmoe
} // namespace mlir

#endif // SOFTMOE_DIALECT_SOFTMOE_TRANSFORMS_PASSES_H
