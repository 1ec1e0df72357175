//===- SoftMoEToLinalg.h - softmoe ops to linalg on tensors -----*- C++ -*-===//

#ifndef SOFTMOE_CONVERSION_SOFTMOETOLINALG_SOFTMOETOLINALG_H
#define SOFTMOE_CONVERSION_SOFTMOETOLINALG_SOFTMOETOLINALG_H

#include "mlir/Support/LLVM.h"

namespace mlir {
class Operation;
class RewritePatternSet;
namespace softmoe {

/// Patterns that rewrite softmoe.router, dispatch, expert_apply and combine
/// into linalg on tensors (see SoftMoEToLinalg.cpp for the structure), plus the
/// decomposition of softmoe.layer into those four ops.
void populateSoftMoEToLinalgPatterns(RewritePatternSet &patterns);

/// Checks that every softmoe op under `root` is one the patterns can lower
/// (ranked tensors, f32/bf16/f16 data, f32 logits, i1 masks), emitting an error
/// at each op that is not. The patterns themselves only report match failures.
LogicalResult checkSoftMoEToLinalgPreconditions(Operation *root);

} // namespace softmoe
} // namespace mlir

#endif // SOFTMOE_CONVERSION_SOFTMOETOLINALG_SOFTMOETOLINALG_H
