//===- RaiseStages.h - What the stage matchers share ------------*- C++ -*-===//
//
// softmoe-raise-from-linalg's helpers on the expressions of RaiseMatch.h
// that every stage matcher uses, and the expert matcher, which lives in
// RaiseExperts.cpp (RaiseFromLinalg.cpp has the other stages and the
// rewrite).
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_LIB_DIALECT_SOFTMOE_TRANSFORMS_RAISESTAGES_H
#define SOFTMOE_LIB_DIALECT_SOFTMOE_TRANSFORMS_RAISESTAGES_H

#include "RaiseMatch.h"

#include "softmoe/Dialect/SoftMoE/IR/OperandRoles.h"
#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"

namespace mlir::softmoe::raise {

/// The letters of the tensor an expression computes (none if it has none).
LetterMask tensorLetters(const Expr *e);

/// A tensor read as itself, each of its letters once: what the layer's weight
/// operands must be (a broadcast or any computation is refused).
bool isPureLeaf(const Expr *e, StringRef letters);

/// The two inputs of a contraction whose payload is exactly their product.
std::optional<std::pair<const Expr *, const Expr *>>
productOperands(const Reduction &r);

/// Orders the two inputs of a contraction so that the first holds `first`.
std::optional<std::pair<const Expr *, const Expr *>>
byLetters(std::pair<const Expr *, const Expr *> ops, StringRef first,
          StringRef second);

/// `out[b,n,p,:] = act(slots[b,n,p,:] @ w1[n] + b1[n]) @ w2[n] + b2[n]`.
struct ExpertMatch {
  State st;
  const Expr *slots, *w1, *b1, *w2, *b2;
  Activation act;
};

/// Every way `out` (letters BNPD) is the expert MLP of CONTRACT.md with one
/// of its activations, gated ones included (the two halves of the first
/// layer's result read through tensor.extract_slice).
SmallVector<ExpertMatch, 2> matchExpert(ExprBuilder &b, const Expr *out,
                                        const State &st);

} // namespace mlir::softmoe::raise

#endif // SOFTMOE_LIB_DIALECT_SOFTMOE_TRANSFORMS_RAISESTAGES_H
