//===- OperandRoles.h - Roles of the softmoe ops' operands ------*- C++ -*-===//
//
// The one declaration of what each operand of a softmoe op is: its name in
// diagnostics, the contract letter of each of its dimensions (B, M, D, N, P,
// H; G = 2H for the first layer of a gated expert) and what it holds, which
// fixes its element type. The verifier (shape binding, type inference and
// reification), the lowering to linalg, the VJP rules and the raising from
// linalg all read the letters from here.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_DIALECT_SOFTMOE_IR_OPERANDROLES_H
#define SOFTMOE_DIALECT_SOFTMOE_IR_OPERANDROLES_H

#include "softmoe/Dialect/SoftMoE/IR/Activation.h"
#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"

#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace mlir::softmoe {

/// What an operand holds, which fixes its allowed element types.
enum class OperandKind {
  Data,   // f32, bf16 or f16, shared by all data operands of the op
  Logits, // always f32
  Mask,   // i1
};

/// One operand's role: its name in diagnostics, the contract letter of each
/// of its dimensions ("" for a rank-0 scalar) and its kind.
struct OperandRole {
  llvm::StringRef name;
  llvm::StringRef dims;
  OperandKind kind;
};

/// The roles, each declared once; an operand of the same name has the same
/// role in every op that takes it.
namespace role {
inline constexpr OperandRole x{"x", "BMD", OperandKind::Data};
inline constexpr OperandRole phi{"phi", "DNP", OperandKind::Data};
inline constexpr OperandRole scale{"scale", "", OperandKind::Data};
inline constexpr OperandRole logits{"logits", "BMNP", OperandKind::Logits};
inline constexpr OperandRole mask{"mask", "BM", OperandKind::Mask};
inline constexpr OperandRole slots{"slots", "BNPD", OperandKind::Data};
inline constexpr OperandRole expertOut{"expert_out", "BNPD", OperandKind::Data};
inline constexpr OperandRole w2{"w2", "NHD", OperandKind::Data};
inline constexpr OperandRole b2{"b2", "ND", OperandKind::Data};

/// The letter of the first layer's width: a gated activation's first layer
/// is 2H wide (letter G), split into the halves a and g of H each.
inline char firstLayerLetter(Activation act) {
  return isGated(act) ? 'G' : 'H';
}

/// The first layer's weights and bias, [N, D, H] and [N, H] (G for gated).
inline OperandRole w1(Activation act) {
  return {"w1", isGated(act) ? "NDG" : "NDH", OperandKind::Data};
}
inline OperandRole b1(Activation act) {
  return {"b1", isGated(act) ? "NG" : "NH", OperandKind::Data};
}
} // namespace role

/// An operand value with its role; the value is null for an absent optional
/// operand.
struct RoledOperand {
  OperandRole role;
  Value value;
};

/// The roles of each op's operands, in operand order. `a` is the op or an
/// adaptor of it; the activation is passed in because while parsing it may
/// still sit in the attribute dictionary rather than in the properties.
template <typename OpOrAdaptor>
SmallVector<RoledOperand> routerRoles(OpOrAdaptor a) {
  return {{role::x, a.getX()},
          {role::phi, a.getPhi()},
          {role::scale, a.getScale()}};
}

template <typename OpOrAdaptor>
SmallVector<RoledOperand> dispatchRoles(OpOrAdaptor a) {
  return {{role::logits, a.getLogits()},
          {role::x, a.getX()},
          {role::mask, a.getMask()}};
}

template <typename OpOrAdaptor>
SmallVector<RoledOperand> expertApplyRoles(OpOrAdaptor a, Activation act) {
  return {{role::slots, a.getSlots()},
          {role::w1(act), a.getW1()},
          {role::b1(act), a.getB1()},
          {role::w2, a.getW2()},
          {role::b2, a.getB2()}};
}

template <typename OpOrAdaptor>
SmallVector<RoledOperand> combineRoles(OpOrAdaptor a) {
  return {{role::logits, a.getLogits()},
          {role::expertOut, a.getExpertOut()},
          {role::mask, a.getMask()}};
}

template <typename OpOrAdaptor>
SmallVector<RoledOperand> layerRoles(OpOrAdaptor a, Activation act) {
  return {{role::x, a.getX()},         {role::phi, a.getPhi()},
          {role::w1(act), a.getW1()},  {role::b1(act), a.getB1()},
          {role::w2, a.getW2()},       {role::b2, a.getB2()},
          {role::scale, a.getScale()}, {role::mask, a.getMask()}};
}

/// The roles of the operands of `op`, a softmoe op whose operand lists are
/// well formed (hasWellFormedOperandLists), in operand order.
SmallVector<RoledOperand> operandRoles(Operation *op);

} // namespace mlir::softmoe

#endif // SOFTMOE_DIALECT_SOFTMOE_IR_OPERANDROLES_H
