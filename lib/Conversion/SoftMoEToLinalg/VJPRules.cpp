//===- VJPRules.cpp - Vector-Jacobian products of the softmoe ops ---------===//
//
// One reverse-mode rule per stage op, emitted as linalg on tensors with the
// forward lowering's einsum builders (EinsumBuilders.h). `g` is the cotangent
// of the op's result; every cotangent is f32. A contribution to an operand's
// cotangent is accumulated into the tensor that already holds it (the
// contraction's init), else into a zero-filled one.
//
//   combine (C = softmax_{N,P} logits, 0 on masked rows)
//     dC[B,M,N,P] = sum_D g * out          dOut[B,N,P,D] += sum_M C * g
//     t[B,M] = sum_{N,P} C * dC             dLogits += C * (dC - t)
//   dispatch (W = softmax_M logits, masked tokens and all-masked groups 0)
//     dW[B,M,N,P] = sum_D x * g             dx[B,M,D] += sum_{N,P} W * g
//     t[B,N,P] = sum_M W * dW               dLogits += W * (dW - t)
//   expert_apply (z = slots @ w1 saved or recomputed, a = z + b1, h = act(a)
//                 rounded like the forward)
//     db2 += sum_{B,P} g                    dw2[N,H,D] += sum_{B,P} h * g
//     da[B,N,P,H] = (sum_D g * w2) * act'(a)
//     db1 += sum_{B,P} da                   dw1[N,D,H] += sum_{B,P} slots * da
//     dslots[B,N,P,D] += sum_H da * w1
//   router (normalize: r = rsqrt(sum_D x^2 + eps), xn = r x;
//           rp = rsqrt(sum_D phi^2 + eps), phin = scale rp phi)
//     dphin[D,N,P] = sum_{B,M} xn * g       dxn[B,M,D] = sum_{N,P} g * phin
//     dx += r dxn - r^3 x (x . dxn)         dphi += scale (rp dphin - rp^3 phi
//     dscale += sum rp phi dphin                                (phi . dphin))
//   (without normalize, dphi and dx are the two contractions directly).
//
// The softmax backward is torch's `_softmax_backward_data`; the l2
// normalisation's Jacobian is `r I - r^3 x x^T`.
//
//===----------------------------------------------------------------------===//

#include "VJPRules.h"

#include "softmoe/Conversion/SoftMoEToLinalg/EinsumBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::softmoe;
using namespace mlir::softmoe::lowering;

namespace {

using Args = ValueRange;

Value add(OpBuilder &b, Location l, Value x, Value y) {
  return arith::AddFOp::create(b, l, x, y);
}
Value sub(OpBuilder &b, Location l, Value x, Value y) {
  return arith::SubFOp::create(b, l, x, y);
}
Value mul(OpBuilder &b, Location l, Value x, Value y) {
  return arith::MulFOp::create(b, l, x, y);
}

/// acc + ext(a) * ext(b): the body of every contraction (args a, b, acc).
Value macc(OpBuilder &b, Location l, Args args) {
  return add(b, l, args[2],
             mul(b, l, ext(b, l, args[0]), ext(b, l, args[1])));
}

/// acc + ext(a): the body of a plain sum.
Value sumBody(OpBuilder &b, Location l, Args args) {
  return add(b, l, args[1], ext(b, l, args[0]));
}

/// `v` (letters `from`) copied into the layout `to`. The backward's
/// contractions read their operands in the layouts the CPU codegen's GEMM
/// kernels are fast on (the reduction contiguous in the left operand or
/// strided in both, the result's last dimension contiguous in the right one);
/// the small activations and cotangents are transposed for it, never the
/// weights.
Value transpose(OpBuilder &b, Location l, LetterSizes &sizes, Value v,
                StringRef from, StringRef to) {
  return einsum(b, l, to, {{v, from}}, {empty(b, l, sizes, to, elemTypeOf(v)), to},
                [](OpBuilder &, Location, Args args) { return args[0]; });
}

/// d act(v) / dv on an f32 scalar (PyTorch's derivatives: relu' is 0 at 0).
Value activationDerivative(OpBuilder &b, Location l, Activation act, Value v) {
  Value one = f32Const(b, l, 1.0), half = f32Const(b, l, 0.5);
  switch (act) {
  case Activation::relu: {
    Value pos = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v,
                                      f32Const(b, l, 0.0));
    return arith::SelectOp::create(b, l, pos, one, f32Const(b, l, 0.0));
  }
  case Activation::silu: {
    // s (1 + v (1 - s)), s = sigmoid(v)
    Value s = arith::DivFOp::create(
        b, l, one,
        add(b, l, one, math::ExpOp::create(b, l, arith::NegFOp::create(b, l, v))));
    return mul(b, l, s, add(b, l, one, mul(b, l, v, sub(b, l, one, s))));
  }
  case Activation::gelu_tanh: {
    // 0.5 (1 + t) + 0.5 v (1 - t^2) k (1 + 3c v^2), t = tanh(k (v + c v^3))
    double k = std::sqrt(2.0 * llvm::numbers::inv_pi), c = 0.044715;
    Value v2 = mul(b, l, v, v);
    Value inner = mul(b, l, f32Const(b, l, k),
                      add(b, l, v, mul(b, l, f32Const(b, l, c), mul(b, l, v2, v))));
    Value t = math::TanhOp::create(b, l, inner);
    Value left = mul(b, l, half, add(b, l, one, t));
    Value dInner =
        mul(b, l, f32Const(b, l, k),
            add(b, l, one, mul(b, l, f32Const(b, l, 3.0 * c), v2)));
    Value right = mul(b, l, mul(b, l, half, v),
                      mul(b, l, sub(b, l, one, mul(b, l, t, t)), dInner));
    return add(b, l, left, right);
  }
  case Activation::gelu_erf: {
    // Phi(v) + v phi(v)
    Value cdf = mul(
        b, l, half,
        add(b, l, one,
            math::ErfOp::create(
                b, l, mul(b, l, v, f32Const(b, l, llvm::numbers::inv_sqrt2)))));
    Value pdf = mul(b, l,
                    f32Const(b, l, 1.0 / std::sqrt(2.0 * llvm::numbers::pi)),
                    math::ExpOp::create(
                        b, l, mul(b, l, f32Const(b, l, -0.5), mul(b, l, v, v))));
    return add(b, l, cdf, mul(b, l, v, pdf));
  }
  }
  llvm_unreachable("unknown activation");
}

/// The dispatch weights (softmax over M, `overM`) or the combine weights
/// (softmax over N,P) recomputed from the logits exactly as the forward
/// lowering computes them, masked entries 0.
Value softmaxWeights(OpBuilder &b, Location loc, LetterSizes &sizes,
                     Value logits, Value mask, bool overM) {
  StringRef red = overM ? "BNP" : "BM";
  StringRef loops = overM ? "BNPM" : "BMNP";
  Value minusInf = negInf(b, loc), zero = f32Const(b, loc, 0);
  SmallVector<Operand> ins = {{logits, "BMNP"}};
  if (mask)
    ins.push_back({mask, "BM"});
  Value mx = einsum(b, loc, loops, ins, {filled(b, loc, sizes, red, minusInf), red},
                    [&](OpBuilder &nb, Location nl, Args args) -> Value {
                      Value v = args[0];
                      if (mask && overM)
                        v = arith::SelectOp::create(nb, nl, args[1], v, minusInf);
                      return arith::MaximumFOp::create(nb, nl, args.back(), v);
                    });
  SmallVector<Operand> expIns = ins;
  expIns.push_back({mx, red});
  Value e = einsum(b, loc, "BMNP", expIns,
                   {empty(b, loc, sizes, "BMNP", b.getF32Type()), "BMNP"},
                   [&](OpBuilder &nb, Location nl, Args args) -> Value {
                     Value ex = math::ExpOp::create(
                         nb, nl, sub(nb, nl, args[0], args[mask ? 2 : 1]));
                     if (!mask || !overM)
                       return ex;
                     return arith::SelectOp::create(nb, nl, args[1], ex, zero);
                   });
  Value s = einsum(b, loc, loops, {{e, "BMNP"}},
                   {filled(b, loc, sizes, red, zero), red}, sumBody);
  SmallVector<Operand> divIns = {{s, red}};
  if (mask)
    divIns.push_back({mask, "BM"});
  return einsum(b, loc, "BMNP", divIns, {e, "BMNP"},
                [&](OpBuilder &nb, Location nl, Args args) -> Value {
                  Value q = arith::DivFOp::create(nb, nl, args.back(), args[0]);
                  if (!mask)
                    return q;
                  if (!overM) // combine: masked tokens have zero weights
                    return arith::SelectOp::create(nb, nl, args[1], q, zero);
                  // dispatch: only an all-masked group has s = 0
                  Value nonZero = arith::CmpFOp::create(
                      nb, nl, arith::CmpFPredicate::UNE, args[0], zero);
                  return arith::SelectOp::create(nb, nl, nonZero, q, zero);
                });
}

/// dLogits += w * (dw - sum_red w * dw), the softmax backward; `w` is zero
/// wherever the forward's weights were, so are these contributions.
Value softmaxBackward(OpBuilder &b, Location loc, LetterSizes &sizes, Value w,
                      Value dw, bool overM, Value dLogitsInit) {
  StringRef red = overM ? "BNP" : "BM";
  StringRef loops = overM ? "BNPM" : "BMNP";
  Value t = einsum(b, loc, loops, {{w, "BMNP"}, {dw, "BMNP"}},
                   {filled(b, loc, sizes, red, f32Const(b, loc, 0)), red}, macc);
  return einsum(b, loc, "BMNP", {{w, "BMNP"}, {dw, "BMNP"}, {t, red}},
                {dLogitsInit, "BMNP"},
                [&](OpBuilder &nb, Location nl, Args args) -> Value {
                  return add(nb, nl, args[3],
                             mul(nb, nl, args[0], sub(nb, nl, args[1], args[2])));
                });
}

} // namespace

Value VJPState::primal(Value forward) const { return map.lookup(forward); }

Value VJPState::accumulator(Value forward, LetterSizes &sizes, StringRef dims) {
  auto it = cotangents.find(forward);
  if (it != cotangents.end())
    return it->second;
  return filled(b, loc, sizes, dims, f32Const(b, loc, 0));
}

void VJPState::set(Value forward, Value cotangent) {
  cotangents[forward] = cotangent;
}

void mlir::softmoe::buildCombineVJP(VJPState &s, CombineOp op, Value g) {
  OpBuilder &b = s.b;
  Location loc = s.loc;
  Value logits = s.primal(op.getLogits()), out = s.primal(op.getExpertOut());
  Value mask = op.getMask() ? s.primal(op.getMask()) : Value();
  LetterSizes sizes(b, loc, {{logits, "BMNP"}, {out, "BNPD"}});
  Value c = softmaxWeights(b, loc, sizes, logits, mask, /*overM=*/false);
  Value outT = transpose(b, loc, sizes, out, "BNPD", "BDNP");
  Value dc = einsum(b, loc, "BMNPD", {{g, "BMD"}, {outT, "BDNP"}},
                    {filled(b, loc, sizes, "BMNP", f32Const(b, loc, 0)), "BMNP"},
                    macc);
  s.set(op.getExpertOut(),
        einsum(b, loc, "BNPDM", {{c, "BMNP"}, {g, "BMD"}},
               {s.accumulator(op.getExpertOut(), sizes, "BNPD"), "BNPD"}, macc));
  s.set(op.getLogits(),
        softmaxBackward(b, loc, sizes, c, dc, /*overM=*/false,
                        s.accumulator(op.getLogits(), sizes, "BMNP")));
}

void mlir::softmoe::buildDispatchVJP(VJPState &s, DispatchOp op, Value g) {
  OpBuilder &b = s.b;
  Location loc = s.loc;
  Value logits = s.primal(op.getLogits()), x = s.primal(op.getX());
  Value mask = op.getMask() ? s.primal(op.getMask()) : Value();
  LetterSizes sizes(b, loc, {{logits, "BMNP"}, {x, "BMD"}});
  Value w = softmaxWeights(b, loc, sizes, logits, mask, /*overM=*/true);
  Value gT = transpose(b, loc, sizes, g, "BNPD", "BDNP");
  Value dw = einsum(b, loc, "BMNPD", {{x, "BMD"}, {gT, "BDNP"}},
                    {filled(b, loc, sizes, "BMNP", f32Const(b, loc, 0)), "BMNP"},
                    macc);
  s.set(op.getX(), einsum(b, loc, "BMDNP", {{w, "BMNP"}, {g, "BNPD"}},
                          {s.accumulator(op.getX(), sizes, "BMD"), "BMD"},
                          macc));
  s.set(op.getLogits(),
        softmaxBackward(b, loc, sizes, w, dw, /*overM=*/true,
                        s.accumulator(op.getLogits(), sizes, "BMNP")));
}

void mlir::softmoe::buildExpertApplyVJP(VJPState &s, ExpertApplyOp op, Value g,
                                        Value savedPreActivation) {
  OpBuilder &b = s.b;
  Location loc = s.loc;
  Value slots = s.primal(op.getSlots()), w1 = s.primal(op.getW1()),
        b1 = s.primal(op.getB1()), w2 = s.primal(op.getW2());
  LetterSizes sizes(b, loc, {{slots, "BNPD"}, {w1, "NDH"}, {w2, "NHD"}});
  Type elemType = elemTypeOf(slots);
  Activation act = op.getActivation();
  Value zero = f32Const(b, loc, 0);

  Value z = savedPreActivation;
  if (!z) // activation checkpointing: one more GEMM instead of a residual
    z = einsum(b, loc, "BNPHD", {{slots, "BNPD"}, {w1, "NDH"}},
               {filled(b, loc, sizes, "BNPH", zero), "BNPH"}, macc);
  // Layouts (see transpose): hT[N,H,B,P], g as [N,B,P,D] and [N,D,B,P], da
  // as [N,H,B,P] and [N,B,P,H], slots as [N,D,B,P]; the weights as they are.
  // h = act(z + b1), rounded to the element type as the forward stores it.
  Value hT = einsum(b, loc, "NHBP", {{z, "BNPH"}, {b1, "NH"}},
                    {empty(b, loc, sizes, "NHBP", elemType), "NHBP"},
                    [&](OpBuilder &nb, Location nl, Args args) -> Value {
                      Value v = applyActivation(
                          nb, nl, act, add(nb, nl, args[0], ext(nb, nl, args[1])));
                      if (elemType.isF32())
                        return v;
                      return arith::TruncFOp::create(nb, nl, elemType, v);
                    });
  Value gByExpert = transpose(b, loc, sizes, g, "BNPD", "NBPD");
  Value gByDim = transpose(b, loc, sizes, g, "BNPD", "NDBP");
  s.set(op.getB2(), einsum(b, loc, "NDBP", {{g, "BNPD"}},
                           {s.accumulator(op.getB2(), sizes, "ND"), "ND"},
                           sumBody));
  s.set(op.getW2(), einsum(b, loc, "NHDBP", {{hT, "NHBP"}, {gByExpert, "NBPD"}},
                           {s.accumulator(op.getW2(), sizes, "NHD"), "NHD"},
                           macc));
  // act'(z + b1) on its own, transposed: the product with dh below is then
  // a plain pointwise consumer that the codegen fuses into dh's kernel.
  Value dActT = einsum(b, loc, "NHBP", {{z, "BNPH"}, {b1, "NH"}},
                       {empty(b, loc, sizes, "NHBP", b.getF32Type()), "NHBP"},
                       [&](OpBuilder &nb, Location nl, Args args) -> Value {
                         Value a = add(nb, nl, args[0], ext(nb, nl, args[1]));
                         return activationDerivative(nb, nl, act, a);
                       });
  Value dhT = einsum(b, loc, "NHBPD", {{w2, "NHD"}, {gByDim, "NDBP"}},
                     {filled(b, loc, sizes, "NHBP", zero), "NHBP"}, macc);
  Value daT = einsum(b, loc, "NHBP", {{dActT, "NHBP"}}, {dhT, "NHBP"},
                     [&](OpBuilder &nb, Location nl, Args args) -> Value {
                       return mul(nb, nl, args[1], args[0]);
                     });
  s.set(op.getB1(), einsum(b, loc, "NHBP", {{daT, "NHBP"}},
                           {s.accumulator(op.getB1(), sizes, "NH"), "NH"},
                           sumBody));
  Value daByExpert = transpose(b, loc, sizes, daT, "NHBP", "NBPH");
  Value slotsT = transpose(b, loc, sizes, slots, "BNPD", "NDBP");
  s.set(op.getW1(), einsum(b, loc, "NDHBP", {{slotsT, "NDBP"}, {daByExpert, "NBPH"}},
                           {s.accumulator(op.getW1(), sizes, "NDH"), "NDH"},
                           macc));
  Value dslotsT = einsum(b, loc, "NDBPH", {{w1, "NDH"}, {daT, "NHBP"}},
                         {filled(b, loc, sizes, "NDBP", zero), "NDBP"}, macc);
  // Back to the slots' layout. A plain transpose when nothing else has
  // contributed yet: a permuting sum into a fill defeats the codegen's vector
  // lowering (it falls back to loops).
  if (!s.cotangents.count(op.getSlots()))
    // In two steps: the direct permutation falls back to scalar loops in
    // the codegen when P = 1 (B-128: 20 s to compile).
    s.set(op.getSlots(),
          transpose(b, loc, sizes,
                    transpose(b, loc, sizes, dslotsT, "NDBP", "NBPD"), "NBPD",
                    "BNPD"));
  else
    s.set(op.getSlots(), einsum(b, loc, "BNPD", {{dslotsT, "NDBP"}},
                                {s.accumulator(op.getSlots(), sizes, "BNPD"),
                                 "BNPD"},
                                sumBody));
}

void mlir::softmoe::buildRouterVJP(VJPState &s, RouterOp op, Value g) {
  OpBuilder &b = s.b;
  Location loc = s.loc;
  Value x = s.primal(op.getX()), phi = s.primal(op.getPhi());
  LetterSizes sizes(b, loc, {{x, "BMD"}, {phi, "DNP"}, {g, "BMNP"}});
  Value zero = f32Const(b, loc, 0);
  if (!op.getNormalize()) {
    s.set(op.getPhi(), einsum(b, loc, "DNPBM", {{x, "BMD"}, {g, "BMNP"}},
                              {s.accumulator(op.getPhi(), sizes, "DNP"), "DNP"},
                              macc));
    Value phiT = transpose(b, loc, sizes, phi, "DNP", "NPD");
    s.set(op.getX(), einsum(b, loc, "BMDNP", {{g, "BMNP"}, {phiT, "NPD"}},
                            {s.accumulator(op.getX(), sizes, "BMD"), "BMD"},
                            macc));
    return;
  }
  Value scale = s.primal(op.getScale());
  Value eps = f32Const(b, loc, op.getEpsilon().convertToFloat());
  auto square = [&](OpBuilder &nb, Location nl, Args args) -> Value {
    Value v = ext(nb, nl, args[0]);
    return add(nb, nl, args[1], mul(nb, nl, v, v));
  };
  auto rsqrt = [&](OpBuilder &nb, Location nl, Value ss) -> Value {
    return math::RsqrtOp::create(nb, nl, add(nb, nl, ss, eps));
  };
  // The forward's normalised operands, recomputed.
  Value ssx = einsum(b, loc, "BMD", {{x, "BMD"}},
                     {filled(b, loc, sizes, "BM", zero), "BM"}, square);
  Value xn = einsum(b, loc, "BMD", {{x, "BMD"}, {ssx, "BM"}},
                    {empty(b, loc, sizes, "BMD", b.getF32Type()), "BMD"},
                    [&](OpBuilder &nb, Location nl, Args args) -> Value {
                      return mul(nb, nl, ext(nb, nl, args[0]),
                                 rsqrt(nb, nl, args[1]));
                    });
  Value ssp = einsum(b, loc, "NPD", {{phi, "DNP"}},
                     {filled(b, loc, sizes, "NP", zero), "NP"}, square);
  Value phinT = einsum(b, loc, "NPD", {{phi, "DNP"}, {ssp, "NP"}, {scale, ""}},
                      {empty(b, loc, sizes, "NPD", b.getF32Type()), "NPD"},
                      [&](OpBuilder &nb, Location nl, Args args) -> Value {
                        return mul(nb, nl,
                                   mul(nb, nl, ext(nb, nl, args[2]),
                                       ext(nb, nl, args[0])),
                                   rsqrt(nb, nl, args[1]));
                      });
  Value dphin = einsum(b, loc, "DNPBM", {{xn, "BMD"}, {g, "BMNP"}},
                       {filled(b, loc, sizes, "DNP", zero), "DNP"}, macc);
  Value dxn = einsum(b, loc, "BMDNP", {{g, "BMNP"}, {phinT, "NPD"}},
                     {filled(b, loc, sizes, "BMD", zero), "BMD"}, macc);

  // dx += r dxn - r^3 x (x . dxn)
  Value qx = einsum(b, loc, "BMD", {{x, "BMD"}, {dxn, "BMD"}},
                    {filled(b, loc, sizes, "BM", zero), "BM"}, macc);
  s.set(op.getX(),
        einsum(b, loc, "BMD",
               {{x, "BMD"}, {dxn, "BMD"}, {ssx, "BM"}, {qx, "BM"}},
               {s.accumulator(op.getX(), sizes, "BMD"), "BMD"},
               [&](OpBuilder &nb, Location nl, Args args) -> Value {
                 Value r = rsqrt(nb, nl, args[2]);
                 Value r3 = mul(nb, nl, r, mul(nb, nl, r, r));
                 Value v = sub(nb, nl, mul(nb, nl, r, args[1]),
                               mul(nb, nl, r3,
                                   mul(nb, nl, ext(nb, nl, args[0]), args[3])));
                 return add(nb, nl, args[4], v);
               }));
  // dphi += scale (rp dphin - rp^3 phi (phi . dphin)); dscale += sum rp phi
  // dphin.
  Value qp = einsum(b, loc, "NPD", {{phi, "DNP"}, {dphin, "DNP"}},
                    {filled(b, loc, sizes, "NP", zero), "NP"}, macc);
  s.set(op.getPhi(),
        einsum(b, loc, "DNP",
               {{phi, "DNP"}, {dphin, "DNP"}, {ssp, "NP"}, {qp, "NP"},
                {scale, ""}},
               {s.accumulator(op.getPhi(), sizes, "DNP"), "DNP"},
               [&](OpBuilder &nb, Location nl, Args args) -> Value {
                 Value r = rsqrt(nb, nl, args[2]);
                 Value r3 = mul(nb, nl, r, mul(nb, nl, r, r));
                 Value v = sub(nb, nl, mul(nb, nl, r, args[1]),
                               mul(nb, nl, r3,
                                   mul(nb, nl, ext(nb, nl, args[0]), args[3])));
                 return add(nb, nl, args[5],
                            mul(nb, nl, ext(nb, nl, args[4]), v));
               }));
  s.set(op.getScale(),
        einsum(b, loc, "DNP", {{phi, "DNP"}, {dphin, "DNP"}, {ssp, "NP"}},
               {s.accumulator(op.getScale(), sizes, ""), ""},
               [&](OpBuilder &nb, Location nl, Args args) -> Value {
                 Value v = mul(nb, nl, mul(nb, nl, ext(nb, nl, args[0]), args[1]),
                               rsqrt(nb, nl, args[2]));
                 return add(nb, nl, args[3], v);
               }));
}
