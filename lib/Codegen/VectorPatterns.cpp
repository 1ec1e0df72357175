//===- VectorPatterns.cpp - The vector stage of softmoe-cpu-codegen -------===//
//
// The rewrites of one-register vector code (CPUCodegen.h): store-to-load
// forwarding between the transfers of a block, which joins a fused
// initializer, a register tile and its fused consumers through registers;
// contractions to FMAs (upstream's outer-product lowering) or, for bf16
// pairs, to vdpbf16ps; and the patterns that keep the lowering of broadcasts
// and i1 vectors from going wrong.
//
//===----------------------------------------------------------------------===//

#include "CPUCodegen.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"

using namespace mlir;
using namespace mlir::softmoe;
using namespace mlir::softmoe::codegen;

/// The buffer a view is carved from (through subviews, casts, reshapes).
static Value rootBuffer(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// `v` as `root + offset` with a constant offset (arith.addi with a constant,
/// or an affine.apply of `d0 + c` / `s0 + c`); a constant has no root.
static std::pair<Value, int64_t> splitConstantOffset(Value v) {
  int64_t offset = 0;
  while (true) {
    if (std::optional<int64_t> c = getConstantIntValue(v))
      return {Value(), offset + *c};
    if (auto add = v.getDefiningOp<arith::AddIOp>()) {
      if (std::optional<int64_t> c = getConstantIntValue(add.getRhs())) {
        offset += *c;
        v = add.getLhs();
        continue;
      }
      if (std::optional<int64_t> c = getConstantIntValue(add.getLhs())) {
        offset += *c;
        v = add.getRhs();
        continue;
      }
    }
    if (auto apply = v.getDefiningOp<affine::AffineApplyOp>()) {
      AffineMap map = apply.getAffineMap();
      if (map.getNumResults() == 1 && apply->getNumOperands() == 1) {
        AffineExpr e = map.getResult(0);
        AffineExpr x = map.getNumDims() ? getAffineDimExpr(0, map.getContext())
                                        : getAffineSymbolExpr(0, map.getContext());
        if (auto c = dyn_cast<AffineConstantExpr>(e - x)) {
          offset += c.getValue();
          v = apply->getOperand(0);
          continue;
        }
      }
    }
    return {v, offset};
  }
}

/// Elements a transfer covers along each dimension of its buffer.
static SmallVector<int64_t> transferExtents(VectorTransferOpInterface t) {
  auto type = cast<MemRefType>(t.getBase().getType());
  SmallVector<int64_t> extents(type.getRank(), 1);
  AffineMap map = t.getPermutationMap();
  for (auto [i, e] : llvm::enumerate(map.getResults()))
    if (auto d = dyn_cast<AffineDimExpr>(e))
      extents[d.getPosition()] = t.getVectorType().getDimSize(i);
  return extents;
}

/// Whether two transfers on the same buffer touch disjoint elements, as far
/// as constant offsets between their indices show.
static bool provablyDisjoint(VectorTransferOpInterface a,
                             VectorTransferOpInterface b) {
  if (a.getBase() != b.getBase() || a.getIndices().size() != b.getIndices().size())
    return false;
  SmallVector<int64_t> ea = transferExtents(a), eb = transferExtents(b);
  for (auto [i, pair] : llvm::enumerate(llvm::zip(a.getIndices(), b.getIndices()))) {
    auto [ra, oa] = splitConstantOffset(std::get<0>(pair));
    auto [rb, ob] = splitConstantOffset(std::get<1>(pair));
    if (ra != rb)
      continue;
    int64_t delta = ob - oa;
    if (delta >= ea[i] || -delta >= eb[i])
      return true;
  }
  return false;
}

static bool sameTransferPlace(VectorTransferOpInterface a,
                              VectorTransferOpInterface b) {
  auto inBounds = [](VectorTransferOpInterface t) {
    return llvm::all_of(t.getInBoundsValues(), [](bool x) { return x; });
  };
  return a.getBase() == b.getBase() &&
         llvm::equal(a.getIndices(), b.getIndices()) &&
         a.getVectorType() == b.getVectorType() &&
         a.getPermutationMap() == b.getPermutationMap() && !a.getMask() &&
         !b.getMask() && inBounds(a) && inBounds(b);
}

/// Whether `op` or an op nested in it has an operand carved from `root`.
static bool touchesBuffer(Operation *op, Value root) {
  WalkResult r = op->walk([&](Operation *nested) {
    for (Value v : nested->getOperands())
      if (isa<MemRefType>(v.getType()) && rootBuffer(v) == root)
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return r.wasInterrupted();
}

/// Store-to-load forwarding and dead-store removal between the ops of one
/// block, which is what joins a fused initializer, a register tile and its
/// fused consumers: a transfer_read of exactly what a transfer_write of the
/// same block wrote earlier, with no possibly overlapping write of that
/// buffer in between, reads the written vector instead; a transfer_write
/// that a later one of the same block overwrites exactly, with no possibly
/// overlapping read of that buffer in between, is erased. Upstream's
/// vector::transferOpflowOpt does this across blocks too, but it proves
/// disjointness with a Presburger problem for every pair of transfers on a
/// buffer: tens of seconds on a layer whose peeled dynamic tiles multiply
/// the transfers. As upstream, only views of the same buffer are taken to
/// alias.
void codegen::forwardTransfersInBlocks(RewriterBase &rewriter,
                                       func::FuncOp func) {
  SmallVector<Block *> blocks;
  func.walk([&](Block *b) { blocks.push_back(b); });
  for (Block *block : blocks) {
    // Forwarding.
    for (auto write : llvm::make_early_inc_range(
             block->getOps<vector::TransferWriteOp>())) {
      auto w = cast<VectorTransferOpInterface>(write.getOperation());
      Value root = rootBuffer(write.getBase());
      for (Operation *op = write->getNextNode(); op; op = op->getNextNode()) {
        if (auto read = dyn_cast<vector::TransferReadOp>(op)) {
          auto r = cast<VectorTransferOpInterface>(op);
          if (sameTransferPlace(w, r)) {
            rewriter.replaceAllUsesWith(read.getResult(), write.getVector());
            continue;
          }
          continue; // Reads change nothing.
        }
        if (auto other = dyn_cast<vector::TransferWriteOp>(op)) {
          if (rootBuffer(other.getBase()) != root)
            continue;
          if (provablyDisjoint(w, cast<VectorTransferOpInterface>(op)))
            continue;
          break;
        }
        if (touchesBuffer(op, root))
          break;
      }
    }
    // Dead stores (after forwarding removed the reads between them).
    for (auto write : llvm::make_early_inc_range(
             block->getOps<vector::TransferWriteOp>())) {
      auto w = cast<VectorTransferOpInterface>(write.getOperation());
      Value root = rootBuffer(write.getBase());
      bool dead = false;
      for (Operation *op = write->getNextNode(); op; op = op->getNextNode()) {
        if (auto read = dyn_cast<vector::TransferReadOp>(op)) {
          if (read.use_empty() || rootBuffer(read.getBase()) != root ||
              provablyDisjoint(w, cast<VectorTransferOpInterface>(op)))
            continue;
          break;
        }
        if (auto other = dyn_cast<vector::TransferWriteOp>(op)) {
          if (rootBuffer(other.getBase()) != root)
            continue;
          auto o = cast<VectorTransferOpInterface>(op);
          if (sameTransferPlace(w, o)) {
            dead = true;
            break;
          }
          if (provablyDisjoint(w, o))
            continue;
          break;
        }
        if (touchesBuffer(op, root))
          break;
      }
      if (dead)
        rewriter.eraseOp(write);
    }
    // Reads whose values were forwarded.
    for (auto read : llvm::make_early_inc_range(
             block->getOps<vector::TransferReadOp>()))
      if (read.use_empty())
        rewriter.eraseOp(read);
  }
}

namespace {
/// A transfer_read that broadcasts along some vector dimensions becomes a
/// read of the other dimensions, a shape_cast that puts unit dimensions back
/// and a stretching vector.broadcast. The upstream permutation-map lowering
/// instead broadcasts to a transposed shape and transposes back; unrolled to
/// registers that transpose feeds patterns that rewrite it forever (the
/// compile-time blow-up of a softmax's broadcast row maximum).
struct TransferReadBroadcastToStretch
    : public OpRewritePattern<vector::TransferReadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::TransferReadOp read,
                                PatternRewriter &rewriter) const override {
    if (read.getMask() || !isa<MemRefType>(read.getBase().getType()))
      return failure();
    AffineMap map = read.getPermutationMap();
    VectorType vt = read.getVectorType();
    SmallVector<AffineExpr> kept;
    SmallVector<int64_t> keptShape, unitShape;
    SmallVector<bool> keptInBounds;
    SmallVector<bool> inBounds = read.getInBoundsValues();
    bool broadcasts = false;
    for (auto [i, e] : llvm::enumerate(map.getResults())) {
      if (auto c = dyn_cast<AffineConstantExpr>(e)) {
        if (c.getValue() != 0)
          return failure();
        broadcasts |= vt.getDimSize(i) > 1;
        unitShape.push_back(1);
        continue;
      }
      kept.push_back(e);
      keptShape.push_back(vt.getDimSize(i));
      keptInBounds.push_back(inBounds[i]);
      unitShape.push_back(vt.getDimSize(i));
    }
    if (!broadcasts || kept.empty() || vt.isScalable())
      return failure();
    AffineMap keptMap =
        AffineMap::get(map.getNumDims(), 0, kept, rewriter.getContext());
    if (!keptMap.isMinorIdentity())
      return failure();
    Location loc = read.getLoc();
    auto keptTy = VectorType::get(keptShape, vt.getElementType());
    Value narrow = vector::TransferReadOp::create(
        rewriter, loc, keptTy, read.getBase(), read.getIndices(),
        read.getPadding(), keptMap, ArrayRef<bool>(keptInBounds));
    Value units = vector::ShapeCastOp::create(
        rewriter, loc, VectorType::get(unitShape, vt.getElementType()),
        narrow);
    rewriter.replaceOpWithNewOp<vector::BroadcastOp>(read, vt, units);
    return success();
  }
};

/// One register's worth of a bf16 x bf16 -> f32 contraction over a pair of
/// reduction steps, C[n] += A[k0] * B[k0][n] + A[k1] * B[k1][n] for the `lanes`
/// columns n, becomes one vdpbf16ps: the two rows of B interleaved
/// (B[k0][0], B[k1][0], B[k0][1], ...) against the pair (A[k0], A[k1])
/// broadcast as one 32-bit value. Every other dimension must be 1.
///
/// Not upstream's x86vector::populateVectorContractToPackedTypeDotProduct-
/// Patterns: in MLIR 22 it matches only contractions whose B is already in
/// VNNI layout (a [K/2][N][2] operand, "Input matrices not in VNNI format"
/// otherwise), and B here is the weights' plain [K][N] rows. Swapped in for
/// this pattern, it never fired: test/Codegen/cpu-codegen-bf16-dot.mlir and
/// the bf16 layer got no vdpbf16ps at all, and every pair fell back to two
/// FMAs on widened bf16 (the bf16 layer at avx512bf16: 0 instead of 76 dots,
/// 312 instead of 160 FMAs). Using it would mean packing B into VNNI layout
/// first, a different kernel.
struct ContractBF16PairToDot : public OpRewritePattern<vector::ContractionOp> {
  ContractBF16PairToDot(MLIRContext *ctx, int64_t lanes, PatternBenefit benefit)
      : OpRewritePattern(ctx, benefit), lanes(lanes) {}

  LogicalResult matchAndRewrite(vector::ContractionOp c,
                                PatternRewriter &rewriter) const override {
    auto accTy = dyn_cast<VectorType>(c.getAccType());
    VectorType lhsTy = c.getLhsType(), rhsTy = c.getRhsType();
    if (c.getKind() != vector::CombiningKind::ADD ||
        !accTy || !accTy.getElementType().isF32() ||
        !lhsTy.getElementType().isBF16() || !rhsTy.getElementType().isBF16() ||
        accTy.getNumElements() != lanes || lhsTy.getNumElements() != 2 ||
        rhsTy.getNumElements() != 2 * lanes)
      return failure();
    SmallVector<int64_t> bounds;
    c.getIterationBounds(bounds);
    SmallVector<AffineMap> maps = c.getIndexingMapsArray();
    auto iters = c.getIteratorTypesArray();
    std::optional<unsigned> k, n;
    for (auto [d, size] : llvm::enumerate(bounds)) {
      if (size == 1)
        continue;
      if (iters[d] == vector::IteratorType::reduction && size == 2 && !k)
        k = d;
      else if (iters[d] == vector::IteratorType::parallel && size == lanes &&
               !n)
        n = d;
      else
        return failure();
    }
    if (!k || !n)
      return failure();
    // B's two rows must be its leading non-unit dimension (k before n).
    auto position = [](AffineMap m, unsigned d) -> std::optional<unsigned> {
      for (auto [i, e] : llvm::enumerate(m.getResults()))
        if (auto de = dyn_cast<AffineDimExpr>(e); de && de.getPosition() == d)
          return i;
      return std::nullopt;
    };
    std::optional<unsigned> rk = position(maps[1], *k),
                            rn = position(maps[1], *n);
    if (!position(maps[0], *k) || position(maps[0], *n) || !rk || !rn ||
        *rk > *rn)
      return failure();
    Location loc = c.getLoc();
    Type bf16 = rewriter.getBF16Type();
    Value rows = vector::ShapeCastOp::create(
        rewriter, loc, VectorType::get({2, lanes}, bf16), c.getRhs());
    Value row0 = vector::ExtractOp::create(rewriter, loc, rows, 0);
    Value row1 = vector::ExtractOp::create(rewriter, loc, rows, 1);
    SmallVector<int64_t> interleave;
    for (int64_t i = 0; i < lanes; ++i) {
      interleave.push_back(i);
      interleave.push_back(lanes + i);
    }
    Value b = vector::ShuffleOp::create(rewriter, loc, row0, row1, interleave);
    Value pair = vector::ShapeCastOp::create(
        rewriter, loc, VectorType::get({2}, bf16), c.getLhs());
    Value word = vector::ExtractOp::create(
        rewriter, loc,
        vector::BitCastOp::create(
            rewriter, loc, VectorType::get({1}, rewriter.getI32Type()), pair),
        0);
    Value a = vector::BitCastOp::create(
        rewriter, loc, VectorType::get({2 * lanes}, bf16),
        vector::BroadcastOp::create(
            rewriter, loc, VectorType::get({lanes}, rewriter.getI32Type()),
            word));
    Value acc = vector::ShapeCastOp::create(
        rewriter, loc, VectorType::get({lanes}, rewriter.getF32Type()),
        c.getAcc());
    Value dot = x86vector::DotBF16Op::create(rewriter, loc, acc.getType(),
                                             acc, a, b);
    rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(c, accTy, dot);
    return success();
  }

private:
  int64_t lanes;
};

/// A vector of i1 is a bit vector in LLVM, but a memref<...xi1> holds one
/// byte per element: a vector.load of vector<Nxi1> would read N bits of the
/// first byte. Masks are loaded element by element instead.
struct ScalarizeBoolLoad : public OpRewritePattern<vector::LoadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::LoadOp load,
                                PatternRewriter &rewriter) const override {
    VectorType vt = load.getVectorType();
    if (!vt.getElementType().isInteger(1) || vt.getRank() != 1 ||
        vt.getNumElements() <= 1 || vt.isScalable())
      return failure();
    Location loc = load.getLoc();
    SmallVector<Value> idx(load.getIndices());
    Value last = idx.back();
    SmallVector<Value> elems;
    for (int64_t i = 0, e = vt.getNumElements(); i < e; ++i) {
      idx.back() = arith::AddIOp::create(
          rewriter, loc, last, arith::ConstantIndexOp::create(rewriter, loc, i));
      elems.push_back(
          memref::LoadOp::create(rewriter, loc, load.getBase(), idx));
    }
    rewriter.replaceOpWithNewOp<vector::FromElementsOp>(load, vt, elems);
    return success();
  }
};

/// The store side of ScalarizeBoolLoad.
struct ScalarizeBoolStore : public OpRewritePattern<vector::StoreOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::StoreOp store,
                                PatternRewriter &rewriter) const override {
    VectorType vt = store.getVectorType();
    if (!vt.getElementType().isInteger(1) || vt.getRank() != 1 ||
        vt.getNumElements() <= 1 || vt.isScalable())
      return failure();
    Location loc = store.getLoc();
    SmallVector<Value> idx(store.getIndices());
    Value last = idx.back();
    for (int64_t i = 0, e = vt.getNumElements(); i < e; ++i) {
      idx.back() = arith::AddIOp::create(
          rewriter, loc, last, arith::ConstantIndexOp::create(rewriter, loc, i));
      Value elem = vector::ExtractOp::create(rewriter, loc,
                                             store.getValueToStore(), i);
      memref::StoreOp::create(rewriter, loc, elem, store.getBase(), idx);
    }
    rewriter.eraseOp(store);
    return success();
  }
};
} // namespace

void codegen::populateTransferReadBroadcastToStretchPattern(
    RewritePatternSet &patterns, PatternBenefit benefit) {
  patterns.add<TransferReadBroadcastToStretch>(patterns.getContext(), benefit);
}

//===----------------------------------------------------------------------===//
// The vector stage
//===----------------------------------------------------------------------===//

LogicalResult codegen::lowerVectorOps(RewriterBase &rewriter,
                                      func::FuncOp func, int64_t lanes,
                                      bool bf16Dot, std::string &why) {
  MLIRContext *ctx = func.getContext();
  // Initializer -> accumulator -> consumer through registers, not memory.
  forwardTransfersInBlocks(rewriter, func);
  // Horizontal reductions, on their own and before the lowering set below:
  // there, dropping a leading unit dimension of a multi_reduction and
  // lowering the broadcast that feeds it undo each other without end.
  {
    RewritePatternSet patterns(ctx);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerReduction);
    if (failed(applyStage(func, std::move(patterns), "horizontal reduction", why)))
      return failure();
  }
  {
    RewritePatternSet patterns(ctx);
    if (bf16Dot)
      patterns.add<ContractBF16PairToDot>(ctx, lanes, /*benefit=*/3);
    vector::populateVectorContractLoweringPatterns(
        patterns, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorOuterProductLoweringPatterns(patterns);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    // Register transposes (isRegisterTranspose): 16 x 16 by the AVX-512
    // unpack/shuffle network, smaller ones as one shuffle LLVM lowers.
    vector::populateVectorTransposeLoweringPatterns(
        patterns, lanes == 16 ? vector::VectorTransposeLowering::Shuffle16x16
                              : vector::VectorTransposeLowering::Shuffle1D);
    vector::populateVectorBroadcastLoweringPatterns(patterns);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    vector::populateVectorTransferLoweringPatterns(patterns,
                                                   /*maxTransferRank=*/1);
    if (failed(applyStage(func, std::move(patterns), "vector lowering", why)))
      return failure();
  }
  // exp and tanh as vector polynomials instead of scalar libm calls; masks
  // (i1 vectors) loaded and stored element by element.
  {
    RewritePatternSet patterns(ctx);
    populateMathPolynomialApproximationPatterns(patterns);
    patterns.add<ScalarizeBoolLoad, ScalarizeBoolStore>(ctx);
    if (failed(applyStage(func, std::move(patterns), "polynomial approximation", why)))
      return failure();
  }
  return success();
}
