//===- RaiseMatch.h - Tensor expressions over contract letters --*- C++ -*-===//
//
// The machinery behind softmoe-raise-from-linalg. Every tensor the matcher
// looks at is described by a layout: for each of its dimensions, the sequence
// of contract letters (B, M, D, N, P, H, and G = 2H) it holds, outer to
// inner. A unit dimension holds no letter; a collapsed one holds several
// ([B, M] for a [B*M] dimension). The layouts come from the pattern being matched, top
// down, and follow the tensors through views (tensor.expand_shape,
// tensor.collapse_shape, tensor.cast) and through elementwise linalg ops
// (generic, map, transpose, broadcast, fill), which are inlined into scalar
// expression trees whose leaves are the tensors that are not elementwise
// (contractions, reductions, function arguments). Reductions are taken apart
// on demand with the letters the pattern says they reduce over.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_LIB_DIALECT_SOFTMOE_TRANSFORMS_RAISEMATCH_H
#define SOFTMOE_LIB_DIALECT_SOFTMOE_TRANSFORMS_RAISEMATCH_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <array>
#include <memory>
#include <optional>
#include <vector>

namespace mlir::softmoe::raise {

/// The letters of CONTRACT.md, and G = 2H, the width of a gated expert's
/// first layer.
enum Letter : uint8_t { LB, LM, LD, LN, LP, LH, LG };
constexpr unsigned kNumLetters = 7;
using LetterMask = unsigned;
inline LetterMask bit(Letter l) { return 1u << l; }
char letterChar(Letter l);

using Seq = SmallVector<Letter, 3>;
using Layout = SmallVector<Seq, 4>;

/// "BMD" -> [[B], [M], [D]].
Layout layoutOf(StringRef letters);
/// Letters used by a layout.
LetterMask maskOf(const Layout &layout);
/// True when no letter appears twice.
bool lettersDistinct(const Layout &layout);
/// "[B][M,N]" for debug output.
std::string layoutStr(const Layout &layout);

/// The sizes bound to the letters so far, and products still to check. Every
/// alternative of a match carries its own copy.
class State {
public:
  static constexpr int64_t kUnbound = -1;
  State() { sizes.fill(kUnbound); }

  /// Checks that a dimension of `dimSize` can hold the letters `seq`, binding
  /// letters that are still free. A dynamic size is compatible with anything.
  bool bindDim(int64_t dimSize, ArrayRef<Letter> seq);
  /// bindDim for every dimension of a ranked tensor type.
  bool bindType(Type type, const Layout &layout);
  /// Checks the products deferred by bindDim; fails if any stays unknown.
  bool finalize();
  /// The size bound to `l`: static, ShapedType::kDynamic or kUnbound.
  int64_t size(Letter l) const { return sizes[l]; }

private:
  bool checkProduct(ArrayRef<Letter> seq, int64_t dimSize, bool final);
  std::array<int64_t, kNumLetters> sizes;
  SmallVector<std::pair<Seq, int64_t>, 4> pending;
};

/// Scalar operations that may appear in an inlined body.
enum class ExprOp {
  Add, Sub, Mul, Div, Neg, Max, Min, Exp, Tanh, Erf, Sqrt, Rsqrt, Log,
  Log1p, Pow, Abs, Fma, Select, Cmp
};

/// A node of a scalar expression over the letters of its context.
struct Expr {
  enum class Kind { Leaf, Const, Op };
  Kind kind = Kind::Const;
  ExprOp op = ExprOp::Add;
  arith::CmpFPredicate pred = arith::CmpFPredicate::AlwaysFalse;
  double cst = 0.0;
  SmallVector<const Expr *, 3> args;
  /// Leaf: the tensor read and how. Otherwise the tensor whose elements this
  /// node computes, when one exists (the root of an inlined op), or null.
  Value tensor;
  Layout layout;
  /// Letters read by the leaves below (and the leaf itself).
  LetterMask letters = 0;

  bool isLeaf() const { return kind == Kind::Leaf; }
  bool isConst() const { return kind == Kind::Const; }
  bool isConst(double v) const { return isConst() && cst == v; }
  bool isOp(ExprOp o) const { return kind == Kind::Op && op == o; }
  /// The op defining a leaf's tensor (null for block arguments).
  Operation *leafOp() const {
    return isLeaf() ? tensor.getDefiningOp() : nullptr;
  }
};

/// Owns the nodes and does the inlining. One builder per match attempt.
class ExprBuilder {
public:
  /// The elements of `v` read with `layout`: elementwise producers inlined,
  /// views looked through. Null when the layout does not fit `v`'s shape or
  /// the node budget is spent.
  const Expr *inlineTensor(Value v, const Layout &layout, State &st);

  /// Follows `v` through tensor.cast/expand_shape/collapse_shape to the first
  /// tensor that is not a view, carrying the layout along.
  std::optional<std::pair<Value, Layout>> stripViews(Value v, Layout layout,
                                                     State &st);

  /// The payload of a linalg op seen from `v`, with the operands read through
  /// `operandLayouts` (or taken from `operandExprs` where those are given).
  /// `acc`, when given, is the block argument that must not be reached (the
  /// reduction's accumulator).
  const Expr *buildScalar(linalg::LinalgOp op, ArrayRef<Layout> operandLayouts,
                          ArrayRef<const Expr *> operandExprs, Value v,
                          BlockArgument acc, State &st);

  const Expr *makeConst(double v);
  const Expr *makeLeaf(Value tensor, const Layout &layout);
  const Expr *makeOp(ExprOp op, ArrayRef<const Expr *> args,
                     arith::CmpFPredicate pred = {});
  bool exhausted() const { return budget == 0; }

private:
  Expr *alloc();
  const Expr *inlineElementwise(linalg::LinalgOp op, Value result,
                                const Layout &layout, State &st);
  std::vector<std::unique_ptr<Expr>> arena;
  unsigned budget = 20000;
  static constexpr unsigned kMaxDepth = 256;
  unsigned depth = 0;
};

/// The loop letters of a linalg op whose result is read with `resultLayout`,
/// from its output indexing map; nullopt if the map does not fit. Loops that
/// the output does not index are left unset.
std::optional<SmallVector<std::optional<Seq>>>
loopLettersFromResult(linalg::LinalgOp op, const Layout &resultLayout);
/// The layout of an operand read through `map` with loop letters `loops`.
std::optional<Layout> operandLayout(AffineMap map, ArrayRef<Seq> loops,
                                    Type operandType);

enum class ReduceKind { Add, Max };

/// One way to read a reduction: the letters given to its reduction loops, the
/// reduced expression in the loop letters and the initial value.
struct Reduction {
  State st;
  const Expr *body = nullptr;
  const Expr *init = nullptr;
  /// The operands' expressions, by operand number (inputs then init).
  SmallVector<const Expr *, 3> operands;
};

/// Every way `leaf` (a tensor produced by a linalg op with reduction loops) is
/// an add- or max-reduction over exactly the letters `reduced`.
SmallVector<Reduction, 2> matchReduction(ExprBuilder &b, const Expr *leaf,
                                      ReduceKind kind, LetterMask reduced,
                                      const State &st);

/// Structural equality: same tensors read the same way, same ops, same
/// constants; operands of commutative ops in either order.
bool exprEqual(const Expr *a, const Expr *b);

/// The factors of a product: numerator and denominator, through Mul and Div.
void flattenProduct(const Expr *e, SmallVectorImpl<const Expr *> &num,
                    SmallVectorImpl<const Expr *> &den);

/// Evaluates `e` in double precision, asking `leafValue` for every leaf.
std::optional<double>
evaluate(const Expr *e,
         function_ref<std::optional<double>(const Expr *leaf)> leafValue);

/// Calls `fn` once for every distinct leaf (by tensor and layout) of `e`.
void forEachLeaf(const Expr *e, function_ref<void(const Expr *)> fn);

} // namespace mlir::softmoe::raise

#endif // SOFTMOE_LIB_DIALECT_SOFTMOE_TRANSFORMS_RAISEMATCH_H
