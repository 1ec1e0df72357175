//===- RaiseExperts.cpp - The expert MLP out of linalg --------------------===//
//
// softmoe-raise-from-linalg's expert matcher, and the helpers every stage
// matcher shares (RaiseStages.h). The activation is identified numerically
// against the project's one definition of each (Activation.h): the payload
// between the two contractions is evaluated on a grid and compared with
// every candidate. Gated activations (geglu, swiglu) read the two halves of
// the first layer's result through tensor.extract_slice (PyTorch's
// `x, gate = u.chunk(2, dim=-1)`): `a * f(gate)` with `a` the first half.
//
//===----------------------------------------------------------------------===//

#include "RaiseStages.h"

#include "softmoe/Dialect/SoftMoE/IR/Activation.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::softmoe;
using namespace mlir::softmoe::raise;

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

LetterMask raise::tensorLetters(const Expr *e) {
  return e && e->tensor ? maskOf(e->layout) : 0;
}

bool raise::isPureLeaf(const Expr *e, StringRef letters) {
  return e && e->isLeaf() && lettersDistinct(e->layout) &&
         maskOf(e->layout) == maskOf(layoutOf(letters));
}

std::optional<std::pair<const Expr *, const Expr *>>
raise::productOperands(const Reduction &r) {
  if (r.operands.size() != 3 || !r.body->isOp(ExprOp::Mul))
    return std::nullopt;
  const Expr *a = r.operands[0], *b = r.operands[1];
  if (!a || !b)
    return std::nullopt;
  const Expr *l = r.body->args[0], *rr = r.body->args[1];
  if ((l == a && rr == b) || (l == b && rr == a))
    return std::make_pair(a, b);
  return std::nullopt;
}

std::optional<std::pair<const Expr *, const Expr *>>
raise::byLetters(std::pair<const Expr *, const Expr *> ops, StringRef first,
                 StringRef second) {
  LetterMask f = maskOf(layoutOf(first)), s = maskOf(layoutOf(second));
  auto fits = [](const Expr *e, LetterMask m) {
    return e->tensor && lettersDistinct(e->layout) && tensorLetters(e) == m;
  };
  if (fits(ops.first, f) && fits(ops.second, s))
    return ops;
  if (fits(ops.second, f) && fits(ops.first, s))
    return std::make_pair(ops.second, ops.first);
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Telling the activations apart
//===----------------------------------------------------------------------===//

namespace {

/// Pre-activation values that tell the contract's activations apart
/// (gelu_tanh and gelu_erf differ by 1e-4 and more around |x| = 2).
constexpr double kGrid[] = {-7.5, -4.0, -2.6, -1.7, -1.1, -0.55, -0.2, 0.0,
                            0.15, 0.45, 0.9,  1.4,  2.1,  2.9,   4.2,  7.0};

/// The candidates still alive after comparing `value` with `reference`.
void keepMatching(SmallVectorImpl<Activation> &alive, double value,
                  function_ref<double(Activation)> reference) {
  llvm::erase_if(alive, [&](Activation a) {
    double ref = reference(a);
    return std::fabs(value - ref) > 1e-5 * std::max(1.0, std::fabs(ref));
  });
}

SmallVector<Activation> candidates(bool gated) {
  SmallVector<Activation> v;
  for (Activation a : allActivations())
    if (isGated(a) == gated)
      v.push_back(a);
  return v;
}

/// Which plain activation `act` computes from the contraction `pre` plus
/// the bias `bias` (null when the bias is in the contraction's init).
std::optional<Activation> classifyPlain(const Expr *act, const Expr *pre,
                                        const Expr *bias) {
  static const double bs[] = {-0.4, 0.0, 0.3};
  static const double none[] = {0.0};
  SmallVector<Activation> alive = candidates(/*gated=*/false);
  for (double bv : bias ? ArrayRef<double>(bs) : ArrayRef<double>(none)) {
    for (double xv : kGrid) {
      double o = xv - bv;
      std::optional<double> f =
          evaluate(act, [&](const Expr *leaf) -> std::optional<double> {
            if (exprEqual(leaf, pre))
              return o;
            if (bias && exprEqual(leaf, bias))
              return bv;
            return std::nullopt;
          });
      if (!f || !std::isfinite(*f))
        return std::nullopt;
      keepMatching(alive, *f,
                   [&](Activation a) { return activationValue(a, xv); });
    }
  }
  if (alive.size() != 1)
    return std::nullopt;
  return alive.front();
}

/// Which gated activation `act` computes from the halves `a` and `g`.
std::optional<Activation> classifyGated(const Expr *act, const Expr *a,
                                        const Expr *g) {
  static const double as[] = {-1.3, 0.7, 2.0};
  SmallVector<Activation> alive = candidates(/*gated=*/true);
  for (double av : as) {
    for (double gv : kGrid) {
      std::optional<double> f =
          evaluate(act, [&](const Expr *leaf) -> std::optional<double> {
            if (exprEqual(leaf, a))
              return av;
            if (exprEqual(leaf, g))
              return gv;
            return std::nullopt;
          });
      if (!f || !std::isfinite(*f))
        return std::nullopt;
      keepMatching(alive, *f, [&](Activation c) {
        return hiddenActivationValue(c, av, gv);
      });
    }
  }
  if (alive.size() != 1)
    return std::nullopt;
  return alive.front();
}

//===----------------------------------------------------------------------===//
// The first layer
//===----------------------------------------------------------------------===//

/// The activation's inputs: the first contraction (letters `pre`) and maybe
/// the bias b1 (letters `bias`) added after it, the leaves of `e`.
struct FirstLayer {
  const Expr *pre = nullptr, *b1Add = nullptr;
};

std::optional<FirstLayer> firstLayerLeaves(const Expr *e, StringRef pre,
                                           StringRef bias) {
  FirstLayer f;
  bool stray = false;
  forEachLeaf(e, [&](const Expr *leaf) {
    LetterMask m = maskOf(leaf->layout);
    if (m == maskOf(layoutOf(pre)) && !f.pre)
      f.pre = leaf;
    else if (isPureLeaf(leaf, bias) && !f.b1Add)
      f.b1Add = leaf;
    else
      stray = true;
  });
  if (stray || !f.pre)
    return std::nullopt;
  return f;
}

/// Completes the expert once the activation is known: `f.pre` must be
/// `slots @ w1` (w1 with the letters `w1Letters`), b1 added after it or as
/// its init.
void matchFirstContraction(ExprBuilder &b, const FirstLayer &f,
                           const State &st, Activation act, const Expr *w2,
                           const Expr *b2,
                           SmallVectorImpl<ExpertMatch> &res) {
  StringRef w1Letters = role::w1(act).dims, b1Letters = role::b1(act).dims;
  for (Reduction &r1 :
       matchReduction(b, f.pre, ReduceKind::Add, bit(LD), st)) {
    const Expr *b1 = f.b1Add;
    if (b1 ? !r1.init->isConst(0.0) : !isPureLeaf(r1.init, b1Letters))
      continue;
    if (!b1)
      b1 = r1.init;
    auto ops1 = productOperands(r1);
    auto sw =
        ops1 ? byLetters(*ops1, role::slots.dims, w1Letters) : std::nullopt;
    if (!sw || !isPureLeaf(sw->second, w1Letters))
      continue;
    res.push_back({r1.st, sw->first, sw->second, b1, w2, b2, act});
  }
}

/// One half of a gated expert's first layer: `leaf` reads
/// `source[..., offset : offset + H, ...]` along dimension `dim` (the one
/// that holds H), every other dimension whole.
struct Half {
  Value source;
  unsigned dim;
  int64_t offset, size;
};

std::optional<Half> halfOf(const Expr *leaf) {
  auto slice = dyn_cast_or_null<tensor::ExtractSliceOp>(leaf->leafOp());
  if (!slice || slice.getSourceType().getRank() !=
                    slice.getResultType().getRank())
    return std::nullopt;
  RankedTensorType src = slice.getSourceType(), res = slice.getResultType();
  std::optional<unsigned> hDim;
  for (auto [d, seq] : llvm::enumerate(leaf->layout)) {
    if (!llvm::is_contained(seq, LH))
      continue;
    if (hDim || seq.size() != 1)
      return std::nullopt;
    hDim = d;
  }
  if (!hDim)
    return std::nullopt;
  ArrayRef<int64_t> offsets = slice.getStaticOffsets();
  ArrayRef<int64_t> strides = slice.getStaticStrides();
  for (int64_t d = 0; d < src.getRank(); ++d) {
    if (strides[d] != 1 || ShapedType::isDynamic(offsets[d]))
      return std::nullopt;
    if (d == static_cast<int64_t>(*hDim))
      continue;
    // Whole: from 0, as large as the source (dynamic where it is).
    if (offsets[d] != 0 || src.isDynamicDim(d) != res.isDynamicDim(d) ||
        (!src.isDynamicDim(d) && src.getDimSize(d) != res.getDimSize(d)))
      return std::nullopt;
  }
  int64_t full = src.getDimSize(*hDim), half = res.getDimSize(*hDim);
  if (ShapedType::isDynamic(full) || ShapedType::isDynamic(half) ||
      full != 2 * half ||
      (offsets[*hDim] != 0 && offsets[*hDim] != half))
    return std::nullopt;
  return Half{slice.getSource(), *hDim, offsets[*hDim], half};
}

/// `act` is a gated activation of the halves of `u = slots @ w1 + b1`.
void matchGated(ExprBuilder &b, const Expr *act, const State &st,
                const Expr *w2, const Expr *b2,
                SmallVectorImpl<ExpertMatch> &res) {
  SmallVector<const Expr *, 2> leaves;
  forEachLeaf(act, [&](const Expr *leaf) { leaves.push_back(leaf); });
  if (leaves.size() != 2 || leaves[0]->layout != leaves[1]->layout ||
      maskOf(leaves[0]->layout) != maskOf(layoutOf("BNPH")))
    return;
  std::optional<Half> h0 = halfOf(leaves[0]), h1 = halfOf(leaves[1]);
  if (!h0 || !h1 || h0->source != h1->source || h0->dim != h1->dim ||
      h0->offset == h1->offset)
    return;
  // a is the first half, the gate the second.
  const Expr *a = leaves[0], *g = leaves[1];
  if (h0->offset != 0)
    std::swap(a, g);
  std::optional<Activation> kind = classifyGated(act, a, g);
  if (!kind)
    return;
  Layout uLayout = leaves[0]->layout;
  uLayout[h0->dim] = Seq{LG};
  State s = st;
  if (!s.bindDim(h0->size, {LH}) || !s.bindDim(2 * h0->size, {LG}))
    return;
  const Expr *u = b.inlineTensor(h0->source, uLayout, s);
  if (!u)
    return;
  std::optional<FirstLayer> f = firstLayerLeaves(u, "BNPG", "NG");
  if (!f)
    return;
  // u must be the contraction, or the contraction plus b1.
  if (f->b1Add ? !(u->isOp(ExprOp::Add) &&
                   ((exprEqual(u->args[0], f->pre) &&
                     exprEqual(u->args[1], f->b1Add)) ||
                    (exprEqual(u->args[1], f->pre) &&
                     exprEqual(u->args[0], f->b1Add))))
               : !exprEqual(u, f->pre))
    return;
  matchFirstContraction(b, *f, s, *kind, w2, b2, res);
}

} // namespace

//===----------------------------------------------------------------------===//
// The expert MLP
//===----------------------------------------------------------------------===//

SmallVector<ExpertMatch, 2> raise::matchExpert(ExprBuilder &b, const Expr *out,
                                               const State &st) {
  SmallVector<ExpertMatch, 2> res;
  if (!out)
    return res;
  SmallVector<std::pair<const Expr *, const Expr *>, 2> forms; // (o2, b2)
  if (out->isLeaf())
    forms.push_back({out, nullptr});
  else if (out->isOp(ExprOp::Add))
    for (int i = 0; i < 2; ++i)
      if (out->args[i]->isLeaf() && isPureLeaf(out->args[1 - i], role::b2.dims))
        forms.push_back({out->args[i], out->args[1 - i]});

  for (auto [o2, b2Add] : forms) {
    for (Reduction &r2 :
         matchReduction(b, o2, ReduceKind::Add, bit(LH), st)) {
      const Expr *b2 = b2Add;
      if (b2 ? !r2.init->isConst(0.0) : !isPureLeaf(r2.init, role::b2.dims))
        continue;
      if (!b2)
        b2 = r2.init;
      auto ops = productOperands(r2);
      auto aw = ops ? byLetters(*ops, "BNPH", role::w2.dims) : std::nullopt;
      if (!aw || !isPureLeaf(aw->second, role::w2.dims))
        continue;
      const Expr *act = aw->first, *w2 = aw->second;
      if (std::optional<FirstLayer> f = firstLayerLeaves(act, "BNPH", "NH")) {
        if (std::optional<Activation> kind =
                classifyPlain(act, f->pre, f->b1Add))
          matchFirstContraction(b, *f, r2.st, *kind, w2, b2, res);
        continue;
      }
      matchGated(b, act, r2.st, w2, b2, res);
    }
  }
  return res;
}
