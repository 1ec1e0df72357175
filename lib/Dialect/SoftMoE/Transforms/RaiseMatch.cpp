//===- RaiseMatch.cpp - Tensor expressions over contract letters ----------===//

#include "RaiseMatch.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <functional>

using namespace mlir;
using namespace mlir::softmoe;
using namespace mlir::softmoe::raise;

//===----------------------------------------------------------------------===//
// Letters and layouts
//===----------------------------------------------------------------------===//

char raise::letterChar(Letter l) { return "BMDNPHG"[l]; }

Layout raise::layoutOf(StringRef letters) {
  Layout layout;
  for (char c : letters) {
    size_t i = StringRef("BMDNPHG").find(c);
    assert(i != StringRef::npos && "not a contract letter");
    layout.push_back(Seq{static_cast<Letter>(i)});
  }
  return layout;
}

LetterMask raise::maskOf(const Layout &layout) {
  LetterMask m = 0;
  for (const Seq &s : layout)
    for (Letter l : s)
      m |= bit(l);
  return m;
}

bool raise::lettersDistinct(const Layout &layout) {
  LetterMask m = 0;
  for (const Seq &s : layout)
    for (Letter l : s) {
      if (m & bit(l))
        return false;
      m |= bit(l);
    }
  return true;
}

std::string raise::layoutStr(const Layout &layout) {
  std::string s;
  for (const Seq &seq : layout) {
    s += '[';
    for (auto [i, l] : llvm::enumerate(seq)) {
      if (i)
        s += ',';
      s += letterChar(l);
    }
    s += ']';
  }
  return s;
}

//===----------------------------------------------------------------------===//
// State
//===----------------------------------------------------------------------===//

bool State::checkProduct(ArrayRef<Letter> seq, int64_t dimSize, bool final) {
  if (ShapedType::isDynamic(dimSize))
    return true;
  int64_t prod = 1;
  SmallVector<Letter> open; // unbound or dynamic letters
  bool unbound = false;
  for (Letter l : seq) {
    int64_t s = sizes[l];
    if (s == kUnbound || ShapedType::isDynamic(s)) {
      open.push_back(l);
      unbound |= s == kUnbound;
    } else {
      prod *= s;
    }
  }
  if (open.empty())
    return prod == dimSize;
  if (prod == 0 || dimSize % prod != 0)
    return false;
  if (open.size() == 1) {
    sizes[open.front()] = dimSize / prod;
    return true;
  }
  if (final)
    return !unbound;
  pending.push_back({Seq(seq.begin(), seq.end()), dimSize});
  return true;
}

bool State::bindDim(int64_t dimSize, ArrayRef<Letter> seq) {
  if (seq.empty())
    return dimSize == 1 || ShapedType::isDynamic(dimSize);
  if (seq.size() > 1)
    return checkProduct(seq, dimSize, /*final=*/false);
  int64_t &cur = sizes[seq.front()];
  if (ShapedType::isDynamic(dimSize)) {
    if (cur == kUnbound)
      cur = ShapedType::kDynamic;
    return true;
  }
  if (cur == kUnbound || ShapedType::isDynamic(cur)) {
    cur = dimSize;
    return true;
  }
  return cur == dimSize;
}

bool State::bindType(Type type, const Layout &layout) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || t.getRank() != static_cast<int64_t>(layout.size()))
    return false;
  for (auto [dim, seq] : llvm::enumerate(layout))
    if (!bindDim(t.getDimSize(dim), seq))
      return false;
  return true;
}

bool State::finalize() {
  // Binding one product may settle another: two rounds cover the layouts the
  // matcher builds (at most two collapsed letters per dimension).
  for (int round = 0; round < 2; ++round) {
    auto work = std::move(pending);
    pending.clear();
    for (auto &[seq, size] : work)
      if (!checkProduct(seq, size, /*final=*/round == 1))
        return false;
  }
  return pending.empty();
}

//===----------------------------------------------------------------------===//
// Expression nodes
//===----------------------------------------------------------------------===//

Expr *ExprBuilder::alloc() {
  if (budget == 0)
    return nullptr;
  --budget;
  arena.push_back(std::make_unique<Expr>());
  return arena.back().get();
}

const Expr *ExprBuilder::makeConst(double v) {
  Expr *e = alloc();
  if (!e)
    return nullptr;
  e->kind = Expr::Kind::Const;
  e->cst = v;
  return e;
}

const Expr *ExprBuilder::makeLeaf(Value tensor, const Layout &layout) {
  Expr *e = alloc();
  if (!e)
    return nullptr;
  e->kind = Expr::Kind::Leaf;
  e->tensor = tensor;
  e->layout = layout;
  e->letters = maskOf(layout);
  return e;
}

const Expr *ExprBuilder::makeOp(ExprOp op, ArrayRef<const Expr *> args,
                                arith::CmpFPredicate pred) {
  Expr *e = alloc();
  if (!e)
    return nullptr;
  e->kind = Expr::Kind::Op;
  e->op = op;
  e->pred = pred;
  for (const Expr *a : args) {
    e->args.push_back(a);
    e->letters |= a->letters;
  }
  return e;
}

//===----------------------------------------------------------------------===//
// Views
//===----------------------------------------------------------------------===//

/// Splits the letters `seq` of one collapsed dimension over the source
/// dimensions of sizes `dims`. Static sizes decide; a unit source dimension
/// takes no letter when that is one of the consistent ways.
static std::optional<SmallVector<Seq>> splitSeq(const Seq &seq,
                                                ArrayRef<int64_t> dims,
                                                State &st) {
  SmallVector<std::pair<SmallVector<Seq>, State>, 2> viable;
  SmallVector<Seq> chunks(dims.size());
  // Chooses where chunk `i` ends, every chunk after the previous one.
  std::function<void(size_t, size_t)> rec = [&](size_t i, size_t begin) {
    if (i + 1 == dims.size()) {
      chunks[i] = Seq(seq.begin() + begin, seq.end());
      State s = st;
      for (auto [c, d] : llvm::zip(chunks, dims))
        if (!s.bindDim(d, c))
          return;
      viable.push_back({chunks, s});
      return;
    }
    for (size_t end = begin; end <= seq.size(); ++end) {
      chunks[i] = Seq(seq.begin() + begin, seq.begin() + end);
      rec(i + 1, end);
    }
  };
  if (dims.empty())
    return seq.empty() ? std::optional<SmallVector<Seq>>(SmallVector<Seq>())
                       : std::nullopt;
  rec(0, 0);
  if (viable.size() > 1) {
    // Prefer the readings that put no letter in a unit dimension; they are all
    // the same reading when the letters left over have size one.
    llvm::erase_if(viable, [&](auto &v) {
      for (auto [c, d] : llvm::zip(v.first, dims))
        if (d == 1 && !c.empty())
          return true;
      return false;
    });
  }
  if (viable.size() != 1)
    return std::nullopt;
  st = viable.front().second;
  return viable.front().first;
}

std::optional<std::pair<Value, Layout>>
ExprBuilder::stripViews(Value v, Layout layout, State &st) {
  while (true) {
    if (!st.bindType(v.getType(), layout))
      return std::nullopt;
    Operation *def = v.getDefiningOp();
    if (auto cast = dyn_cast_or_null<tensor::CastOp>(def)) {
      v = cast.getSource();
      continue;
    }
    if (auto expand = dyn_cast_or_null<tensor::ExpandShapeOp>(def)) {
      Layout src;
      for (const ReassociationIndices &group :
           expand.getReassociationIndices()) {
        Seq seq;
        for (int64_t i : group)
          seq.append(layout[i]);
        src.push_back(seq);
      }
      v = expand.getSrc();
      layout = std::move(src);
      continue;
    }
    if (auto collapse = dyn_cast_or_null<tensor::CollapseShapeOp>(def)) {
      RankedTensorType srcType = collapse.getSrcType();
      Layout src;
      for (auto [i, group] :
           llvm::enumerate(collapse.getReassociationIndices())) {
        SmallVector<int64_t> dims;
        for (int64_t d : group)
          dims.push_back(srcType.getDimSize(d));
        std::optional<SmallVector<Seq>> parts = splitSeq(layout[i], dims, st);
        if (!parts)
          return std::nullopt;
        src.append(parts->begin(), parts->end());
      }
      v = collapse.getSrc();
      layout = std::move(src);
      continue;
    }
    return std::make_pair(v, layout);
  }
}

//===----------------------------------------------------------------------===//
// Inlining
//===----------------------------------------------------------------------===//

std::optional<SmallVector<std::optional<Seq>>>
raise::loopLettersFromResult(linalg::LinalgOp op, const Layout &resultLayout) {
  if (op.getNumDpsInits() != 1)
    return std::nullopt;
  AffineMap map = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (map.getNumResults() != resultLayout.size())
    return std::nullopt;
  SmallVector<std::optional<Seq>> loops(op.getNumLoops());
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (auto d = dyn_cast<AffineDimExpr>(expr)) {
      if (loops[d.getPosition()])
        return std::nullopt;
      loops[d.getPosition()] = resultLayout[i];
      continue;
    }
    auto c = dyn_cast<AffineConstantExpr>(expr);
    if (!c || c.getValue() != 0 || !resultLayout[i].empty())
      return std::nullopt;
  }
  return loops;
}

std::optional<Layout> raise::operandLayout(AffineMap map, ArrayRef<Seq> loops,
                                           Type operandType) {
  auto type = dyn_cast<RankedTensorType>(operandType);
  if (!type)
    return map.getNumResults() == 0 ? std::optional<Layout>(Layout())
                                    : std::nullopt;
  if (type.getRank() != map.getNumResults())
    return std::nullopt;
  Layout layout;
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (auto d = dyn_cast<AffineDimExpr>(expr)) {
      layout.push_back(loops[d.getPosition()]);
      continue;
    }
    // A unit dimension read at 0: how frontends broadcast a kept dimension.
    auto c = dyn_cast<AffineConstantExpr>(expr);
    if (!c || c.getValue() != 0 || type.getDimSize(i) != 1)
      return std::nullopt;
    layout.push_back({});
  }
  return layout;
}

/// The layouts of every operand of `op` for the loop letters `loops`.
static std::optional<SmallVector<Layout>> operandLayouts(linalg::LinalgOp op,
                                                         ArrayRef<Seq> loops) {
  SmallVector<Layout> layouts;
  for (OpOperand &operand : op->getOpOperands()) {
    std::optional<Layout> l = operandLayout(op.getMatchingIndexingMap(&operand),
                                            loops, operand.get().getType());
    if (!l)
      return std::nullopt;
    layouts.push_back(std::move(*l));
  }
  return layouts;
}

const Expr *ExprBuilder::inlineTensor(Value v, const Layout &layout,
                                      State &st) {
  if (exhausted())
    return nullptr;
  auto stripped = stripViews(v, layout, st);
  if (!stripped)
    return nullptr;
  auto [base, baseLayout] = *stripped;
  Operation *def = base.getDefiningOp();
  if (auto cst = dyn_cast_or_null<arith::ConstantOp>(def)) {
    auto dense = dyn_cast<DenseFPElementsAttr>(cst.getValue());
    if (dense && dense.isSplat()) {
      Expr *e = const_cast<Expr *>(
          makeConst(dense.getSplatValue<APFloat>().convertToDouble()));
      if (!e)
        return nullptr;
      e->tensor = base;
      e->layout = baseLayout;
      return e;
    }
  }
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(def);
  // Past kMaxDepth nested elementwise producers a tensor stays a leaf: the
  // patterns are a few ops deep, and the recursion must not run off the stack.
  if (linalgOp && linalgOp.hasPureTensorSemantics() &&
      linalgOp.getNumLoops() == linalgOp.getNumParallelLoops() &&
      depth < kMaxDepth) {
    State saved = st;
    ++depth;
    const Expr *e = inlineElementwise(linalgOp, base, baseLayout, st);
    --depth;
    if (e)
      return e;
    if (exhausted())
      return nullptr;
    st = saved;
  }
  return makeLeaf(base, baseLayout);
}

const Expr *ExprBuilder::inlineElementwise(linalg::LinalgOp op, Value result,
                                           const Layout &layout, State &st) {
  if (op->getNumResults() != 1 || op.hasIndexSemantics())
    return nullptr;
  auto loops = loopLettersFromResult(op, layout);
  if (!loops)
    return nullptr;
  SmallVector<Seq> full;
  for (const std::optional<Seq> &l : *loops) {
    if (!l)
      return nullptr;
    full.push_back(*l);
  }
  auto layouts = operandLayouts(op, full);
  if (!layouts)
    return nullptr;
  Value yielded = op.getBlock()->getTerminator()->getOperand(0);
  const Expr *e = buildScalar(op, *layouts, {}, yielded, {}, st);
  if (!e)
    return nullptr;
  if (e->tensor)
    return e; // a copy: the deeper tensor names these elements as well
  Expr *root = alloc();
  if (!root)
    return nullptr;
  *root = *e;
  root->tensor = result;
  root->layout = layout;
  return root;
}

namespace {
/// Builds the expression of one payload, each SSA value once.
struct BodyBuilder {
  ExprBuilder &b;
  linalg::LinalgOp op;
  ArrayRef<Layout> layouts;
  ArrayRef<const Expr *> operandExprs;
  BlockArgument acc;
  State &st;
  DenseMap<Value, const Expr *> memo;

  const Expr *outside(Value v) {
    if (auto cst = v.getDefiningOp<arith::ConstantOp>())
      if (auto f = dyn_cast<FloatAttr>(cst.getValue()))
        return b.makeConst(f.getValueAsDouble());
    // torch-mlir reads rank-0 tensors as scalars.
    if (auto extract = v.getDefiningOp<tensor::ExtractOp>())
      if (extract.getIndices().empty())
        return b.inlineTensor(extract.getTensor(), {}, st);
    return nullptr;
  }

  const Expr *unary(ExprOp k, Operation *d) {
    const Expr *a = get(d->getOperand(0));
    return a ? b.makeOp(k, {a}) : nullptr;
  }
  const Expr *nary(ExprOp k, Operation *d) {
    SmallVector<const Expr *> args;
    for (Value v : d->getOperands()) {
      const Expr *a = get(v);
      if (!a)
        return nullptr;
      args.push_back(a);
    }
    return b.makeOp(k, args);
  }

  const Expr *compute(Value v) {
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (arg.getOwner() != op.getBlock())
        return outside(v);
      if (acc && arg == acc)
        return nullptr;
      OpOperand *operand = op.getMatchingOpOperand(arg);
      unsigned n = operand->getOperandNumber();
      if (n < operandExprs.size() && operandExprs[n])
        return operandExprs[n];
      Value ov = operand->get();
      if (isa<RankedTensorType>(ov.getType()))
        return b.inlineTensor(ov, layouts[n], st);
      return outside(ov);
    }
    Operation *d = v.getDefiningOp();
    if (!op->isProperAncestor(d))
      return outside(v);
    if (auto cst = dyn_cast<arith::ConstantOp>(d)) {
      if (auto f = dyn_cast<FloatAttr>(cst.getValue()))
        return b.makeConst(f.getValueAsDouble());
      return nullptr;
    }
    // Widening keeps the value: bf16/f16 storage computed in f32.
    if (isa<arith::ExtFOp>(d))
      return get(d->getOperand(0));
    if (isa<arith::AddFOp>(d))
      return nary(ExprOp::Add, d);
    if (isa<arith::SubFOp>(d))
      return nary(ExprOp::Sub, d);
    if (isa<arith::MulFOp>(d))
      return nary(ExprOp::Mul, d);
    if (isa<arith::DivFOp>(d))
      return nary(ExprOp::Div, d);
    if (isa<arith::NegFOp>(d))
      return unary(ExprOp::Neg, d);
    if (isa<arith::MaximumFOp, arith::MaxNumFOp>(d))
      return nary(ExprOp::Max, d);
    if (isa<arith::MinimumFOp, arith::MinNumFOp>(d))
      return nary(ExprOp::Min, d);
    if (isa<math::ExpOp>(d))
      return unary(ExprOp::Exp, d);
    if (isa<math::TanhOp>(d))
      return unary(ExprOp::Tanh, d);
    if (isa<math::ErfOp>(d))
      return unary(ExprOp::Erf, d);
    if (isa<math::SqrtOp>(d))
      return unary(ExprOp::Sqrt, d);
    if (isa<math::RsqrtOp>(d))
      return unary(ExprOp::Rsqrt, d);
    if (isa<math::LogOp>(d))
      return unary(ExprOp::Log, d);
    if (isa<math::Log1pOp>(d))
      return unary(ExprOp::Log1p, d);
    if (isa<math::AbsFOp>(d))
      return unary(ExprOp::Abs, d);
    if (isa<math::PowFOp>(d))
      return nary(ExprOp::Pow, d);
    if (isa<math::FmaOp>(d))
      return nary(ExprOp::Fma, d);
    if (isa<arith::SelectOp>(d))
      return nary(ExprOp::Select, d);
    if (auto cmp = dyn_cast<arith::CmpFOp>(d)) {
      const Expr *l = get(cmp.getLhs()), *r = get(cmp.getRhs());
      return l && r ? b.makeOp(ExprOp::Cmp, {l, r}, cmp.getPredicate())
                    : nullptr;
    }
    return nullptr;
  }

  const Expr *get(Value v) {
    auto it = memo.find(v);
    if (it != memo.end())
      return it->second;
    const Expr *e = compute(v);
    memo[v] = e;
    return e;
  }
};
} // namespace

const Expr *ExprBuilder::buildScalar(linalg::LinalgOp op,
                                     ArrayRef<Layout> operandLayouts,
                                     ArrayRef<const Expr *> operandExprs,
                                     Value v, BlockArgument acc, State &st) {
  BodyBuilder body{*this, op, operandLayouts, operandExprs, acc, st,
                   DenseMap<Value, const Expr *>()};
  return body.get(v);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// The value combined with the accumulator `acc` in `y`, if `y` is an add or
/// a max of the two.
static Value combinedValue(Value y, BlockArgument acc, ReduceKind kind) {
  Operation *d = y.getDefiningOp();
  if (!d)
    return {};
  auto other = [&](Value a, Value b) -> Value {
    if (a == acc && b != acc)
      return b;
    if (b == acc && a != acc)
      return a;
    return {};
  };
  if (kind == ReduceKind::Add) {
    if (auto add = dyn_cast<arith::AddFOp>(d))
      return other(add.getLhs(), add.getRhs());
    return {};
  }
  if (isa<arith::MaximumFOp, arith::MaxNumFOp>(d))
    return other(d->getOperand(0), d->getOperand(1));
  // select(a > b, a, b) and select(a < b, b, a) are max(a, b).
  if (auto sel = dyn_cast<arith::SelectOp>(d)) {
    auto cmp = sel.getCondition().getDefiningOp<arith::CmpFOp>();
    if (!cmp)
      return {};
    using P = arith::CmpFPredicate;
    P p = cmp.getPredicate();
    Value t = sel.getTrueValue(), f = sel.getFalseValue();
    bool greater = p == P::OGT || p == P::OGE || p == P::UGT || p == P::UGE;
    bool less = p == P::OLT || p == P::OLE || p == P::ULT || p == P::ULE;
    if ((greater && t == cmp.getLhs() && f == cmp.getRhs()) ||
        (less && t == cmp.getRhs() && f == cmp.getLhs()))
      return other(t, f);
  }
  return {};
}

/// Every ordered way to give the letters of `mask` to `k` loops, each loop at
/// least one letter.
static SmallVector<SmallVector<Seq>> assignments(LetterMask mask, unsigned k) {
  Seq letters;
  for (unsigned l = 0; l < kNumLetters; ++l)
    if (mask & (1u << l))
      letters.push_back(static_cast<Letter>(l));
  SmallVector<SmallVector<Seq>> out;
  if (k == 0 || k > letters.size())
    return out;
  llvm::sort(letters);
  do {
    // Cut the permutation into k non-empty runs.
    SmallVector<Seq> parts(k);
    std::function<void(unsigned, size_t)> cut = [&](unsigned i, size_t b) {
      size_t left = letters.size() - b;
      if (i + 1 == k) {
        parts[i] = Seq(letters.begin() + b, letters.end());
        out.push_back(parts);
        return;
      }
      for (size_t len = 1; len + (k - i - 1) <= left; ++len) {
        parts[i] = Seq(letters.begin() + b, letters.begin() + b + len);
        cut(i + 1, b + len);
      }
    };
    cut(0, 0);
  } while (std::next_permutation(letters.begin(), letters.end()));
  return out;
}

SmallVector<Reduction, 2> raise::matchReduction(ExprBuilder &b, const Expr *leaf,
                                             ReduceKind kind,
                                             LetterMask reduced,
                                             const State &st) {
  SmallVector<Reduction, 2> out;
  if (!leaf || !leaf->isLeaf() || (leaf->letters & reduced))
    return out;
  auto op = dyn_cast_or_null<linalg::LinalgOp>(leaf->leafOp());
  if (!op || !op.hasPureTensorSemantics() || op->getNumResults() != 1 ||
      op.getNumDpsInits() != 1 || op.hasIndexSemantics() ||
      op.getNumReductionLoops() == 0)
    return out;
  auto loops = loopLettersFromResult(op, leaf->layout);
  if (!loops)
    return out;
  SmallVector<unsigned> redLoops;
  for (auto [i, it] : llvm::enumerate(op.getIteratorTypesArray())) {
    bool isRed = it == utils::IteratorType::reduction;
    if (isRed != !(*loops)[i].has_value())
      return out; // a parallel loop the output does not index, or vice versa
    if (isRed)
      redLoops.push_back(i);
  }
  if (!lettersDistinct(leaf->layout))
    return out;
  Block *body = op.getBlock();
  BlockArgument acc = op.getRegionOutputArgs().front();
  Value combined =
      combinedValue(body->getTerminator()->getOperand(0), acc, kind);
  if (!combined)
    return out;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  for (SmallVector<Seq> &assign : assignments(reduced, redLoops.size())) {
    State s = st;
    SmallVector<Seq> full;
    for (const std::optional<Seq> &l : *loops)
      full.push_back(l ? *l : Seq());
    for (auto [loop, seq] : llvm::zip(redLoops, assign))
      full[loop] = seq;
    bool ok = true;
    for (auto [range, seq] : llvm::zip(ranges, full))
      ok = ok && s.bindDim(range, seq);
    if (!ok)
      continue;
    auto layouts = operandLayouts(op, full);
    if (!layouts)
      continue;
    Reduction r;
    for (OpOperand *in : op.getDpsInputOperands()) {
      Value v = in->get();
      const Expr *e =
          isa<RankedTensorType>(v.getType())
              ? b.inlineTensor(v, (*layouts)[in->getOperandNumber()], s)
              : nullptr;
      r.operands.push_back(e);
    }
    if (b.exhausted())
      return out;
    OpOperand *init = op.getDpsInitOperand(0);
    r.init = b.inlineTensor(init->get(), (*layouts)[init->getOperandNumber()],
                            s);
    r.body = b.buildScalar(op, *layouts, r.operands, combined, acc, s);
    if (!r.init || !r.body)
      continue;
    r.operands.push_back(r.init);
    r.st = std::move(s);
    out.push_back(std::move(r));
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Comparing, flattening, evaluating
//===----------------------------------------------------------------------===//

static bool commutative(ExprOp op) {
  return op == ExprOp::Add || op == ExprOp::Mul || op == ExprOp::Max ||
         op == ExprOp::Min;
}

bool raise::exprEqual(const Expr *a, const Expr *b) {
  if (a == b)
    return true;
  if (!a || !b)
    return false;
  if (a->tensor && a->tensor == b->tensor && a->layout == b->layout)
    return true;
  if (a->kind != b->kind)
    return false;
  switch (a->kind) {
  case Expr::Kind::Leaf:
    return false; // different tensor or layout
  case Expr::Kind::Const:
    return a->cst == b->cst;
  case Expr::Kind::Op:
    break;
  }
  if (a->op != b->op || a->pred != b->pred ||
      a->args.size() != b->args.size())
    return false;
  bool same = true;
  for (auto [x, y] : llvm::zip(a->args, b->args))
    same = same && exprEqual(x, y);
  if (same)
    return true;
  return commutative(a->op) && a->args.size() == 2 &&
         exprEqual(a->args[0], b->args[1]) && exprEqual(a->args[1], b->args[0]);
}

void raise::flattenProduct(const Expr *e, SmallVectorImpl<const Expr *> &num,
                           SmallVectorImpl<const Expr *> &den) {
  if (e->isOp(ExprOp::Mul)) {
    for (const Expr *a : e->args)
      flattenProduct(a, num, den);
    return;
  }
  if (e->isOp(ExprOp::Div)) {
    flattenProduct(e->args[0], num, den);
    flattenProduct(e->args[1], den, num);
    return;
  }
  num.push_back(e);
}

static bool comparePred(arith::CmpFPredicate p, double l, double r) {
  using P = arith::CmpFPredicate;
  bool unordered = std::isnan(l) || std::isnan(r);
  switch (p) {
  case P::AlwaysFalse:
    return false;
  case P::AlwaysTrue:
    return true;
  case P::OEQ:
    return !unordered && l == r;
  case P::OGT:
    return !unordered && l > r;
  case P::OGE:
    return !unordered && l >= r;
  case P::OLT:
    return !unordered && l < r;
  case P::OLE:
    return !unordered && l <= r;
  case P::ONE:
    return !unordered && l != r;
  case P::ORD:
    return !unordered;
  case P::UEQ:
    return unordered || l == r;
  case P::UGT:
    return unordered || l > r;
  case P::UGE:
    return unordered || l >= r;
  case P::ULT:
    return unordered || l < r;
  case P::ULE:
    return unordered || l <= r;
  case P::UNE:
    return unordered || l != r;
  case P::UNO:
    return unordered;
  }
  return false;
}

std::optional<double> raise::evaluate(
    const Expr *e,
    function_ref<std::optional<double>(const Expr *leaf)> leafValue) {
  switch (e->kind) {
  case Expr::Kind::Const:
    return e->cst;
  case Expr::Kind::Leaf:
    return leafValue(e);
  case Expr::Kind::Op:
    break;
  }
  SmallVector<double, 3> a;
  for (const Expr *arg : e->args) {
    std::optional<double> v = evaluate(arg, leafValue);
    if (!v)
      return std::nullopt;
    a.push_back(*v);
  }
  switch (e->op) {
  case ExprOp::Add:
    return a[0] + a[1];
  case ExprOp::Sub:
    return a[0] - a[1];
  case ExprOp::Mul:
    return a[0] * a[1];
  case ExprOp::Div:
    return a[0] / a[1];
  case ExprOp::Neg:
    return -a[0];
  case ExprOp::Max:
    return std::fmax(a[0], a[1]);
  case ExprOp::Min:
    return std::fmin(a[0], a[1]);
  case ExprOp::Exp:
    return std::exp(a[0]);
  case ExprOp::Tanh:
    return std::tanh(a[0]);
  case ExprOp::Erf:
    return std::erf(a[0]);
  case ExprOp::Sqrt:
    return std::sqrt(a[0]);
  case ExprOp::Rsqrt:
    return 1.0 / std::sqrt(a[0]);
  case ExprOp::Log:
    return std::log(a[0]);
  case ExprOp::Log1p:
    return std::log1p(a[0]);
  case ExprOp::Pow:
    return std::pow(a[0], a[1]);
  case ExprOp::Abs:
    return std::fabs(a[0]);
  case ExprOp::Fma:
    return a[0] * a[1] + a[2];
  case ExprOp::Select:
    return a[0] != 0.0 ? a[1] : a[2];
  case ExprOp::Cmp:
    return comparePred(e->pred, a[0], a[1]) ? 1.0 : 0.0;
  }
  return std::nullopt;
}

void raise::forEachLeaf(const Expr *e, function_ref<void(const Expr *)> fn) {
  DenseSet<const Expr *> seen;
  SmallVector<const Expr *> leaves;
  SmallVector<const Expr *> work{e};
  while (!work.empty()) {
    const Expr *x = work.pop_back_val();
    if (!seen.insert(x).second)
      continue;
    if (x->isLeaf()) {
      if (llvm::none_of(leaves, [&](const Expr *l) { return exprEqual(l, x); }))
        leaves.push_back(x);
      continue;
    }
    work.append(x->args.begin(), x->args.end());
  }
  for (const Expr *l : leaves)
    fn(l);
}
