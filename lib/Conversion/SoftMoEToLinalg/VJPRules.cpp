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
//   gated (u = z + b1 over 2H = G, a = u[..., :H], t = u[..., H:],
//          h = a * f(t)): dh = sum_D g * w2, du = [dh * f(t), dh * a * f'(t)]
//     (two halves of one [N,G,B,P] tensor); then as above over G.
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
#include "softmoe/Dialect/SoftMoE/IR/Activation.h"
#include "softmoe/Dialect/SoftMoE/IR/OperandRoles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>

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

/// The dispatch weights (softmax over M, `overM`) or the combine weights
/// (softmax over N,P) recomputed from the logits exactly as the forward
/// lowering computes them, masked entries 0.
Value softmaxWeights(OpBuilder &b, Location loc, LetterSizes &sizes,
                     Value logits, Value mask, bool overM) {
  StringRef red = overM ? "BNP" : "BM";
  StringRef loops = overM ? "BNPM" : "BMNP";
  Value minusInf = negInf(b, loc), zero = f32Const(b, loc, 0);
  SmallVector<Operand> ins = {{logits, role::logits.dims}};
  if (mask)
    ins.push_back({mask, role::mask.dims});
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
    divIns.push_back({mask, role::mask.dims});
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

Operand VJPState::accumulator(Value forward, LetterSizes &sizes,
                              const OperandRole &role) {
  auto it = cotangents.find(forward);
  if (it != cotangents.end())
    return {it->second, role.dims};
  return {filled(b, loc, sizes, role.dims, f32Const(b, loc, 0)), role.dims};
}

void VJPState::set(Value forward, Value cotangent) {
  cotangents[forward] = cotangent;
}

void mlir::softmoe::buildCombineVJP(VJPState &s, CombineOp op, Value g) {
  OpBuilder &b = s.b;
  Location loc = s.loc;
  Value logits = s.primal(op.getLogits()), out = s.primal(op.getExpertOut());
  Value mask = op.getMask() ? s.primal(op.getMask()) : Value();
  LetterSizes sizes(b, loc,
                    {{logits, role::logits.dims}, {out, role::expertOut.dims}});
  Value c = softmaxWeights(b, loc, sizes, logits, mask, /*overM=*/false);
  Value outT = transpose(b, loc, sizes, out, "BNPD", "BDNP");
  Value dc = einsum(b, loc, "BMNPD", {{g, "BMD"}, {outT, "BDNP"}},
                    {filled(b, loc, sizes, "BMNP", f32Const(b, loc, 0)), "BMNP"},
                    macc);
  s.set(op.getExpertOut(),
        einsum(b, loc, "BNPDM", {{c, "BMNP"}, {g, "BMD"}},
               s.accumulator(op.getExpertOut(), sizes, role::expertOut), macc));
  s.set(op.getLogits(),
        softmaxBackward(
            b, loc, sizes, c, dc, /*overM=*/false,
            s.accumulator(op.getLogits(), sizes, role::logits).value));
}

void mlir::softmoe::buildDispatchVJP(VJPState &s, DispatchOp op, Value g) {
  OpBuilder &b = s.b;
  Location loc = s.loc;
  Value logits = s.primal(op.getLogits()), x = s.primal(op.getX());
  Value mask = op.getMask() ? s.primal(op.getMask()) : Value();
  LetterSizes sizes(b, loc, {{logits, role::logits.dims}, {x, role::x.dims}});
  Value w = softmaxWeights(b, loc, sizes, logits, mask, /*overM=*/true);
  Value gT = transpose(b, loc, sizes, g, "BNPD", "BDNP");
  Value dw = einsum(
      b, loc, "BMNPD", {{x, role::x.dims}, {gT, "BDNP"}},
      {filled(b, loc, sizes, "BMNP", f32Const(b, loc, 0)), "BMNP"}, macc);
  s.set(op.getX(), einsum(b, loc, "BMDNP", {{w, "BMNP"}, {g, "BNPD"}},
                          s.accumulator(op.getX(), sizes, role::x), macc));
  s.set(op.getLogits(),
        softmaxBackward(
            b, loc, sizes, w, dw, /*overM=*/true,
            s.accumulator(op.getLogits(), sizes, role::logits).value));
}

namespace {

/// The halves [0, H) and [H, 2H) of dimension `dim` of `v`, the gated
/// activation's a and g (`v`'s other dimensions whole).
std::pair<Value, Value> halves(OpBuilder &b, Location l, LetterSizes &sizes,
                               Value v, StringRef dims, unsigned dim) {
  SmallVector<OpFoldResult> offsets(dims.size(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> strides(dims.size(), b.getIndexAttr(1));
  SmallVector<OpFoldResult> halfSizes = sizes.sizes(dims);
  halfSizes[dim] = sizes.size('H');
  Value a = tensor::ExtractSliceOp::create(b, l, v, offsets, halfSizes, strides);
  offsets[dim] = sizes.size('H');
  Value g = tensor::ExtractSliceOp::create(b, l, v, offsets, halfSizes, strides);
  return {a, g};
}


/// The reassociation of a rank-`rank` shape that merges dimensions `first`
/// and `first + 1` (B and P) and keeps the others.
SmallVector<ReassociationIndices> mergeBPGroups(unsigned rank,
                                                unsigned first) {
  SmallVector<ReassociationIndices> groups;
  for (unsigned d = 0; d < rank; ++d) {
    if (d == first + 1)
      continue;
    groups.push_back(d == first ? ReassociationIndices{d, d + 1}
                                : ReassociationIndices{d});
  }
  return groups;
}

/// The letters `dims` with "BP" replaced by the merged letter Q.
std::string lettersOverQ(StringRef dims) {
  std::string q = dims.str();
  q.replace(q.find("BP"), 2, "Q");
  return q;
}

/// `v` (letters `dims`) with B and P merged into one dimension, Q = B * P: a
/// view once bufferized. The expert GEMMs of the backward run their vector
/// lanes along the slots; along P alone they would be 4 wide for S-32 and
/// scalar for B-128 (P = 1), along Q they fill the registers.
Value mergeBP(OpBuilder &b, Location l, Value v, StringRef dims) {
  return tensor::CollapseShapeOp::create(
      b, l, v, mergeBPGroups(dims.size(), dims.find("BP")));
}

/// The inverse of mergeBP: `v` with its dimension Q split back into B and P,
/// giving the letters `dims` (B immediately followed by P).
Value splitBP(OpBuilder &b, Location l, LetterSizes &sizes, Value v,
              StringRef dims) {
  SmallVector<OpFoldResult> shape = sizes.sizes(dims);
  SmallVector<int64_t> staticShape;
  for (OpFoldResult size : shape)
    staticShape.push_back(
        getConstantIntValue(size).value_or(ShapedType::kDynamic));
  auto type = RankedTensorType::get(staticShape, elemTypeOf(v));
  return tensor::ExpandShapeOp::create(
      b, l, type, v, mergeBPGroups(dims.size(), dims.find("BP")), shape);
}

/// A contraction over the expert weights whose result and right operand
/// carry B and P last: computed with them merged (mergeBP) and split after.
Value contractOverQ(OpBuilder &b, Location l, LetterSizes &sizes,
                    Value weight, StringRef weightDims, Value rhs,
                    StringRef rhsDims, StringRef outDims, char reduced) {
  Value rhsQ = mergeBP(b, l, rhs, rhsDims);
  std::string rhsQDims = lettersOverQ(rhsDims),
              outQDims = lettersOverQ(outDims);
  LetterSizes qSizes(b, l, {{weight, weightDims}, {rhsQ, rhsQDims}});
  Value out = einsum(b, l, outQDims + reduced,
                     {{weight, weightDims}, {rhsQ, rhsQDims}},
                     {filled(b, l, qSizes, outQDims, f32Const(b, l, 0)),
                      outQDims},
                     macc);
  return splitBP(b, l, sizes, out, outDims);
}

/// A weight gradient: the contraction `loops` that sums over B and P, with
/// the two merged (mergeBP) in the inputs, so that the sum is one loop the
/// register tile keeps in registers rather than two with the result
/// reloaded for each b. `out` makes the init after the merged views, so that
/// the codegen finds the init next to the contraction it fuses into.
Value reduceOverQ(OpBuilder &b, Location l, StringRef loops,
                  ArrayRef<Operand> ins, function_ref<Operand()> out) {
  SmallVector<std::string> insDims;
  for (const Operand &in : ins)
    insDims.push_back(lettersOverQ(in.dims));
  SmallVector<Operand> operands;
  for (auto [in, dims] : llvm::zip(ins, insDims))
    operands.push_back({mergeBP(b, l, in.value, in.dims), dims});
  return einsum(b, l, lettersOverQ(loops), operands, out(), macc);
}
} // namespace

void mlir::softmoe::buildExpertApplyVJP(VJPState &s, ExpertApplyOp op, Value g,
                                        Value savedPreActivation) {
  OpBuilder &b = s.b;
  Location loc = s.loc;
  Value slots = s.primal(op.getSlots()), w1 = s.primal(op.getW1()),
        b1 = s.primal(op.getB1()), w2 = s.primal(op.getW2());
  Activation act = op.getActivation();
  bool gated = isGated(act);
  // K: the first layer's width, H, or G = 2H for a gated activation.
  char k = role::firstLayerLetter(act);
  auto dims = [&](StringRef letters) {
    std::string d = letters.str();
    std::replace(d.begin(), d.end(), 'K', k);
    return d;
  };
  LetterSizes sizes(b, loc,
                    {{slots, role::slots.dims},
                     {w1, role::w1(act).dims},
                     {w2, role::w2.dims}});
  Type elemType = elemTypeOf(slots);
  Value zero = f32Const(b, loc, 0);
  auto round = [&](OpBuilder &nb, Location nl, Value v) -> Value {
    if (elemType.isF32())
      return v;
    return arith::TruncFOp::create(nb, nl, elemType, v);
  };

  Value z = savedPreActivation;
  if (!z) // activation checkpointing: one more GEMM instead of a residual
    z = einsum(b, loc, dims("BNPKD"),
               {{slots, role::slots.dims}, {w1, role::w1(act).dims}},
               {filled(b, loc, sizes, dims("BNPK"), zero), dims("BNPK")}, macc);
  // Layouts (see transpose): hT[N,H,B,P], g as [N,B,P,D] and [N,D,B,P], da
  // as [N,K,B,P] and [N,B,P,K], slots as [N,D,B,P]; the weights as they are.
  // Gated: u = z + b1 over G, a = u[..., :H], t = u[..., H:] (the halves of
  // z and b1 read directly), h = a * f(t).
  SmallVector<Operand> halvesIn;
  auto aAndGate = [&](OpBuilder &nb, Location nl, Args args) {
    return std::make_pair(add(nb, nl, args[0], ext(nb, nl, args[2])),
                          add(nb, nl, args[1], ext(nb, nl, args[3])));
  };
  Value hT;
  if (gated) {
    auto [za, zg] = halves(b, loc, sizes, z, "BNPG", 3);
    auto [ba, bg] = halves(b, loc, sizes, b1, role::b1(act).dims, 1);
    halvesIn = {{za, "BNPH"}, {zg, "BNPH"}, {ba, "NH"}, {bg, "NH"}};
    hT = einsum(b, loc, "NHBP", halvesIn,
                {empty(b, loc, sizes, "NHBP", elemType), "NHBP"},
                [&](OpBuilder &nb, Location nl, Args args) -> Value {
                  auto [a, t] = aAndGate(nb, nl, args);
                  return round(nb, nl,
                               buildHiddenActivation(nb, nl, act, a, t));
                });
  } else {
    // h = act(z + b1), rounded to the element type as the forward stores it.
    hT = einsum(b, loc, "NHBP", {{z, "BNPH"}, {b1, role::b1(act).dims}},
                {empty(b, loc, sizes, "NHBP", elemType), "NHBP"},
                [&](OpBuilder &nb, Location nl, Args args) -> Value {
                  return round(nb, nl,
                               buildActivation(nb, nl, act,
                                               add(nb, nl, args[0],
                                                   ext(nb, nl, args[1]))));
                });
  }
  Value gByExpert = transpose(b, loc, sizes, g, "BNPD", "NBPD");
  Value gByDim = transpose(b, loc, sizes, g, "BNPD", "NDBP");
  s.set(op.getB2(),
        einsum(b, loc, "NDBP", {{g, "BNPD"}},
               s.accumulator(op.getB2(), sizes, role::b2), sumBody));
  s.set(op.getW2(),
        reduceOverQ(b, loc, "NHDBP", {{hT, "NHBP"}, {gByExpert, "NBPD"}},
                    [&] { return s.accumulator(op.getW2(), sizes, role::w2); }));
  Value daT, du; // du: the gated one in [B, N, P, G]
  if (!gated) {
    // act'(z + b1) on its own, transposed: the product with dh below is
    // then a plain pointwise consumer that the codegen fuses into dh's
    // kernel.
    Value dActT =
        einsum(b, loc, "NHBP", {{z, "BNPH"}, {b1, role::b1(act).dims}},
               {empty(b, loc, sizes, "NHBP", b.getF32Type()), "NHBP"},
               [&](OpBuilder &nb, Location nl, Args args) -> Value {
                 Value a = add(nb, nl, args[0], ext(nb, nl, args[1]));
                 return buildActivationDerivative(nb, nl, act, a);
               });
    Value dhT = contractOverQ(b, loc, sizes, w2, role::w2.dims, gByDim,
                              "NDBP", "NHBP", 'D');
    daT = einsum(b, loc, "NHBP", {{dActT, "NHBP"}}, {dhT, "NHBP"},
                 [&](OpBuilder &nb, Location nl, Args args) -> Value {
                   return mul(nb, nl, args[1], args[0]);
                 });
  } else {
    // du = [dh * f(t), dh * a * f'(t)], written into the halves of one
    // [B, N, P, G] tensor (the layout of z: each half's rows are
    // contiguous), then transposed like da.
    Value dhT = contractOverQ(b, loc, sizes, w2, role::w2.dims, gByDim,
                              "NDBP", "NHBP", 'D');
    // dh in the halves' layout too: a generic that mixes the strided halves
    // with a transposed read defeats the codegen's vector lowering.
    SmallVector<Operand> withDh(halvesIn);
    withDh.push_back({transpose(b, loc, sizes, dhT, "NHBP", "BNPH"), "BNPH"});
    SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
    SmallVector<OpFoldResult> halfSizes = sizes.sizes("BNPH");
    // Each half is written in place: extracted from the tensor the previous
    // half was inserted into (one buffer after bufferization).
    auto writeHalf = [&](Value into, OpFoldResult offset, BodyFn body) {
      offsets[3] = offset;
      Value part = tensor::ExtractSliceOp::create(b, loc, into, offsets,
                                                  halfSizes, strides);
      part = einsum(b, loc, "BNPH", withDh, {part, "BNPH"}, body);
      return tensor::InsertSliceOp::create(b, loc, part, into, offsets,
                                           halfSizes, strides)
          .getResult();
    };
    du = empty(b, loc, sizes, "BNPG", b.getF32Type());
    du = writeHalf(du, b.getIndexAttr(0),
                   [&](OpBuilder &nb, Location nl, Args args) -> Value {
                     Value t = aAndGate(nb, nl, args).second;
                     return mul(nb, nl, args[4],
                                buildActivation(nb, nl, act, t));
                   });
    du = writeHalf(du, sizes.size('H'),
                   [&](OpBuilder &nb, Location nl, Args args) -> Value {
                     auto [a, t] = aAndGate(nb, nl, args);
                     return mul(nb, nl, mul(nb, nl, args[4], a),
                                buildActivationDerivative(nb, nl, act, t));
                   });
    daT = transpose(b, loc, sizes, du, "BNPG", "NGBP");
  }
  s.set(op.getB1(),
        einsum(b, loc, dims("NKBP"), {{daT, dims("NKBP")}},
               s.accumulator(op.getB1(), sizes, role::b1(act)), sumBody));
  Value daByExpert =
      du ? transpose(b, loc, sizes, du, "BNPG", "NBPG")
         : transpose(b, loc, sizes, daT, dims("NKBP"), dims("NBPK"));
  Value slotsT = transpose(b, loc, sizes, slots, "BNPD", "NDBP");
  s.set(op.getW1(),
        reduceOverQ(b, loc, dims("NDKBP"),
                    {{slotsT, "NDBP"}, {daByExpert, dims("NBPK")}},
                    [&] {
                      return s.accumulator(op.getW1(), sizes, role::w1(act));
                    }));
  Value dslotsT = contractOverQ(b, loc, sizes, w1, role::w1(act).dims, daT,
                                dims("NKBP"), "NDBP", k);
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
    s.set(op.getSlots(),
          einsum(b, loc, "BNPD", {{dslotsT, "NDBP"}},
                 s.accumulator(op.getSlots(), sizes, role::slots), sumBody));
}

void mlir::softmoe::buildRouterVJP(VJPState &s, RouterOp op, Value g) {
  OpBuilder &b = s.b;
  Location loc = s.loc;
  Value x = s.primal(op.getX()), phi = s.primal(op.getPhi());
  LetterSizes sizes(b, loc,
                    {{x, role::x.dims}, {phi, role::phi.dims}, {g, "BMNP"}});
  Value zero = f32Const(b, loc, 0);
  if (!op.getNormalize()) {
    s.set(op.getPhi(),
          einsum(b, loc, "DNPBM", {{x, role::x.dims}, {g, "BMNP"}},
                 s.accumulator(op.getPhi(), sizes, role::phi), macc));
    Value phiT = transpose(b, loc, sizes, phi, "DNP", "NPD");
    s.set(op.getX(), einsum(b, loc, "BMDNP", {{g, "BMNP"}, {phiT, "NPD"}},
                            s.accumulator(op.getX(), sizes, role::x), macc));
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
  // The VJP of v -> v / |v| at cotangent g: r g - r^3 v (v . g), with
  // r = rsqrt(ss + eps), from body arguments v, g, ss = v . v and q = v . g.
  auto normalizeVJP = [&](OpBuilder &nb, Location nl, Value v, Value g,
                          Value ss, Value q) -> Value {
    Value r = rsqrt(nb, nl, ss);
    Value r3 = mul(nb, nl, r, mul(nb, nl, r, r));
    return sub(nb, nl, mul(nb, nl, r, g),
               mul(nb, nl, r3, mul(nb, nl, ext(nb, nl, v), q)));
  };
  // The forward's normalised operands, recomputed.
  Value ssx = einsum(b, loc, "BMD", {{x, role::x.dims}},
                     {filled(b, loc, sizes, "BM", zero), "BM"}, square);
  Value xn = einsum(b, loc, "BMD", {{x, role::x.dims}, {ssx, "BM"}},
                    {empty(b, loc, sizes, "BMD", b.getF32Type()), "BMD"},
                    [&](OpBuilder &nb, Location nl, Args args) -> Value {
                      return mul(nb, nl, ext(nb, nl, args[0]),
                                 rsqrt(nb, nl, args[1]));
                    });
  Value ssp = einsum(b, loc, "NPD", {{phi, role::phi.dims}},
                     {filled(b, loc, sizes, "NP", zero), "NP"}, square);
  Value phinT = einsum(
      b, loc, "NPD",
      {{phi, role::phi.dims}, {ssp, "NP"}, {scale, role::scale.dims}},
      {empty(b, loc, sizes, "NPD", b.getF32Type()), "NPD"},
      [&](OpBuilder &nb, Location nl, Args args) -> Value {
        return mul(nb, nl,
                   mul(nb, nl, ext(nb, nl, args[2]), ext(nb, nl, args[0])),
                   rsqrt(nb, nl, args[1]));
      });
  Value dphin = einsum(b, loc, "DNPBM", {{xn, "BMD"}, {g, "BMNP"}},
                       {filled(b, loc, sizes, "DNP", zero), "DNP"}, macc);
  Value dxn = einsum(b, loc, "BMDNP", {{g, "BMNP"}, {phinT, "NPD"}},
                     {filled(b, loc, sizes, "BMD", zero), "BMD"}, macc);

  // dx += r dxn - r^3 x (x . dxn)
  Value qx = einsum(b, loc, "BMD", {{x, role::x.dims}, {dxn, "BMD"}},
                    {filled(b, loc, sizes, "BM", zero), "BM"}, macc);
  s.set(op.getX(),
        einsum(b, loc, "BMD",
               {{x, role::x.dims}, {dxn, "BMD"}, {ssx, "BM"}, {qx, "BM"}},
               s.accumulator(op.getX(), sizes, role::x),
               [&](OpBuilder &nb, Location nl, Args args) -> Value {
                 Value v =
                     normalizeVJP(nb, nl, args[0], args[1], args[2], args[3]);
                 return add(nb, nl, args[4], v);
               }));
  // dphi += scale (rp dphin - rp^3 phi (phi . dphin)); dscale += sum rp phi
  // dphin.
  Value qp = einsum(b, loc, "NPD", {{phi, role::phi.dims}, {dphin, "DNP"}},
                    {filled(b, loc, sizes, "NP", zero), "NP"}, macc);
  s.set(op.getPhi(),
        einsum(b, loc, "DNP",
               {{phi, role::phi.dims},
                {dphin, "DNP"},
                {ssp, "NP"},
                {qp, "NP"},
                {scale, role::scale.dims}},
               s.accumulator(op.getPhi(), sizes, role::phi),
               [&](OpBuilder &nb, Location nl, Args args) -> Value {
                 Value v =
                     normalizeVJP(nb, nl, args[0], args[1], args[2], args[3]);
                 return add(nb, nl, args[5],
                            mul(nb, nl, ext(nb, nl, args[4]), v));
               }));
  s.set(op.getScale(),
        einsum(b, loc, "DNP",
               {{phi, role::phi.dims}, {dphin, "DNP"}, {ssp, "NP"}},
               s.accumulator(op.getScale(), sizes, role::scale),
               [&](OpBuilder &nb, Location nl, Args args) -> Value {
                 Value v = mul(nb, nl, mul(nb, nl, ext(nb, nl, args[0]), args[1]),
                               rsqrt(nb, nl, args[2]));
                 return add(nb, nl, args[3], v);
               }));
}
