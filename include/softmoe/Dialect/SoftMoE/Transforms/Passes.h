//===- Passes.h - softmoe dialect passes ------------------------*- C++ -*-===//

#ifndef SOFTMOE_DIALECT_SOFTMOE_TRANSFORMS_PASSES_H
#define SOFTMOE_DIALECT_SOFTMOE_TRANSFORMS_PASSES_H

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

#define GEN_PASS_REGISTRATION
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h.inc"

} // namespace softmoe
} // namespace mlir

#endif // SOFTMOE_DIALECT_SOFTMOE_TRANSFORMS_PASSES_H
