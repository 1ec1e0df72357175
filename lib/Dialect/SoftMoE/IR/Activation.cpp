//===- Activation.cpp - The expert activations, declared once -------------===//
//
// Each formula is written once, as a template over the arithmetic it runs
// on: `IRMath` builds arith/math ops, `DoubleMath` computes in double
// precision. The lowering, the VJP and the raising's classifier all come
// from here.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Dialect/SoftMoE/IR/Activation.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::softmoe;

//===----------------------------------------------------------------------===//
// Names and facts
//===----------------------------------------------------------------------===//

ArrayRef<Activation> mlir::softmoe::allActivations() {
  static const SmallVector<Activation> all = [] {
    SmallVector<Activation> v;
    for (unsigned i = 0; i <= getMaxEnumValForActivation(); ++i)
      if (std::optional<Activation> a = symbolizeActivation(i))
        v.push_back(*a);
    return v;
  }();
  return all;
}

std::string mlir::softmoe::activationNameList(StringRef separator,
                                              StringRef lastSeparator) {
  std::string s;
  ArrayRef<Activation> all = allActivations();
  for (auto [i, a] : llvm::enumerate(all)) {
    if (i)
      s += (i + 1 == all.size() ? lastSeparator : separator).str();
    s += stringifyActivation(a).str();
  }
  return s;
}

bool mlir::softmoe::isGated(Activation act) {
  return elementwiseFunction(act) != act;
}

Activation mlir::softmoe::elementwiseFunction(Activation act) {
  switch (act) {
  case Activation::geglu:
    return Activation::gelu_erf;
  case Activation::swiglu:
    return Activation::silu;
  case Activation::gelu_tanh:
  case Activation::gelu_erf:
  case Activation::relu:
  case Activation::silu:
    return act;
  }
  llvm_unreachable("unknown activation");
}

std::string mlir::softmoe::activationTableJson() {
  std::string s;
  llvm::raw_string_ostream os(s);
  for (Activation a : allActivations())
    os << "{\"name\": \"" << stringifyActivation(a)
       << "\", \"gated\": " << (isGated(a) ? "true" : "false")
       << ", \"function\": \"" << stringifyActivation(elementwiseFunction(a))
       << "\"}\n";
  return s;
}

//===----------------------------------------------------------------------===//
// The formulas
//===----------------------------------------------------------------------===//

namespace {

/// arith/math ops on values of the type of the activation's input.
struct IRMath {
  using V = Value;
  OpBuilder &b;
  Location loc;
  Type type;

  V cst(double c) {
    if (auto vt = dyn_cast<VectorType>(type))
      return arith::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(vt, b.getFloatAttr(vt.getElementType(), c)));
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, c));
  }
  V add(V x, V y) { return arith::AddFOp::create(b, loc, x, y); }
  V sub(V x, V y) { return arith::SubFOp::create(b, loc, x, y); }
  V mul(V x, V y) { return arith::MulFOp::create(b, loc, x, y); }
  V div(V x, V y) { return arith::DivFOp::create(b, loc, x, y); }
  V neg(V x) { return arith::NegFOp::create(b, loc, x); }
  V max(V x, V y) { return arith::MaximumFOp::create(b, loc, x, y); }
  V exp(V x) { return math::ExpOp::create(b, loc, x); }
  V tanh(V x) { return math::TanhOp::create(b, loc, x); }
  V erf(V x) { return math::ErfOp::create(b, loc, x); }
  /// x > y ? t : f
  V selectGreater(V x, V y, V t, V f) {
    Value c = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, y);
    return arith::SelectOp::create(b, loc, c, t, f);
  }
};

/// The same in double precision, with the IR ops' semantics (maximumf
/// propagates NaN; an ordered compare is false on NaN).
struct DoubleMath {
  using V = double;
  V cst(double c) { return c; }
  V add(V x, V y) { return x + y; }
  V sub(V x, V y) { return x - y; }
  V mul(V x, V y) { return x * y; }
  V div(V x, V y) { return x / y; }
  V neg(V x) { return -x; }
  V max(V x, V y) {
    if (std::isnan(x) || std::isnan(y))
      return std::numeric_limits<double>::quiet_NaN();
    return x > y ? x : y;
  }
  V exp(V x) { return std::exp(x); }
  V tanh(V x) { return std::tanh(x); }
  V erf(V x) { return std::erf(x); }
  V selectGreater(V x, V y, V t, V f) { return x > y ? t : f; }
};

constexpr double kGeluTanhK = 0.7978845608028654; // sqrt(2 / pi)
constexpr double kGeluTanhC = 0.044715;

/// elementwiseFunction(act)(v). The statements are in the order the ops are
/// built (the lowering's FileCheck tests read that order).
template <typename M>
typename M::V function(M &m, Activation act, typename M::V v) {
  using V = typename M::V;
  switch (elementwiseFunction(act)) {
  case Activation::relu: {
    V zero = m.cst(0.0);
    return m.max(v, zero);
  }
  case Activation::silu: {
    // v * sigmoid(v) = v / (1 + exp(-v)); exp overflowing to inf gives -0.
    V negV = m.neg(v);
    V one = m.cst(1.0);
    V e = m.exp(negV);
    return m.div(v, m.add(one, e));
  }
  case Activation::gelu_tanh: {
    // 0.5 v (1 + tanh(sqrt(2/pi) (v + 0.044715 v^3)))
    V v2 = m.mul(v, v);
    V v3 = m.mul(v, v2);
    V c = m.cst(kGeluTanhC);
    V cv3 = m.mul(c, v3);
    V inner = m.add(v, cv3);
    V k = m.cst(kGeluTanhK);
    V arg = m.mul(k, inner);
    V t = m.tanh(arg);
    V half = m.cst(0.5);
    V halfV = m.mul(half, v);
    V one = m.cst(1.0);
    V onePlusT = m.add(one, t);
    return m.mul(halfV, onePlusT);
  }
  case Activation::gelu_erf: {
    // 0.5 v (1 + erf(v / sqrt(2)))
    V k = m.cst(llvm::numbers::inv_sqrt2);
    V arg = m.mul(v, k);
    V e = m.erf(arg);
    V half = m.cst(0.5);
    V halfV = m.mul(half, v);
    V one = m.cst(1.0);
    V onePlusE = m.add(one, e);
    return m.mul(halfV, onePlusE);
  }
  case Activation::geglu:
  case Activation::swiglu:
    break;
  }
  llvm_unreachable("elementwiseFunction is never gated");
}

/// d function(act)(v) / dv, PyTorch's derivatives.
template <typename M>
typename M::V derivative(M &m, Activation act, typename M::V v) {
  using V = typename M::V;
  switch (elementwiseFunction(act)) {
  case Activation::relu: {
    V zero = m.cst(0.0), one = m.cst(1.0);
    return m.selectGreater(v, zero, one, zero);
  }
  case Activation::silu: {
    // s (1 + v (1 - s)), s = sigmoid(v)
    V one = m.cst(1.0);
    V s = m.div(one, m.add(one, m.exp(m.neg(v))));
    return m.mul(s, m.add(one, m.mul(v, m.sub(one, s))));
  }
  case Activation::gelu_tanh: {
    // 0.5 (1 + t) + 0.5 v (1 - t^2) k (1 + 3c v^2), t = tanh(k (v + c v^3))
    V one = m.cst(1.0), half = m.cst(0.5), k = m.cst(kGeluTanhK);
    V v2 = m.mul(v, v);
    V inner = m.mul(k, m.add(v, m.mul(m.cst(kGeluTanhC), m.mul(v2, v))));
    V t = m.tanh(inner);
    V left = m.mul(half, m.add(one, t));
    V dInner = m.mul(k, m.add(one, m.mul(m.cst(3.0 * kGeluTanhC), v2)));
    V right = m.mul(m.mul(half, v), m.mul(m.sub(one, m.mul(t, t)), dInner));
    return m.add(left, right);
  }
  case Activation::gelu_erf: {
    // Phi(v) + v phi(v)
    V one = m.cst(1.0), half = m.cst(0.5);
    V cdf = m.mul(
        half,
        m.add(one, m.erf(m.mul(v, m.cst(llvm::numbers::inv_sqrt2)))));
    V pdf = m.mul(m.cst(1.0 / std::sqrt(2.0 * llvm::numbers::pi)),
                  m.exp(m.mul(m.cst(-0.5), m.mul(v, v))));
    return m.add(cdf, m.mul(v, pdf));
  }
  case Activation::geglu:
  case Activation::swiglu:
    break;
  }
  llvm_unreachable("elementwiseFunction is never gated");
}

template <typename M>
typename M::V hidden(M &m, Activation act, typename M::V a,
                     typename M::V g) {
  typename M::V f = function(m, act, g);
  return isGated(act) ? m.mul(a, f) : f;
}

} // namespace

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

Value mlir::softmoe::buildActivation(OpBuilder &b, Location loc,
                                     Activation act, Value v) {
  IRMath m{b, loc, v.getType()};
  return function(m, act, v);
}

Value mlir::softmoe::buildHiddenActivation(OpBuilder &b, Location loc,
                                           Activation act, Value a, Value g) {
  assert(static_cast<bool>(a) == isGated(act) &&
         "a gated activation takes two halves, a plain one one value");
  IRMath m{b, loc, g.getType()};
  return hidden(m, act, a, g);
}

Value mlir::softmoe::buildActivationDerivative(OpBuilder &b, Location loc,
                                               Activation act, Value v) {
  IRMath m{b, loc, v.getType()};
  return derivative(m, act, v);
}

double mlir::softmoe::activationValue(Activation act, double v) {
  DoubleMath m;
  return function(m, act, v);
}

double mlir::softmoe::hiddenActivationValue(Activation act, double a,
                                            double g) {
  DoubleMath m;
  return hidden(m, act, a, g);
}

double mlir::softmoe::activationDerivativeValue(Activation act, double v) {
  DoubleMath m;
  return derivative(m, act, v);
}
