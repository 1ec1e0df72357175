//===- EinsumBuilders.h - einsum-style linalg builders ------------*- C++ -*-===//
//
// The building blocks of the softmoe-to-linalg lowering, shared with the
// gradient generator (softmoe-generate-vjp): linalg.generic ops whose
// indexing maps are written as einsums over the contract's letters (B, M, D,
// N, P, H), f32 constants and fills, and the expert MLP. Both the
// forward and the backward are built from these, so the CPU codegen and the
// GPU pipeline see the same kind of ops in either direction.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_CONVERSION_SOFTMOETOLINALG_EINSUMBUILDERS_H
#define SOFTMOE_CONVERSION_SOFTMOETOLINALG_EINSUMBUILDERS_H

#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

namespace mlir::softmoe::lowering {

/// A tensor operand of an einsum and the letter of each of its dimensions (""
/// for a rank-0 tensor).
struct Operand {
  Value value;
  StringRef dims;
};

/// The size of every contract letter, found on the given operands.
class LetterSizes {
public:
  LetterSizes(OpBuilder &b, Location loc, ArrayRef<Operand> operands);

  OpFoldResult size(char letter);
  SmallVector<OpFoldResult> sizes(StringRef dims);

private:
  struct Carrier {
    Value value;
    unsigned dim = 0;
    bool isDynamic = true;
    OpFoldResult size;
  };
  OpBuilder &b;
  Location loc;
  Carrier carriers[256];
};

/// Computes the value to yield from the block arguments (inputs, then the
/// output element).
using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// A linalg.generic over the loops `loops` (one letter each): every loop whose
/// letter is not in `out.dims` is a reduction. `out.value` is the init tensor.
Value einsum(OpBuilder &b, Location loc, StringRef loops, ArrayRef<Operand> ins,
             Operand out, BodyFn body);

Value f32Const(OpBuilder &b, Location loc, double value);
Value negInf(OpBuilder &b, Location loc);

/// A fresh tensor of the letters `dims`.
Value empty(OpBuilder &b, Location loc, LetterSizes &sizes, StringRef dims,
            Type elemType);

/// A fresh f32 tensor of the letters `dims` filled with `value`.
Value filled(OpBuilder &b, Location loc, LetterSizes &sizes, StringRef dims,
             Value value);

/// `v` as f32 (a no-op for f32 values).
Value ext(OpBuilder &b, Location loc, Value v);

/// acc + ext(a) * ext(b): the body of every contraction (args a, b, acc).
Value macc(OpBuilder &b, Location loc, ValueRange args);

/// The f32 tensor `acc` (letters `dims`) in the element type `elemType`.
Value truncTo(OpBuilder &b, Location loc, LetterSizes &sizes, Value acc,
              StringRef dims, Type elemType);

Type elemTypeOf(Value v);

/// softmoe.expert_apply as linalg on tensors. With `preActivation`, it also
/// returns there the f32 `slots @ w1` before the bias (letters BNPH, or BNPG
/// with G = 2H for a gated activation), which the backward needs for act'.
/// The activations themselves are softmoe/Dialect/SoftMoE/IR/Activation.h's.
Value buildExpertApply(OpBuilder &b, Location loc, Value slots, Value w1,
                       Value b1, Value w2, Value b2, Activation act,
                       Value *preActivation = nullptr);

} // namespace mlir::softmoe::lowering

#endif // SOFTMOE_CONVERSION_SOFTMOETOLINALG_EINSUMBUILDERS_H
