//===- Activation.h - The expert activations, declared once -----*- C++ -*-===//
//
// Everything the project knows about the `activation` of softmoe.expert_apply
// and softmoe.layer lives here: the list of names (from the ODS enum of
// SoftMoEAttrs.td), which activations are gated, the IR that computes each
// one (used by the lowering, the VJP and, as a reference, by the raising),
// its derivative, and a double-precision value of each for tests and
// runtimes. The IR and the double values are one formula (Activation.cpp)
// read two ways, so they cannot drift apart.
//
//   gelu_tanh  0.5 v (1 + tanh(sqrt(2/pi) (v + 0.044715 v^3)))   (default)
//   gelu_erf   0.5 v (1 + erf(v / sqrt(2)))
//   relu       max(v, 0)
//   silu       v / (1 + exp(-v))
//   geglu      a * gelu_erf(g)   with u = slots @ w1 + b1 ([.., 2H]),
//   swiglu     a * silu(g)       a = u[..., :H], g = u[..., H:]
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_DIALECT_SOFTMOE_IR_ACTIVATION_H
#define SOFTMOE_DIALECT_SOFTMOE_IR_ACTIVATION_H

#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

#include <string>

namespace mlir::softmoe {

/// Every activation, in the order of the enum.
ArrayRef<Activation> allActivations();

/// The names of allActivations() joined, e.g. with the defaults
/// "gelu_tanh, gelu_erf, relu, silu, geglu or swiglu".
std::string activationNameList(StringRef separator = ", ",
                               StringRef lastSeparator = " or ");

/// geglu and swiglu: w1 is [N, D, 2H], b1 [N, 2H] and the hidden activation
/// is a * gate(g) over the two halves of slots @ w1 + b1.
bool isGated(Activation act);

/// The elementwise function applied to the pre-activation: the activation
/// itself, or for a gated one the function of its gate half (gelu_erf for
/// geglu, silu for swiglu).
Activation elementwiseFunction(Activation act);

/// The width of w1's last dimension (and b1's) in units of H: 2 for a gated
/// activation, else 1.
inline int64_t firstLayerWidthFactor(Activation act) {
  return isGated(act) ? 2 : 1;
}

/// One line per activation: the name, whether it is gated and its
/// elementwise function, as JSON (`softmoe-bench --list-activations`), for
/// the Python references to check themselves against.
std::string activationTableJson();

//===----------------------------------------------------------------------===//
// IR (arith and math ops on an f32 scalar or a vector of f32; any float
// element type works, constants take the value's type)
//===----------------------------------------------------------------------===//

/// elementwiseFunction(act)(v).
Value buildActivation(OpBuilder &b, Location loc, Activation act, Value v);

/// The hidden value of a gated activation: a * elementwiseFunction(act)(g).
/// For a plain activation, `a` must be null and the result is act(g).
Value buildHiddenActivation(OpBuilder &b, Location loc, Activation act,
                            Value a, Value g);

/// d elementwiseFunction(act)(v) / dv (PyTorch's: relu' is 0 at 0).
Value buildActivationDerivative(OpBuilder &b, Location loc, Activation act,
                                Value v);

//===----------------------------------------------------------------------===//
// Double-precision values of the same formulas
//===----------------------------------------------------------------------===//

/// elementwiseFunction(act)(v).
double activationValue(Activation act, double v);
/// a * elementwiseFunction(act)(g) for a gated activation; act(g) otherwise.
double hiddenActivationValue(Activation act, double a, double g);
/// d elementwiseFunction(act)(v) / dv.
double activationDerivativeValue(Activation act, double v);

} // namespace mlir::softmoe

#endif // SOFTMOE_DIALECT_SOFTMOE_IR_ACTIVATION_H
