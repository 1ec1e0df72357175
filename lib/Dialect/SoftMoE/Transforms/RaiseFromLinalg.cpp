//===- RaiseFromLinalg.cpp - Soft MoE out of linalg/tensor/arith/math -----===//
//
// softmoe-raise-from-linalg: the Soft MoE stages of CONTRACT.md matched top
// down from the contractions that end them, over the tensor expressions of
// RaiseMatch.h. A whole layer becomes softmoe.layer; otherwise each stage
// whose computation matches becomes its stage op. docs/raising.md lists what
// is recognised and what is refused.
//
//===----------------------------------------------------------------------===//

#include "RaiseStages.h"

#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseSet.h"

#include <cmath>
#include <deque>

namespace mlir::softmoe {
#define GEN_PASS_DEF_SOFTMOERAISEFROMLINALG
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h.inc"
} // namespace mlir::softmoe

using namespace mlir;
using namespace mlir::softmoe;
using namespace mlir::softmoe::raise;

namespace {

//===----------------------------------------------------------------------===//
// What each stage matcher yields
//===----------------------------------------------------------------------===//

struct SoftmaxMatch {
  State st;
  const Expr *logits;
};

struct RouterMatch {
  State st;
  const Expr *logits; // the contraction's result, for reuse across stages
  const Expr *x, *phi;
  bool normalize = false;
  double eps = 1e-6;
  const Expr *scale = nullptr; // rank-0 leaf or constant; null means 1.0
};

struct DispatchMatch {
  State st;
  const Expr *logits, *x;
};

struct CombineMatch {
  State st;
  const Expr *logits, *out;
};

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

/// `w` is the softmax of some logits over exactly the letters `reduced`:
/// linalg.softmax, or exp(l - max(l)) / sum(exp(l - max(l))) spelled out.
static SmallVector<SoftmaxMatch, 2> matchSoftmax(ExprBuilder &b, const Expr *w,
                                              LetterMask reduced,
                                              const State &st) {
  SmallVector<SoftmaxMatch, 2> out;
  if (!w)
    return out;
  if (auto sm = dyn_cast_or_null<linalg::SoftmaxOp>(w->leafOp())) {
    const Layout &l = w->layout;
    uint64_t d = sm.getDimension();
    if (d >= l.size() || !lettersDistinct(l) ||
        maskOf(Layout{l[d]}) != reduced ||
        (maskOf(l) & ~maskOf(Layout{l[d]}) & reduced))
      return out;
    State s = st;
    if (const Expr *logits = b.inlineTensor(sm.getInput(), l, s))
      out.push_back({s, logits});
    return out;
  }
  // exp / sum, or exp * (1 / sum).
  const Expr *e = nullptr, *sum = nullptr;
  if (w->isOp(ExprOp::Div)) {
    e = w->args[0];
    sum = w->args[1];
  } else if (w->isOp(ExprOp::Mul)) {
    for (int i = 0; i < 2; ++i) {
      const Expr *r = w->args[i];
      if (r->isOp(ExprOp::Div) && r->args[0]->isConst(1.0)) {
        e = w->args[1 - i];
        sum = r->args[1];
      }
    }
  }
  if (!e || !e->isOp(ExprOp::Exp) || !e->args[0]->isOp(ExprOp::Sub))
    return out;
  const Expr *logits = e->args[0]->args[0], *max = e->args[0]->args[1];
  for (Reduction &rs : matchReduction(b, sum, ReduceKind::Add, reduced, st)) {
    if (!rs.init->isConst(0.0) || !exprEqual(rs.body, e))
      continue;
    for (Reduction &rm :
         matchReduction(b, max, ReduceKind::Max, reduced, rs.st)) {
      // -inf, or the lowest finite float as some frontends write it.
      bool lowest = rm.init->isConst() &&
                    (std::isinf(rm.init->cst) ? rm.init->cst < 0
                                              : rm.init->cst <= -3.0e38);
      if (lowest && exprEqual(rm.body, logits))
        out.push_back({rm.st, logits});
    }
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Router
//===----------------------------------------------------------------------===//

/// `v * rsqrt(sum_D v^2 + eps)` (or `v / sqrt(...)`), with any scalar factors
/// left over, read as a product of factors.
struct Normalized {
  State st;
  const Expr *v;
  double eps;
  SmallVector<const Expr *> scalars;
};

static std::optional<Normalized> matchL2Normalized(ExprBuilder &b,
                                                   const Expr *e,
                                                   const State &st) {
  SmallVector<const Expr *> num, den;
  flattenProduct(e, num, den);
  // The norm factor: rsqrt(s + eps) above the line or sqrt(s + eps) below.
  auto sumPlusEps = [](const Expr *x, const Expr *&sum) -> std::optional<double> {
    if (!x->isOp(ExprOp::Add))
      return std::nullopt;
    for (int i = 0; i < 2; ++i)
      if (x->args[i]->isConst() && x->args[1 - i]->isLeaf()) {
        sum = x->args[1 - i];
        return x->args[i]->cst;
      }
    return std::nullopt;
  };
  for (int side = 0; side < 2; ++side) {
    SmallVectorImpl<const Expr *> &list = side == 0 ? num : den;
    ExprOp want = side == 0 ? ExprOp::Rsqrt : ExprOp::Sqrt;
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i]->isOp(want))
        continue;
      const Expr *sum = nullptr;
      std::optional<double> eps = sumPlusEps(list[i]->args[0], sum);
      if (!eps || !(*eps > 0.0))
        continue;
      for (Reduction &r : matchReduction(b, sum, ReduceKind::Add, bit(LD), st)) {
        if (!r.init->isConst(0.0))
          continue;
        const Expr *v = nullptr;
        const Expr *sq = r.body;
        if (sq->isOp(ExprOp::Mul) && exprEqual(sq->args[0], sq->args[1]))
          v = sq->args[0];
        else if (sq->isOp(ExprOp::Pow) && sq->args[1]->isConst(2.0))
          v = sq->args[0];
        if (!v || !v->tensor)
          continue;
        // What is left once the norm factor and v's own factors are taken
        // out must be scalars.
        SmallVector<const Expr *> restNum(num), restDen(den);
        (side == 0 ? restNum : restDen).erase((side == 0 ? restNum : restDen).begin() + i);
        SmallVector<const Expr *> vNum, vDen;
        flattenProduct(v, vNum, vDen);
        auto take = [](SmallVectorImpl<const Expr *> &from, const Expr *x) {
          for (auto it = from.begin(); it != from.end(); ++it)
            if (exprEqual(*it, x)) {
              from.erase(it);
              return true;
            }
          return false;
        };
        bool ok = true;
        for (const Expr *x : vNum)
          ok = ok && take(restNum, x);
        for (const Expr *x : vDen)
          ok = ok && take(restDen, x);
        if (!ok || !restDen.empty() ||
            llvm::any_of(restNum, [](const Expr *x) { return x->letters; }))
          continue;
        return Normalized{r.st, v, *eps, restNum};
      }
    }
  }
  return std::nullopt;
}

/// `logits[b,m,n,p] = sum_d x[b,m,d] * phi[d,n,p]`, with x and phi
/// l2-normalised and phi scaled when both are and the epsilons agree.
static SmallVector<RouterMatch, 2> matchRouter(ExprBuilder &b, const Expr *logits,
                                            const State &st) {
  SmallVector<RouterMatch, 2> out;
  if (!logits || !logits->isLeaf())
    return out;
  for (Reduction &r :
       matchReduction(b, logits, ReduceKind::Add, bit(LD), st)) {
    if (!r.init->isConst(0.0))
      continue;
    auto ops = productOperands(r);
    if (!ops)
      continue;
    auto xp = byLetters(*ops, role::x.dims, role::phi.dims);
    if (!xp)
      continue;
    auto [x, phi] = *xp;
    RouterMatch m{r.st, logits, x, phi};
    auto nx = matchL2Normalized(b, x, r.st);
    auto np = nx ? matchL2Normalized(b, phi, nx->st) : std::nullopt;
    if (nx && np && static_cast<float>(nx->eps) == static_cast<float>(np->eps) &&
        tensorLetters(nx->v) == tensorLetters(x) &&
        tensorLetters(np->v) == tensorLetters(phi)) {
      SmallVector<const Expr *> scalars(nx->scalars);
      scalars.append(np->scalars);
      llvm::erase_if(scalars, [](const Expr *s) { return s->isConst(1.0); });
      if (scalars.size() <= 1) {
        m = RouterMatch{np->st, logits, nx->v, np->v, true, nx->eps,
                        scalars.empty() ? nullptr : scalars.front()};
      }
    }
    // Otherwise x and phi are whatever the contraction reads: the same math
    // without the normalize flag.
    out.push_back(std::move(m));
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Dispatch and combine
//===----------------------------------------------------------------------===//

static SmallVector<DispatchMatch, 2> matchDispatch(ExprBuilder &b,
                                                const Expr *slots,
                                                const State &st) {
  SmallVector<DispatchMatch, 2> out;
  for (Reduction &r : matchReduction(b, slots, ReduceKind::Add, bit(LM), st)) {
    if (!r.init->isConst(0.0))
      continue;
    auto ops = productOperands(r);
    auto wx = ops ? byLetters(*ops, "BMNP", role::x.dims) : std::nullopt;
    if (!wx)
      continue;
    for (SoftmaxMatch &sm : matchSoftmax(b, wx->first, bit(LM), r.st))
      out.push_back({sm.st, sm.logits, wx->second});
  }
  return out;
}

static SmallVector<CombineMatch, 2> matchCombine(ExprBuilder &b, const Expr *y,
                                              const State &st) {
  SmallVector<CombineMatch, 2> out;
  for (Reduction &r :
       matchReduction(b, y, ReduceKind::Add, bit(LN) | bit(LP), st)) {
    if (!r.init->isConst(0.0))
      continue;
    auto ops = productOperands(r);
    auto ce =
        ops ? byLetters(*ops, "BMNP", role::expertOut.dims) : std::nullopt;
    if (!ce)
      continue;
    for (SoftmaxMatch &sm :
         matchSoftmax(b, ce->first, bit(LN) | bit(LP), r.st))
      out.push_back({sm.st, sm.logits, ce->second});
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Building the softmoe ops
//===----------------------------------------------------------------------===//

/// Whether the tensor behind `e` can be reshaped and transposed into the
/// layout `target` (one letter per dimension, in that order).
static bool canMaterialize(const Expr *e, StringRef target, const State &st) {
  if (!e || !e->tensor || !lettersDistinct(e->layout) ||
      maskOf(e->layout) != maskOf(layoutOf(target)))
    return false;
  for (const Seq &seq : e->layout) {
    int dynamic = 0;
    for (Letter l : seq) {
      if (st.size(l) == State::kUnbound)
        return false;
      dynamic += ShapedType::isDynamic(st.size(l));
    }
    if (seq.size() > 1 && dynamic > 1)
      return false;
  }
  return true;
}

/// The tensor behind `e` as a tensor with the letters of `target` in order:
/// unit dimensions collapsed away, collapsed letters expanded, then a
/// transpose.
static Value materialize(OpBuilder &b, Location loc, const Expr *e,
                         StringRef target, const State &st) {
  Value v = e->tensor;
  Layout l = e->layout;
  Type elem = cast<RankedTensorType>(v.getType()).getElementType();
  if (llvm::any_of(l, [](const Seq &s) { return s.empty(); })) {
    SmallVector<ReassociationIndices> groups;
    ReassociationIndices pendingUnits;
    Layout kept;
    for (auto [i, seq] : llvm::enumerate(l)) {
      pendingUnits.push_back(i);
      if (seq.empty())
        continue;
      groups.push_back(pendingUnits);
      pendingUnits.clear();
      kept.push_back(seq);
    }
    if (!groups.empty())
      groups.back().append(pendingUnits.begin(), pendingUnits.end());
    v = tensor::CollapseShapeOp::create(b, loc, v, groups);
    l = kept;
  }
  if (llvm::any_of(l, [](const Seq &s) { return s.size() > 1; })) {
    SmallVector<ReassociationIndices> groups;
    SmallVector<int64_t> shape;
    Layout single;
    for (const Seq &seq : l) {
      ReassociationIndices g;
      for (Letter letter : seq) {
        g.push_back(shape.size());
        shape.push_back(st.size(letter));
        single.push_back({letter});
      }
      groups.push_back(g);
    }
    v = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(shape, elem), v, groups);
    l = single;
  }
  SmallVector<int64_t> perm;
  for (char c : target)
    for (auto [i, seq] : llvm::enumerate(l))
      if (letterChar(seq.front()) == c)
        perm.push_back(i);
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return v;
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, v);
  SmallVector<OpFoldResult> permuted;
  for (int64_t p : perm)
    permuted.push_back(sizes[p]);
  Value init = tensor::EmptyOp::create(b, loc, permuted, elem);
  return linalg::TransposeOp::create(b, loc, v, init, perm)->getResult(0);
}

/// The checks the softmoe ops' type inference makes, made before building one
/// so that a mismatch ends the rewrite instead of the process.
static bool operandsAgree(ArrayRef<std::pair<Value, StringRef>> roles,
                          bool firstIsLogits) {
  std::array<int64_t, 256> sizes;
  sizes.fill(ShapedType::kDynamic);
  Type data;
  for (auto [i, role] : llvm::enumerate(roles)) {
    auto [v, letters] = role;
    if (!v)
      continue;
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t || t.getRank() != static_cast<int64_t>(letters.size()))
      return false;
    Type elem = t.getElementType();
    if (i == 0 && firstIsLogits) {
      if (!elem.isF32())
        return false;
    } else {
      if (!elem.isF32() && !elem.isBF16() && !elem.isF16())
        return false;
      if (data && data != elem)
        return false;
      data = elem;
    }
    for (auto [d, c] : llvm::enumerate(letters)) {
      int64_t s = t.getDimSize(d);
      int64_t &bound = sizes[static_cast<unsigned char>(c)];
      if (ShapedType::isDynamic(s))
        continue;
      if (!ShapedType::isDynamic(bound) && bound != s)
        return false;
      bound = s;
    }
  }
  // A gated expert's first layer is 2H (G) wide.
  int64_t g = sizes['G'], h = sizes['H'];
  if (!ShapedType::isDynamic(g) &&
      (g % 2 != 0 || (!ShapedType::isDynamic(h) && g != 2 * h)))
    return false;
  return true;
}

/// One way to raise what ends at a seed: the stages that matched.
struct Plan {
  State st;
  CombineMatch *combine = nullptr;
  RouterMatch *routerC = nullptr;
  ExpertMatch *expert = nullptr;
  DispatchMatch *dispatch = nullptr;
  RouterMatch *routerD = nullptr;
  bool layer = false;
  int score = -1;
};

static bool sameScale(const Expr *a, const Expr *b) {
  if (!a || !b)
    return !a && !b;
  return exprEqual(a, b);
}

static bool sameRouter(const RouterMatch &a, const RouterMatch &b) {
  return exprEqual(a.x, b.x) && exprEqual(a.phi, b.phi) &&
         a.normalize == b.normalize &&
         static_cast<float>(a.eps) == static_cast<float>(b.eps) &&
         sameScale(a.scale, b.scale);
}

class Raiser {
public:
  explicit Raiser(DenseSet<Operation *> &erased) : erased(erased) {}

  /// A rank-3 value: the combine contraction that ends a layer.
  bool raiseFromCombine(Value y);
  /// A rank-4 value: a dispatch contraction on its own.
  bool raiseFromDispatch(Value slots);

private:
  bool routerOk(const RouterMatch &r, const State &st) {
    return canMaterialize(r.x, role::x.dims, st) &&
           canMaterialize(r.phi, role::phi.dims, st) &&
           (!r.scale || r.scale->isConst() ||
            (r.scale->isLeaf() && r.scale->layout.empty()));
  }
  Value buildRouter(OpBuilder &b, Location loc, const RouterMatch &r,
                    const State &st);
  Value scaleValue(OpBuilder &b, Location loc, const RouterMatch &r,
                   Type elem);
  Value logitsOf(OpBuilder &b, Location loc, RouterMatch *r,
                 const Expr *logits, const State &st);
  void replace(Value old, Value repl, OpBuilder &b);
  void eraseDeadChain(Operation *op);
  void rollback(ArrayRef<Operation *> created);

  DenseSet<Operation *> &erased;
  /// Router ops already built, by the contraction they replace.
  DenseMap<Operation *, Value> routers;
};

Value Raiser::scaleValue(OpBuilder &b, Location loc, const RouterMatch &r,
                         Type elem) {
  if (!r.normalize)
    return {};
  if (r.scale && r.scale->isLeaf())
    return r.scale->tensor;
  double c = r.scale ? r.scale->cst : 1.0;
  auto type = RankedTensorType::get({}, elem);
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getFloatAttr(elem, c)));
}

Value Raiser::buildRouter(OpBuilder &b, Location loc, const RouterMatch &r,
                          const State &st) {
  // One router per contraction, placed right after it so that every stage
  // that reads those logits can use it.
  Operation *contraction = r.logits->leafOp();
  auto it = routers.find(contraction);
  if (it != routers.end())
    return it->second;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointAfter(contraction);
  Value x = materialize(b, loc, r.x, role::x.dims, st);
  Value phi = materialize(b, loc, r.phi, role::phi.dims, st);
  Type elem = cast<RankedTensorType>(x.getType()).getElementType();
  Value scale = scaleValue(b, loc, r, elem);
  if (!operandsAgree(
          {{x, role::x.dims}, {phi, role::phi.dims}, {scale, role::scale.dims}},
          false))
    return {};
  Value logits = RouterOp::create(b, loc, x, phi, scale, r.normalize,
                                  APFloat(static_cast<float>(r.eps)));
  routers[contraction] = logits;
  return logits;
}

Value Raiser::logitsOf(OpBuilder &b, Location loc, RouterMatch *r,
                       const Expr *logits, const State &st) {
  if (r)
    return buildRouter(b, loc, *r, st);
  return materialize(b, loc, logits, role::logits.dims, st);
}

void Raiser::replace(Value old, Value repl, OpBuilder &b) {
  if (repl.getType() != old.getType())
    repl = tensor::CastOp::create(b, repl.getLoc(), old.getType(), repl);
  Operation *def = old.getDefiningOp();
  old.replaceAllUsesWith(repl);
  eraseDeadChain(def);
}

/// Erases `op` and then every producer that only it kept alive.
void Raiser::eraseDeadChain(Operation *op) {
  SmallVector<Operation *> work{op};
  while (!work.empty()) {
    Operation *o = work.pop_back_val();
    if (erased.contains(o) || !isOpTriviallyDead(o))
      continue;
    // Producers of the operands, and of values the payload captures from
    // above (constants, tensor.extract of a scale).
    o->walk([&](Operation *nested) {
      for (Value v : nested->getOperands())
        if (Operation *d = v.getDefiningOp(); d && !o->isAncestor(d))
          work.push_back(d);
    });
    // Ops nested in `o` go with it; the pass's list of seeds holds none of
    // them, but make sure.
    o->walk([&](Operation *nested) { erased.insert(nested); });
    routers.erase(o);
    for (auto it = routers.begin(); it != routers.end();) {
      auto cur = it++;
      if (cur->second.getDefiningOp() == o)
        routers.erase(cur);
    }
    o->erase();
  }
}

/// Undoes a rewrite that stopped half way: the ops it created, newest first.
void Raiser::rollback(ArrayRef<Operation *> created) {
  for (Operation *op : llvm::reverse(created))
    if (op->use_empty())
      eraseDeadChain(op);
}

/// Records the ops a rewrite creates, for rollback.
struct CreatedOps : OpBuilder::Listener {
  SmallVector<Operation *> ops;
  void notifyOperationInserted(Operation *op,
                               OpBuilder::InsertPoint) override {
    ops.push_back(op);
  }
};

/// Caps the plans tried at one seed; real layers have a handful.
constexpr int kMaxPlans = 512;

bool Raiser::raiseFromCombine(Value yv) {
  ExprBuilder eb;
  State st0;
  const Expr *y = eb.inlineTensor(yv, layoutOf("BMD"), st0);
  if (!y || !y->isLeaf())
    return false;
  SmallVector<CombineMatch, 2> combines = matchCombine(eb, y, st0);
  if (combines.empty())
    return false;

  // Every match is kept alive here; plans point into these lists.
  std::deque<SmallVector<RouterMatch, 2>> routerLists;
  std::deque<SmallVector<ExpertMatch, 2>> expertLists;
  std::deque<SmallVector<DispatchMatch, 2>> dispatchLists;
  Plan best;
  int tried = 0;

  auto consider = [&](Plan p) {
    if (++tried > kMaxPlans || !p.st.finalize())
      return;
    const State &s = p.st;
    if (!p.routerC && !canMaterialize(p.combine->logits, role::logits.dims, s))
      return;
    if (p.routerC && !routerOk(*p.routerC, s))
      return;
    if (!p.expert && !canMaterialize(p.combine->out, role::expertOut.dims, s))
      return;
    if (p.expert) {
      ExpertMatch &e = *p.expert;
      if (!canMaterialize(e.w1, role::w1(e.act).dims, s) ||
          !canMaterialize(e.b1, role::b1(e.act).dims, s) ||
          !canMaterialize(e.w2, role::w2.dims, s) ||
          !canMaterialize(e.b2, role::b2.dims, s))
        return;
      if (!p.dispatch && !canMaterialize(e.slots, role::slots.dims, s))
        return;
    }
    if (p.dispatch) {
      if (!canMaterialize(p.dispatch->x, role::x.dims, s))
        return;
      if (!p.routerD &&
          !canMaterialize(p.dispatch->logits, role::logits.dims, s))
        return;
      if (p.routerD && !routerOk(*p.routerD, s))
        return;
    }
    p.layer = p.routerC && p.expert && p.dispatch && p.routerD &&
              sameRouter(*p.routerC, *p.routerD) &&
              exprEqual(p.dispatch->x, p.routerC->x);
    p.score = p.layer ? 100
                      : 1 + !!p.routerC + !!p.expert + !!p.dispatch +
                            !!p.routerD;
    if (p.score > best.score)
      best = std::move(p);
  };

  for (CombineMatch &c : combines) {
    routerLists.push_back(matchRouter(eb, c.logits, c.st));
    SmallVector<RouterMatch, 2> &rcs = routerLists.back();
    for (int ri = -1; ri < static_cast<int>(rcs.size()); ++ri) {
      RouterMatch *rc = ri < 0 ? nullptr : &rcs[ri];
      const State &s1 = rc ? rc->st : c.st;
      expertLists.push_back(matchExpert(eb, c.out, s1));
      SmallVector<ExpertMatch, 2> &exs = expertLists.back();
      consider(Plan{s1, &c, rc});
      for (ExpertMatch &ex : exs) {
        consider(Plan{ex.st, &c, rc, &ex});
        dispatchLists.push_back(matchDispatch(eb, ex.slots, ex.st));
        for (DispatchMatch &d : dispatchLists.back()) {
          consider(Plan{d.st, &c, rc, &ex, &d});
          routerLists.push_back(matchRouter(eb, d.logits, d.st));
          for (RouterMatch &rd : routerLists.back())
            consider(Plan{rd.st, &c, rc, &ex, &d, &rd});
        }
      }
    }
  }
  if (best.score < 0)
    return false;

  Operation *anchor = yv.getDefiningOp();
  Location loc = anchor->getLoc();
  CreatedOps created;
  OpBuilder b(anchor, &created);
  const State &s = best.st;
  Value result;
  auto fail = [&] {
    rollback(created.ops);
    return false;
  };
  if (best.layer) {
    RouterMatch &r = *best.routerC;
    ExpertMatch &e = *best.expert;
    Value x = materialize(b, loc, r.x, role::x.dims, s);
    Value phi = materialize(b, loc, r.phi, role::phi.dims, s);
    Value w1 = materialize(b, loc, e.w1, role::w1(e.act).dims, s);
    Value b1 = materialize(b, loc, e.b1, role::b1(e.act).dims, s);
    Value w2 = materialize(b, loc, e.w2, role::w2.dims, s);
    Value b2 = materialize(b, loc, e.b2, role::b2.dims, s);
    Type elem = cast<RankedTensorType>(x.getType()).getElementType();
    Value scale = scaleValue(b, loc, r, elem);
    if (!operandsAgree({{x, role::x.dims},
                        {phi, role::phi.dims},
                        {w1, role::w1(e.act).dims},
                        {b1, role::b1(e.act).dims},
                        {w2, role::w2.dims},
                        {b2, role::b2.dims},
                        {scale, role::scale.dims},
                        {yv, "BMD"}},
                       false))
      return fail();
    result = LayerOp::create(b, loc, x, phi, w1, b1, w2, b2, scale, Value(),
                             r.normalize, APFloat(static_cast<float>(r.eps)),
                             e.act);
  } else {
    Value logits = logitsOf(b, loc, best.routerC, best.combine->logits, s);
    Value out;
    if (best.expert) {
      ExpertMatch &e = *best.expert;
      Value slots;
      if (best.dispatch) {
        Value dl = logitsOf(b, loc, best.routerD, best.dispatch->logits, s);
        Value x = materialize(b, loc, best.dispatch->x, role::x.dims, s);
        if (!dl ||
            !operandsAgree({{dl, role::logits.dims}, {x, role::x.dims}}, true))
          return fail();
        slots = DispatchOp::create(b, loc, dl, x, Value());
      } else {
        slots = materialize(b, loc, e.slots, role::slots.dims, s);
      }
      Value w1 = materialize(b, loc, e.w1, role::w1(e.act).dims, s);
      Value b1 = materialize(b, loc, e.b1, role::b1(e.act).dims, s);
      Value w2 = materialize(b, loc, e.w2, role::w2.dims, s);
      Value b2 = materialize(b, loc, e.b2, role::b2.dims, s);
      if (!operandsAgree({{slots, role::slots.dims},
                          {w1, role::w1(e.act).dims},
                          {b1, role::b1(e.act).dims},
                          {w2, role::w2.dims},
                          {b2, role::b2.dims}},
                         false))
        return fail();
      out = ExpertApplyOp::create(b, loc, slots, w1, b1, w2, b2, e.act);
    } else {
      out = materialize(b, loc, best.combine->out, role::expertOut.dims, s);
    }
    if (!logits || !operandsAgree({{logits, role::logits.dims},
                                   {out, role::expertOut.dims},
                                   {yv, "BMD"}},
                                  true))
      return fail();
    result = CombineOp::create(b, loc, logits, out, Value());
  }
  replace(yv, result, b);
  return true;
}

bool Raiser::raiseFromDispatch(Value sv) {
  ExprBuilder eb;
  State st0;
  const Expr *slots = eb.inlineTensor(sv, layoutOf("BNPD"), st0);
  if (!slots || !slots->isLeaf())
    return false;
  SmallVector<DispatchMatch, 2> ds = matchDispatch(eb, slots, st0);
  std::deque<SmallVector<RouterMatch, 2>> routerLists;
  DispatchMatch *bestD = nullptr;
  RouterMatch *bestR = nullptr;
  State bestSt;
  for (DispatchMatch &d : ds) {
    routerLists.push_back(matchRouter(eb, d.logits, d.st));
    for (RouterMatch &r : routerLists.back()) {
      State s = r.st;
      if (s.finalize() && routerOk(r, s) &&
          canMaterialize(d.x, role::x.dims, s)) {
        bestD = &d;
        bestR = &r;
        bestSt = s;
        break;
      }
    }
    if (bestR)
      break;
    State s = d.st;
    if (!bestD && s.finalize() && canMaterialize(d.x, role::x.dims, s) &&
        canMaterialize(d.logits, role::logits.dims, s)) {
      bestD = &d;
      bestSt = s;
    }
  }
  if (!bestD)
    return false;
  Operation *anchor = sv.getDefiningOp();
  Location loc = anchor->getLoc();
  CreatedOps created;
  OpBuilder b(anchor, &created);
  Value logits = logitsOf(b, loc, bestR, bestD->logits, bestSt);
  Value x = materialize(b, loc, bestD->x, role::x.dims, bestSt);
  if (!logits ||
      !operandsAgree(
          {{logits, role::logits.dims}, {x, role::x.dims}, {sv, "BNPD"}},
          true)) {
    rollback(created.ops);
    return false;
  }
  replace(sv, DispatchOp::create(b, loc, logits, x, Value()), b);
  return true;
}

struct SoftMoERaiseFromLinalgPass
    : softmoe::impl::SoftMoERaiseFromLinalgBase<SoftMoERaiseFromLinalgPass> {
  void runOnOperation() override {
    // The seeds: results that may end a layer or a dispatch.
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (op->getNumResults() == 1 &&
          isa<linalg::LinalgOp, tensor::ExpandShapeOp, tensor::CollapseShapeOp,
              tensor::CastOp>(op))
        ops.push_back(op);
    });
    DenseSet<Operation *> erased;
    Raiser raiser(erased);
    // Later ops first: the outermost view of a result is met before the
    // contraction under it, and a layer's end before its beginning.
    for (Operation *op : llvm::reverse(ops)) {
      if (erased.contains(op))
        continue;
      Value v = op->getResult(0);
      auto type = dyn_cast<RankedTensorType>(v.getType());
      if (!type)
        continue;
      if (type.getRank() == 3)
        raiser.raiseFromCombine(v);
      else if (type.getRank() == 4)
        raiser.raiseFromDispatch(v);
    }
  }
};

} // namespace
