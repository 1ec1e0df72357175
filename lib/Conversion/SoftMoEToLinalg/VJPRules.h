//===- VJPRules.h - Vector-Jacobian products of the softmoe ops -*- C++ -*-===//
//
// The reverse-mode rule of each softmoe stage op (VJPRules.cpp), used by
// softmoe-generate-vjp (GenerateVJP.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_LIB_CONVERSION_SOFTMOETOLINALG_VJPRULES_H
#define SOFTMOE_LIB_CONVERSION_SOFTMOETOLINALG_VJPRULES_H

#include "softmoe/Conversion/SoftMoEToLinalg/EinsumBuilders.h"
#include "softmoe/Dialect/SoftMoE/IR/OperandRoles.h"
#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::softmoe {
/// Where a backward is being built: `map` takes the forward function's values
/// to the VJP function's (arguments and residuals), `cotangents` the forward
/// values to their f32 cotangents so far.
struct VJPState {
  VJPState(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  OpBuilder &b;
  Location loc;
  IRMapping map;
  llvm::DenseMap<Value, Value> cotangents;

  Value primal(Value forward) const;
  /// The tensor to accumulate `forward`'s cotangent into, with the letters
  /// of `forward`'s role: the one so far, or zeros.
  lowering::Operand accumulator(Value forward, lowering::LetterSizes &sizes,
                                const OperandRole &role);
  void set(Value forward, Value cotangent);
};

// Each rule adds the contributions of `op` to its operands' cotangents,
// given `g`, the cotangent of its result.
void buildCombineVJP(VJPState &s, CombineOp op, Value g);
void buildDispatchVJP(VJPState &s, DispatchOp op, Value g);
/// `savedPreActivation` is the forward's f32 slots @ w1 (BNPH), or null to
/// recompute it.
void buildExpertApplyVJP(VJPState &s, ExpertApplyOp op, Value g,
                         Value savedPreActivation);
void buildRouterVJP(VJPState &s, RouterOp op, Value g);

} // namespace mlir::softmoe

#endif // SOFTMOE_LIB_CONVERSION_SOFTMOETOLINALG_VJPRULES_H
