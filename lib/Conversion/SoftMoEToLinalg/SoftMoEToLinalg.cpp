//===- SoftMoEToLinalg.cpp - softmoe ops to linalg on tensors -------------===//
//
// Every softmoe stage becomes a short chain of linalg ops on tensors, in
// destination-passing style: each result starts as `tensor.empty` (plus
// `linalg.fill` for reductions) and is produced by one `linalg.generic` whose
// indexing maps are written as einsums over the contract's letters (B, M, D,
// N, P, H). Reduction loops come last. E is the data element type; [0] and
// [-inf] mark the fill of a reduction's init, "f32" an f32 result.
//
//   router (normalize only)
//     ssx[B,M]     = sum_D ext(x)^2                                      [0]
//     xn[B,M,D]    = ext(x) * rsqrt(ssx + eps)                           f32
//     ssp[N,P]     = sum_D ext(phi)^2                                    [0]
//     phin[D,N,P]  = ext(scale) * ext(phi) * rsqrt(ssp + eps)            f32
//   router
//     logits[B,M,N,P] = sum_D ext(xn) * ext(phin)                   [0], f32
//   dispatch
//     mx[B,N,P]    = max_M (mask ? logits : -inf)                     [-inf]
//     e[B,M,N,P]   = mask ? exp(logits - mx) : 0
//     s[B,N,P]     = sum_M e                                             [0]
//     w            = s > 0 ? e / s : 0          (over e; the guard only with
//                                                a mask, where 0/0 can occur)
//     acc[B,N,P,D] = sum_M w * ext(x)                               [0], f32
//     slots        = trunc(acc)                                 (E != f32)
//   expert_apply
//     h[B,N,P,H]   = sum_D ext(slots) * ext(w1[N,D,H])              [0], f32
//     h            = act(h + ext(b1[N,H]))                           (over h)
//   (gated: geglu, swiglu; G = 2H)
//     u[B,N,P,G]   = sum_D ext(slots) * ext(w1[N,D,G])              [0], f32
//     u            = u + ext(b1[N,G])                                (over u)
//     h[B,N,P,H]   = a * gate(g),  a = u[..., :H], g = u[..., H:]
//                                         (tensor.extract_slice halves of u)
//     o[B,N,P,D]   = sum_H h * ext(w2[N,H,D])                       [0], f32
//     out          = trunc(o + ext(b2[N,D]))         (over o when E = f32)
//   combine
//     mx[B,M]      = max_{N,P} logits                                 [-inf]
//     e[B,M,N,P]   = exp(logits - mx)
//     s[B,M]       = sum_{N,P} e                                         [0]
//     c            = mask ? e / s : 0                                (over e)
//     acc[B,M,D]   = sum_{N,P} c * ext(out)                         [0], f32
//     y            = trunc(acc)                                 (E != f32)
//
// Softmaxes and contractions run in f32 (`ext` is arith.extf inside the
// generic bodies, `trunc` arith.truncf); both softmaxes subtract the maximum,
// so logits of +-1e4 neither overflow nor turn into NaN. The activations
// (softmoe/Dialect/SoftMoE/IR/Activation.h) use math.tanh / math.erf /
// math.exp. Contractions are plain einsum generics
// (the expert GEMMs are batched over N with N shared by slots and weights) so
// that tiling and vectorisation can recognise them; nothing is fused here.
//
// Sizes: each letter takes its static size from any operand that has one,
// otherwise `tensor.dim` of the first operand carrying it. When the op's
// declared result type is less (or more) static than the computed one, a
// `tensor.cast` restores it. softmoe.layer is first split by the decompose
// patterns; the conversion driver then lowers the four stage ops.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Conversion/SoftMoEToLinalg/SoftMoEToLinalg.h"
#include "softmoe/Conversion/SoftMoEToLinalg/EinsumBuilders.h"

#include "softmoe/Conversion/Passes.h"
#include "softmoe/Dialect/SoftMoE/IR/Activation.h"
#include "softmoe/Dialect/SoftMoE/IR/OperandRoles.h"
#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/DialectConversion.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>

namespace mlir::softmoe {
#define GEN_PASS_DEF_CONVERTSOFTMOETOLINALG
#include "softmoe/Conversion/Passes.h.inc"
} // namespace mlir::softmoe

using namespace mlir;
using namespace mlir::softmoe;
using namespace mlir::softmoe::lowering;

//===----------------------------------------------------------------------===//
// Building blocks (EinsumBuilders.h; shared with softmoe-generate-vjp)
//===----------------------------------------------------------------------===//

namespace mlir::softmoe::lowering {

LetterSizes::LetterSizes(OpBuilder &b, Location loc,
                         ArrayRef<Operand> operands)
    : b(b), loc(loc) {
    for (const Operand &o : operands) {
      if (!o.value)
        continue;
      auto type = cast<RankedTensorType>(o.value.getType());
      for (auto [dim, letter] : llvm::enumerate(o.dims)) {
        Carrier &c = carriers[static_cast<unsigned char>(letter)];
        // Prefer an operand whose size is static: no tensor.dim needed.
        if (!c.value || (c.isDynamic && !type.isDynamicDim(dim)))
          c = {o.value, static_cast<unsigned>(dim), type.isDynamicDim(dim), {}};
      }
    }
}

OpFoldResult LetterSizes::size(char letter) {
  Carrier &c = carriers[static_cast<unsigned char>(letter)];
  assert(c.value && "letter carried by no operand");
  if (!c.size)
    c.size = tensor::getMixedSize(b, loc, c.value, c.dim);
  return c.size;
}

SmallVector<OpFoldResult> LetterSizes::sizes(StringRef dims) {
  SmallVector<OpFoldResult> result;
  for (char letter : dims)
    result.push_back(size(letter));
  return result;
}

Value einsum(OpBuilder &b, Location loc, StringRef loops, ArrayRef<Operand> ins,
             Operand out, BodyFn body) {
  auto mapOf = [&](StringRef dims) {
    SmallVector<AffineExpr> exprs;
    for (char letter : dims) {
      size_t pos = loops.find(letter);
      assert(pos != StringRef::npos && "operand letter is not a loop");
      exprs.push_back(b.getAffineDimExpr(pos));
    }
    return AffineMap::get(loops.size(), 0, exprs, b.getContext());
  };
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (const Operand &in : ins) {
    inputs.push_back(in.value);
    maps.push_back(mapOf(in.dims));
  }
  maps.push_back(mapOf(out.dims));
  SmallVector<utils::IteratorType> iterators;
  for (char letter : loops)
    iterators.push_back(out.dims.contains(letter)
                            ? utils::IteratorType::parallel
                            : utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{out.value.getType()}, inputs, ValueRange{out.value},
      maps, iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, body(nb, nl, args));
      });
  return generic.getResult(0);
}

Value f32Const(OpBuilder &b, Location loc, double value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

Value negInf(OpBuilder &b, Location loc) {
  return arith::ConstantOp::create(
      b, loc,
      b.getFloatAttr(b.getF32Type(), APFloat::getInf(APFloat::IEEEsingle(),
                                                     /*Negative=*/true)));
}

/// A fresh tensor of the letters `dims`.
Value empty(OpBuilder &b, Location loc, LetterSizes &sizes, StringRef dims,
            Type elemType) {
  return tensor::EmptyOp::create(b, loc, sizes.sizes(dims), elemType);
}

/// A fresh f32 tensor of the letters `dims` filled with `value`.
Value filled(OpBuilder &b, Location loc, LetterSizes &sizes, StringRef dims,
             Value value) {
  Value init = empty(b, loc, sizes, dims, b.getF32Type());
  return linalg::FillOp::create(b, loc, ValueRange{value}, ValueRange{init})
      .getResult(0);
}

/// `v` as f32 (a no-op for f32 values).
Value ext(OpBuilder &b, Location loc, Value v) {
  if (v.getType().isF32())
    return v;
  return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
}

Value macc(OpBuilder &b, Location loc, ValueRange args) {
  Value prod =
      arith::MulFOp::create(b, loc, ext(b, loc, args[0]), ext(b, loc, args[1]));
  return arith::AddFOp::create(b, loc, args[2], prod);
}

/// The f32 tensor `acc` (letters `dims`) in the element type `elemType`.
Value truncTo(OpBuilder &b, Location loc, LetterSizes &sizes, Value acc,
              StringRef dims, Type elemType) {
  if (elemType.isF32())
    return acc;
  return einsum(b, loc, dims, {{acc, dims}},
                {empty(b, loc, sizes, dims, elemType), dims},
                [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                  return arith::TruncFOp::create(nb, nl, elemType, args[0]);
                });
}

} // namespace mlir::softmoe::lowering

namespace {

/// Replaces `op` by `value`, casting to the op's declared result type, which
/// may be less or more static than the one computed from the operands.
void replaceWithCast(PatternRewriter &rewriter, Operation *op, Value value) {
  Type type = op->getResult(0).getType();
  if (value.getType() != type)
    value = tensor::CastOp::create(rewriter, op->getLoc(), type, value);
  rewriter.replaceOp(op, value);
}

} // namespace

namespace mlir::softmoe::lowering {

Type elemTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

} // namespace mlir::softmoe::lowering

namespace {

/// Every operand ranked: the patterns cast types without checking again.
bool allRanked(Operation *op) {
  return llvm::all_of(op->getOperandTypes(), llvm::IsaPred<RankedTensorType>) &&
         llvm::all_of(op->getResultTypes(), llvm::IsaPred<RankedTensorType>);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

struct LowerRouter : OpRewritePattern<RouterOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(RouterOp op,
                                PatternRewriter &rewriter) const override {
    if (!allRanked(op))
      return rewriter.notifyMatchFailure(op, "operands must be ranked");
    if (op.getNormalize() && !op.getScale())
      return rewriter.notifyMatchFailure(op, "normalize without a scale");
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    LetterSizes sizes(
        b, loc, {{op.getX(), role::x.dims}, {op.getPhi(), role::phi.dims}});
    Value x = op.getX(), phi = op.getPhi();

    if (op.getNormalize()) {
      Value eps = f32Const(b, loc, op.getEpsilon().convertToFloat());
      auto sumSquares = [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value v = ext(nb, nl, args[0]);
        return arith::AddFOp::create(nb, nl, args[1],
                                     arith::MulFOp::create(nb, nl, v, v))
            .getResult();
      };
      auto invNorm = [&](OpBuilder &nb, Location nl, Value ss) {
        return math::RsqrtOp::create(nb, nl,
                                     arith::AddFOp::create(nb, nl, ss, eps));
      };
      // xn = x * rsqrt(sum_d x^2 + eps), per token.
      Value ssx = einsum(
          b, loc, "BMD", {{x, role::x.dims}},
          {filled(b, loc, sizes, "BM", f32Const(b, loc, 0)), "BM"}, sumSquares);
      Value xn =
          einsum(b, loc, "BMD", {{x, role::x.dims}, {ssx, "BM"}},
                 {empty(b, loc, sizes, "BMD", b.getF32Type()), "BMD"},
                 [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                   return arith::MulFOp::create(nb, nl, ext(nb, nl, args[0]),
                                                invNorm(nb, nl, args[1]));
                 });
      // phin = scale * phi * rsqrt(sum_d phi^2 + eps), per slot.
      Value ssp = einsum(
          b, loc, "NPD", {{phi, role::phi.dims}},
          {filled(b, loc, sizes, "NP", f32Const(b, loc, 0)), "NP"}, sumSquares);
      Value phin = einsum(
          b, loc, "DNP",
          {{phi, role::phi.dims},
           {ssp, "NP"},
           {op.getScale(), role::scale.dims}},
          {empty(b, loc, sizes, "DNP", b.getF32Type()), "DNP"},
          [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
            Value scaled = arith::MulFOp::create(nb, nl, ext(nb, nl, args[2]),
                                                 ext(nb, nl, args[0]));
            return arith::MulFOp::create(nb, nl, scaled,
                                         invNorm(nb, nl, args[1]));
          });
      x = xn;
      phi = phin;
    }

    Value logits =
        einsum(b, loc, "BMNPD", {{x, role::x.dims}, {phi, role::phi.dims}},
               {filled(b, loc, sizes, "BMNP", f32Const(b, loc, 0)), "BMNP"},
               macc);
    replaceWithCast(rewriter, op, logits);
    return success();
  }
};

/// The softmax of `logits` (BMNP) over the letters of `reduceLoops` that
/// `groupDims` lacks (reductions last, as einsum wants them), one per index of
/// `groupDims`, with the group's maximum subtracted: the weights, BMNP, written
/// over the tensor of exponentials. `mask` (BM, may be null) marks tokens: when
/// the softmax runs over the tokens (dispatch; `groupDims` lacks M), a masked
/// token takes part as a -inf logit, i.e. with zero weight; when it runs per
/// token (combine), a masked token gets all-zero weights. `minusInf` and `zero`
/// are the caller's f32 constants.
static Value buildMaskedSoftmax(OpBuilder &b, Location loc, LetterSizes &sizes,
                                Value logits, Value mask, StringRef reduceLoops,
                                StringRef groupDims, Value minusInf,
                                Value zero) {
  // The mask is over tokens: either the softmax runs over them, or per token.
  bool maskReduced = mask && !groupDims.contains('M');
  bool maskKept = mask && !maskReduced;
  SmallVector<Operand> routing = {{logits, role::logits.dims}};
  if (maskReduced)
    routing.push_back({mask, role::mask.dims});

  // mx = the group's largest logit; over the tokens, of the unmasked ones only
  // (-inf when every token is masked).
  Value mx =
      einsum(b, loc, reduceLoops, routing,
             {filled(b, loc, sizes, groupDims, minusInf), groupDims},
             [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
               Value l = args[0];
               if (maskReduced)
                 l = arith::SelectOp::create(nb, nl, args[1], l, minusInf);
               return arith::MaximumFOp::create(nb, nl, args.back(), l);
             });

  // e = exp(logits - mx); over the tokens, 0 for masked ones (the select also
  // drops the inf - inf of an all-masked group).
  SmallVector<Operand> expIns = routing;
  expIns.push_back({mx, groupDims});
  Value e = einsum(b, loc, "BMNP", expIns,
                   {empty(b, loc, sizes, "BMNP", b.getF32Type()), "BMNP"},
                   [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                     Value m = args[maskReduced ? 2 : 1];
                     Value ex = math::ExpOp::create(
                         nb, nl, arith::SubFOp::create(nb, nl, args[0], m));
                     if (!maskReduced)
                       return ex;
                     return arith::SelectOp::create(nb, nl, args[1], ex, zero);
                   });

  Value s = einsum(b, loc, reduceLoops, {{e, "BMNP"}},
                   {filled(b, loc, sizes, groupDims, zero), groupDims},
                   [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                     return arith::AddFOp::create(nb, nl, args[1], args[0]);
                   });

  // e / s, written over e. Per token, a masked token's weights become 0. Over
  // the tokens, only a mask can make s zero: then the weights are 0. The test
  // is "s != 0 or NaN" (une), so that a NaN in the group's logits still
  // propagates (docs/robustness.md) instead of becoming weight 0.
  SmallVector<Operand> divIns = {{s, groupDims}};
  if (maskKept)
    divIns.push_back({mask, role::mask.dims});
  return einsum(b, loc, "BMNP", divIns, {e, "BMNP"},
                [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                  Value q = arith::DivFOp::create(nb, nl, args.back(), args[0]);
                  if (!mask)
                    return q;
                  if (maskKept)
                    return arith::SelectOp::create(nb, nl, args[1], q, zero);
                  Value nonZero = arith::CmpFOp::create(
                      nb, nl, arith::CmpFPredicate::UNE, args[0], zero);
                  return arith::SelectOp::create(nb, nl, nonZero, q, zero);
                });
}

/// Dispatch and combine: the masked softmax of `logits` over the letters
/// of `softmaxLoops` that `groups` lacks (buildMaskedSoftmax), then the mix
/// sum over the letters of `mixLoops` that `outDims` lacks of weights (BMNP)
/// times `values` (letters `valueDims`), accumulated in f32 and stored in the
/// values' element type; `op` is replaced by it.
static void lowerSoftmaxMix(PatternRewriter &rewriter, Operation *op,
                            Value logits, Value mask, Value values,
                            StringRef valueDims, StringRef softmaxLoops,
                            StringRef groups, StringRef mixLoops,
                            StringRef outDims) {
  Location loc = op->getLoc();
  OpBuilder &b = rewriter;
  LetterSizes sizes(b, loc, {{logits, role::logits.dims}, {values, valueDims}});
  Value minusInf = negInf(b, loc), zero = f32Const(b, loc, 0);
  Value weights = buildMaskedSoftmax(b, loc, sizes, logits, mask, softmaxLoops,
                                     groups, minusInf, zero);
  Value acc = einsum(b, loc, mixLoops, {{weights, "BMNP"}, {values, valueDims}},
                     {filled(b, loc, sizes, outDims, zero), outDims}, macc);
  replaceWithCast(rewriter, op,
                  truncTo(b, loc, sizes, acc, outDims, elemTypeOf(values)));
}

struct LowerDispatch : OpRewritePattern<DispatchOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(DispatchOp op,
                                PatternRewriter &rewriter) const override {
    if (!allRanked(op))
      return rewriter.notifyMatchFailure(op, "operands must be ranked");
    // slots[b,n,p,d] = sum_m w[b,m,n,p] * x[b,m,d], w a softmax over the
    // tokens m of each slot (n, p); masked tokens take part with zero weight.
    // The raw x.
    lowerSoftmaxMix(rewriter, op, op.getLogits(), op.getMask(), op.getX(),
                    role::x.dims, "BNPM", "BNP", "BNPDM", "BNPD");
    return success();
  }
};

} // namespace

namespace mlir::softmoe::lowering {

Value buildExpertApply(OpBuilder &b, Location loc, Value slots, Value w1,
                       Value b1, Value w2, Value b2, Activation act,
                       Value *preActivation) {
  bool gated = isGated(act);
  // A gated expert's first layer is 2H wide: letter G.
  StringRef w1Dims = role::w1(act).dims, b1Dims = role::b1(act).dims;
  std::string uDims = std::string("BNP") + role::firstLayerLetter(act);
  LetterSizes sizes(
      b, loc, {{slots, role::slots.dims}, {w1, w1Dims}, {w2, role::w2.dims}});
  Value zero = f32Const(b, loc, 0);
  Type elemType = elemTypeOf(slots);

  auto round = [&](OpBuilder &nb, Location nl, Value v) -> Value {
    if (elemType.isF32())
      return v;
    return arith::TruncFOp::create(nb, nl, elemType, v);
  };

  // h[b,n,p,k] = act(sum_d slots[b,n,p,d] * w1[n,d,k] + b1[n,k]), stored
  // in the layer's element type like the slots and the expert outputs: a
  // bf16/f16 layer's second GEMM then reads half the bytes and multiplies
  // two bf16/f16 operands (vdpbf16ps on CPUs, tensor cores on GPUs).
  Value h =
      einsum(b, loc, (uDims + "D"), {{slots, role::slots.dims}, {w1, w1Dims}},
             {filled(b, loc, sizes, uDims, zero), uDims}, macc);
  if (preActivation)
    *preActivation = h;
  if (gated) {
    // u = slots @ w1 + b1, in place unless the backward keeps the sum;
    // then h = a * gate(g) over its halves a = u[..., :H], g = u[..., H:]
    // (x.chunk(2, dim=-1) in PyTorch).
    auto addBias = [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
      return arith::AddFOp::create(nb, nl, args[1], ext(nb, nl, args[0]));
    };
    Value u =
        preActivation
            ? einsum(b, loc, "BNPG", {{b1, b1Dims}, {h, "BNPG"}},
                     {empty(b, loc, sizes, "BNPG", b.getF32Type()), "BNPG"},
                     addBias)
            : einsum(b, loc, "BNPG", {{b1, b1Dims}}, {h, "BNPG"}, addBias);
    OpFoldResult zeroIdx = b.getIndexAttr(0), one = b.getIndexAttr(1);
    SmallVector<OpFoldResult> halfSizes = sizes.sizes("BNPH");
    SmallVector<OpFoldResult> strides(4, one);
    Value a = tensor::ExtractSliceOp::create(
        b, loc, u, SmallVector<OpFoldResult>(4, zeroIdx), halfSizes, strides);
    Value g = tensor::ExtractSliceOp::create(
        b, loc, u, {zeroIdx, zeroIdx, zeroIdx, sizes.size('H')}, halfSizes,
        strides);
    h = einsum(b, loc, "BNPH", {{a, "BNPH"}, {g, "BNPH"}},
               {empty(b, loc, sizes, "BNPH", elemType), "BNPH"},
               [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                 return round(nb, nl,
                              buildHiddenActivation(nb, nl, act, args[0],
                                                    args[1]));
               });
  } else if (elemType.isF32() && !preActivation) {
    h = einsum(b, loc, "BNPH", {{b1, b1Dims}}, {h, "BNPH"},
               [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                 Value v = arith::AddFOp::create(nb, nl, args[1],
                                                 ext(nb, nl, args[0]));
                 return buildActivation(nb, nl, act, v);
               });
  } else {
    // A fresh tensor, also in f32 when the f32 sum is kept for the
    // backward (writing over it would force a copy).
    h = einsum(b, loc, "BNPH", {{b1, b1Dims}, {h, "BNPH"}},
               {empty(b, loc, sizes, "BNPH", elemType), "BNPH"},
               [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                 Value v = arith::AddFOp::create(nb, nl, args[1],
                                                 ext(nb, nl, args[0]));
                 return round(nb, nl, buildActivation(nb, nl, act, v));
               });
  }

  // out[b,n,p,d] = sum_k h[b,n,p,k] * w2[n,k,d] + b2[n,d]
  Value o = einsum(b, loc, "BNPDH", {{h, "BNPH"}, {w2, role::w2.dims}},
                   {filled(b, loc, sizes, "BNPD", zero), "BNPD"}, macc);
  auto addBias = [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
    Value v = arith::AddFOp::create(nb, nl, args[0], ext(nb, nl, args[1]));
    return round(nb, nl, v);
  };
  Value out =
      elemType.isF32()
          ? einsum(b, loc, "BNPD", {{b2, role::b2.dims}}, {o, "BNPD"},
                   [&](OpBuilder &nb, Location nl, ValueRange args) {
                     return addBias(nb, nl, {args[1], args[0]});
                   })
          : einsum(b, loc, "BNPD", {{o, "BNPD"}, {b2, role::b2.dims}},
                   {empty(b, loc, sizes, "BNPD", elemType), "BNPD"}, addBias);
  return out;
}

} // namespace mlir::softmoe::lowering

namespace {

struct LowerExpertApply : OpRewritePattern<ExpertApplyOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ExpertApplyOp op,
                                PatternRewriter &rewriter) const override {
    if (!allRanked(op))
      return rewriter.notifyMatchFailure(op, "operands must be ranked");
    Value out = buildExpertApply(rewriter, op.getLoc(), op.getSlots(),
                                 op.getW1(), op.getB1(), op.getW2(),
                                 op.getB2(), op.getActivation());
    replaceWithCast(rewriter, op, out);
    return success();
  }
};

struct LowerCombine : OpRewritePattern<CombineOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(CombineOp op,
                                PatternRewriter &rewriter) const override {
    if (!allRanked(op))
      return rewriter.notifyMatchFailure(op, "operands must be ranked");
    // y[b,m,d] = sum_{n,p} c[b,m,n,p] * out[b,n,p,d], c a softmax over (n, p)
    // jointly, per token; masked tokens get all-zero weights, hence a zero
    // output row.
    lowerSoftmaxMix(rewriter, op, op.getLogits(), op.getMask(),
                    op.getExpertOut(), role::expertOut.dims, "BMNP", "BM",
                    "BMDNP", "BMD");
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Preconditions
//===----------------------------------------------------------------------===//

/// Each operand as the lowering needs its role (OperandRoles.h): ranked,
/// dense, of its rank and of an element type of its kind.
LogicalResult checkOperands(Operation *op, ArrayRef<RoledOperand> operands) {
  for (const RoledOperand &operand : operands) {
    const OperandRole &e = operand.role;
    Value value = operand.value;
    if (!value)
      continue;
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type)
      return op->emitOpError("cannot be lowered to linalg: ")
             << e.name << " must be a ranked tensor, but is "
             << value.getType();
    // An encoding (sparse, or anything else) changes what the buffer holds;
    // the einsums read plain dense storage, so they would be wrong.
    if (type.getEncoding())
      return op->emitOpError("cannot be lowered to linalg: ")
             << e.name << " has a tensor encoding (" << type.getEncoding()
             << "); only tensors without one are supported";
    if (type.getRank() != static_cast<int64_t>(e.dims.size()))
      return op->emitOpError("cannot be lowered to linalg: ")
             << e.name << " must have rank " << e.dims.size()
             << ", but has rank " << type.getRank();
    Type elem = type.getElementType();
    bool ok = e.kind == OperandKind::Mask ? elem.isInteger(1)
              : e.kind == OperandKind::Logits
                  ? elem.isF32()
                  : (elem.isF32() || elem.isBF16() || elem.isF16());
    if (!ok)
      return op->emitOpError("cannot be lowered to linalg: ")
             << e.name << " has unsupported element type " << elem
             << " (expected "
             << (e.kind == OperandKind::Mask     ? "i1"
                 : e.kind == OperandKind::Logits ? "f32"
                                                 : "f32, bf16 or f16")
             << ")";
  }
  for (Type t : op->getResultTypes()) {
    auto type = dyn_cast<RankedTensorType>(t);
    Type elem = type ? type.getElementType() : Type();
    if (!type || !(elem.isF32() || elem.isBF16() || elem.isF16()))
      return op->emitOpError("cannot be lowered to linalg: result must be a "
                             "ranked tensor of f32, bf16 or f16, but is ")
             << t;
    if (type.getEncoding())
      return op->emitOpError("cannot be lowered to linalg: the result has a "
                             "tensor encoding (")
             << type.getEncoding() << "); only tensors without one are "
             << "supported";
  }
  return success();
}

LogicalResult checkOp(Operation *op) {
  bool scaleMismatch = false;
  if (auto r = dyn_cast<RouterOp>(op))
    scaleMismatch = r.getNormalize() != static_cast<bool>(r.getScale());
  if (auto l = dyn_cast<LayerOp>(op))
    scaleMismatch = l.getNormalize() != static_cast<bool>(l.getScale());
  if (scaleMismatch)
    return op->emitOpError("cannot be lowered to linalg: normalize and the "
                           "scale operand must come together");
  if (!isa<RouterOp, DispatchOp, ExpertApplyOp, CombineOp, LayerOp>(op))
    return op->emitOpError("has no lowering to linalg");
  return checkOperands(op, operandRoles(op));
}

/// The letters of the tensors the lowering of `op` creates (f32 at most).
SmallVector<StringRef> createdTensors(Operation *op) {
  if (isa<RouterOp>(op))
    return {"BM", "BMD", "NP", "DNP", "BMNP"};
  if (isa<DispatchOp>(op))
    return {"BNP", "BMNP", "BNPD"};
  if (isa<ExpertApplyOp>(op))
    return {"BNPH", "BNPD", "BNPG"};
  if (isa<CombineOp>(op))
    return {"BM", "BMNP", "BMD"};
  return {"BM", "BMD", "NP", "DNP", "BMNP", "BNP", "BNPD", "BNPH", "BNPG"};
}

/// Static sizes whose tensors cannot be addressed: element counts and byte
/// sizes of the operands and of the tensors the lowering creates are
/// computed in index (i64) arithmetic, which would wrap silently, and the
/// allocation with it. Dynamic sizes are the caller's to check.
LogicalResult checkStaticSizes(Operation *op) {
  int64_t size[256];
  std::fill(std::begin(size), std::end(size), ShapedType::kDynamic);
  SmallVector<StringRef> tensors = createdTensors(op);
  for (const RoledOperand &o : operandRoles(op)) {
    if (!o.value)
      continue;
    tensors.push_back(o.role.dims);
    auto type = cast<RankedTensorType>(o.value.getType());
    for (auto [dim, letter] : llvm::enumerate(o.role.dims))
      if (!type.isDynamicDim(dim))
        size[static_cast<unsigned char>(letter)] = type.getDimSize(dim);
  }
  for (StringRef dims : tensors) {
    // 4 bytes per f32 element plus the allocator's 64-byte alignment slack.
    int64_t bytes = 4;
    bool overflow = false;
    for (char letter : dims) {
      int64_t s = size[static_cast<unsigned char>(letter)];
      if (ShapedType::isDynamic(s))
        s = 1;
      overflow |= llvm::MulOverflow(bytes, s, bytes);
    }
    overflow |= llvm::AddOverflow(bytes, int64_t(64), bytes);
    if (overflow)
      return op->emitOpError("cannot be lowered to linalg: its ")
             << dims << " tensor would hold more than 2^63 bytes";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

struct ConvertSoftMoEToLinalgPass
    : softmoe::impl::ConvertSoftMoEToLinalgBase<ConvertSoftMoEToLinalgPass> {
  void runOnOperation() override {
    Operation *root = getOperation();
    if (failed(checkSoftMoEToLinalgPreconditions(root)))
      return signalPassFailure();

    ConversionTarget target(getContext());
    target.addIllegalDialect<SoftMoEDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    populateSoftMoEToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(root, target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

LogicalResult
mlir::softmoe::checkSoftMoEToLinalgPreconditions(Operation *root) {
  bool ok = true;
  root->walk([&](Operation *op) {
    if (!isa_and_present<SoftMoEDialect>(op->getDialect()))
      return;
    // Operand lists the accessors cannot read are the verifier's to report
    // (its structural checks run before type inference). Then the kinds the
    // lowering relies on, then the op's own verifier for sizes that disagree
    // (IR built in C++ or parsed unverified gets here).
    if (!hasWellFormedOperandLists(op)) {
      if (succeeded(verify(op, /*verifyRecursively=*/false)))
        op->emitOpError("cannot be lowered to linalg: malformed operand list");
      ok = false;
      return;
    }
    if (failed(checkOp(op)) ||
        failed(verify(op, /*verifyRecursively=*/false)) ||
        failed(checkStaticSizes(op)))
      ok = false;
  });
  return success(ok);
}

void mlir::softmoe::populateSoftMoEToLinalgPatterns(
    RewritePatternSet &patterns) {
  populateDecomposeLayerPatterns(patterns);
  patterns.add<LowerRouter, LowerDispatch, LowerExpertApply, LowerCombine>(
      patterns.getContext());
}
