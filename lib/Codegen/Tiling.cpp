//===- Tiling.cpp - The fusion and tile stages of softmoe-cpu-codegen -----===//
//
// The loop nests of every kernel (CPUCodegen.h). The fusion stage tiles each
// kernel root by the plan the plan stage wrote on it (threads, then the
// loops around one register tile) and fuses its group into the tile; the
// tile stage peels the partial tiles, so that every full tile has static
// shapes, and a dynamic extent's loops at the last full tile.
//
//===----------------------------------------------------------------------===//

#include "CPUCodegen.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/AffineCanonicalizationUtils.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;
using namespace mlir::softmoe;
using namespace mlir::softmoe::codegen;

static SmallVector<OpFoldResult> toOfr(OpBuilder &b, ArrayRef<int64_t> v) {
  return llvm::map_to_vector(
      v, [&](int64_t x) -> OpFoldResult { return b.getIndexAttr(x); });
}

FailureOr<linalg::LinalgOp>
codegen::tileWith(RewriterBase &rewriter, linalg::LinalgOp op,
                  ArrayRef<int64_t> tiles, ArrayRef<int64_t> order,
                  scf::SCFTilingOptions::LoopType loopType,
                  SmallVectorImpl<LoopLikeOpInterface> *loops) {
  if (llvm::all_of(tiles, [](int64_t t) { return t == 0; }))
    return op;
  scf::SCFTilingOptions opts;
  opts.setTileSizes(toOfr(rewriter, tiles)).setLoopType(loopType);
  if (!order.empty()) {
    // tileUsingSCF wants a permutation of all loops.
    SmallVector<int64_t> interchange(order);
    for (unsigned d = 0; d < op.getNumLoops(); ++d)
      if (!llvm::is_contained(interchange, int64_t(d)))
        interchange.push_back(d);
    opts.setInterchange(interchange);
  }
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> r = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), opts);
  if (failed(r) || r->tiledOps.size() != 1)
    return failure();
  if (loops)
    loops->append(r->loops.begin(), r->loops.end());
  rewriter.eraseOp(op);
  return cast<linalg::LinalgOp>(r->tiledOps.front());
}

/// Tiles every dynamic dimension of `op` by 1 (parallel ones, and with
/// `reductions` reduction ones too) and folds the unit sizes, so that the
/// tile is static once its views are canonicalized. This is what runs the
/// remainder that peeling leaves of a dynamic extent.
FailureOr<linalg::LinalgOp>
codegen::tileDynamicDimsByOne(RewriterBase &rewriter, linalg::LinalgOp op,
                              bool reductions) {
  SmallVector<int64_t> ranges = staticLoopRanges(op);
  auto iters = op.getIteratorTypesArray();
  SmallVector<int64_t> tiles(op.getNumLoops(), 0);
  for (unsigned d = 0; d < op.getNumLoops(); ++d)
    if (ShapedType::isDynamic(ranges[d]) &&
        (reductions || linalg::isParallelIterator(iters[d])))
      tiles[d] = 1;
  if (llvm::all_of(tiles, [](int64_t t) { return t == 0; }))
    return op;
  SmallVector<LoopLikeOpInterface> loops;
  FailureOr<linalg::LinalgOp> t =
      tileWith(rewriter, op, tiles, {},
               scf::SCFTilingOptions::LoopType::ForOp, &loops);
  if (failed(t))
    return failure();
  return *t;
}

/// Peels a loop with dynamic bounds at the last multiple of its step, and
/// folds the tile sizes (min(step, ub - iv)) of its full iterations to the
/// step. Unlike upstream's peelForLoopAndSimplifyBounds, only the min/max
/// ops that use the induction variable directly are simplified: that one
/// solves a Presburger problem for every min/max op of the whole nest, which
/// took tens of seconds on a whole layer.
static LogicalResult peelDynamicLoop(RewriterBase &rewriter, scf::ForOp forOp,
                                     scf::ForOp &partial) {
  if (forOp.getNumResults())
    return failure();
  Location loc = forOp.getLoc();
  Value lb = forOp.getLowerBound(), ub = forOp.getUpperBound(),
        step = forOp.getStep(), iv = forOp.getInductionVar();
  rewriter.setInsertionPoint(forOp);
  AffineExpr l, u, st;
  bindSymbols(rewriter.getContext(), l, u, st);
  Value split = affine::makeComposedAffineApply(rewriter, loc, u - (u - l) % st,
                                                {lb, ub, step});
  rewriter.setInsertionPointAfter(forOp);
  partial = cast<scf::ForOp>(rewriter.clone(*forOp));
  rewriter.modifyOpInPlace(
      partial, [&] { partial.getLowerBoundMutable().assign(split); });
  rewriter.modifyOpInPlace(
      forOp, [&] { forOp.getUpperBoundMutable().assign(split); });
  SmallVector<Operation *> sizes;
  forOp.getBody()->walk([&](Operation *op) {
    if (isa<affine::AffineMinOp, affine::AffineMaxOp>(op) &&
        llvm::is_contained(op->getOperands(), iv))
      sizes.push_back(op);
  });
  for (Operation *op : sizes) {
    rewriter.setInsertionPoint(op);
    (void)scf::rewritePeeledMinMaxOp(rewriter, op, iv, ub, step,
                                     /*insideLoop=*/true);
  }
  return success();
}

/// Peels the last partial iteration of every loop nested in `root` (and
/// `root` itself) whose trip count is dynamic, or static and not a multiple
/// of its step, so that the tiles inside have static shapes. Peeling an outer
/// loop clones its body, so the walk repeats until every copy is peeled.
///
/// Not upstream's linalg::peelLoops(rewriter, loops): it peels the loops it
/// is given and no more, so the copies of inner loops that peeling an outer
/// one puts in its partial iteration keep their partial tiles. Swapped in (on
/// every loop of a kernel, outermost first), the static layers and tests
/// came out byte-identical, but a matmul partial in both dimensions (11x100
/// at 5x80) ran its 11x20 corner as eleven one-row kernels with its fill and
/// ReLU in separate loops, instead of two 5x20 register tiles and one row.
/// On dynamic bounds it calls peelForLoopAndSimplifyBounds, which only
/// differs from peelDynamicLoop below in also folding the remainder's tile
/// size (affine.min to affine.apply), the same kernels.
void codegen::peelPartialTiles(RewriterBase &rewriter, Operation *root) {
  // Visited loops carry a marker (kPeelSeen) rather than sit in a pointer
  // set: peeling erases and creates ops, and addresses get reused.
  auto unit = rewriter.getUnitAttr();
  // Peeling the root itself puts the partial iteration beside it.
  SmallVector<Operation *> roots{root};
  bool changed = true;
  while (changed) {
    changed = false;
    for (unsigned i = 0; i < roots.size() && !changed; ++i)
    roots[i]->walk<WalkOrder::PreOrder>([&](scf::ForOp forOp) {
      if (forOp->hasAttr(kPeelSeen))
        return WalkResult::advance();
      forOp->setAttr(kPeelSeen, unit);
      std::optional<int64_t> lb = getConstantIntValue(forOp.getLowerBound());
      std::optional<int64_t> ub = getConstantIntValue(forOp.getUpperBound());
      std::optional<int64_t> step = getConstantIntValue(forOp.getStep());
      // Dynamic bounds (a `?` extent) are peeled whatever they turn out to
      // be: the main loop's tiles are then static.
      if (!step || *step == 1 ||
          (lb && ub && ((*ub - *lb) % *step == 0 || *ub - *lb < *step)))
        return WalkResult::advance();
      scf::ForOp partial;
      if (failed(lb && ub ? scf::peelForLoopAndSimplifyBounds(rewriter, forOp,
                                                             partial)
                          : peelDynamicLoop(rewriter, forOp, partial)))
        return WalkResult::advance();
      partial->setAttr(kPeelSeen, unit);
      if (llvm::is_contained(roots, forOp.getOperation()))
        roots.push_back(partial);
      // Nested loops were cloned into the partial iteration: walk again.
      changed = true;
      return WalkResult::interrupt();
    });
  }
  for (Operation *r : roots)
    r->walk([&](scf::ForOp forOp) { forOp->removeAttr(kPeelSeen); });
}

/// Tiles `op` by its plan: an scf.forall over the threads' dimension, the
/// loops around one register tile (a packed panel copied in the panel loop),
/// and the tiles of its fused initializer and consumers on the same tile of
/// the accumulator. The tile is marked for the next stages, and the
/// outermost loop for peeling (kPeelRoot).
static LogicalResult buildKernel(RewriterBase &rewriter, linalg::LinalgOp op,
                                 const KernelPlan &plan,
                                 const FusionGroup &group) {
  unsigned nLoops = op.getNumLoops();
  Value accBuffer = op.getDpsInitOperand(0)->get();
  SmallVector<LoopLikeOpInterface> loops;
  int64_t kExtent = plan.packB ? staticLoopRanges(op)[plan.kDim] : 0;

  // Threads: one scf.forall over the chosen dimension.
  linalg::LinalgOp current = op;
  SmallVector<int64_t> parallelTiles(plan.parallelTiles);
  if (plan.forallDim >= 0) {
    SmallVector<int64_t> tiles(nLoops, 0);
    tiles[plan.forallDim] = parallelTiles[plan.forallDim];
    // A dynamic dimension is tiled again inside, by the same tile: that
    // one-trip loop is peeled like any other, so a thread's full tiles are
    // static.
    if (!ShapedType::isDynamic(staticLoopRanges(op)[plan.forallDim]))
      parallelTiles[plan.forallDim] = 0;
    FailureOr<linalg::LinalgOp> t =
        tileWith(rewriter, current, tiles, {},
                 scf::SCFTilingOptions::LoopType::ForallOp, &loops);
    if (failed(t))
      return failure();
    current = *t;
  }
  // Parallel tiles: the loops around one register tile.
  SmallVector<int64_t> order;
  for (int64_t d : plan.parallelOrder)
    if (parallelTiles[d])
      order.push_back(d);
  // A packed panel: the loops down to the panel, the copy, then the row
  // strips.
  if (plan.packB) {
    auto lanePos = llvm::find(plan.parallelOrder, plan.laneDim);
    SmallVector<int64_t> outerTiles(nLoops, 0), outerOrder, innerOrder;
    for (int64_t d : order) {
      bool outer = llvm::find(plan.parallelOrder, d) <= lanePos;
      (outer ? outerOrder : innerOrder).push_back(d);
      if (outer) {
        outerTiles[d] = parallelTiles[d];
        parallelTiles[d] = 0;
      }
    }
    FailureOr<linalg::LinalgOp> t =
        tileWith(rewriter, current, outerTiles, outerOrder,
                 scf::SCFTilingOptions::LoopType::ForOp, &loops);
    if (failed(t))
      return failure();
    current = *t;
    if (failed(packPanel(rewriter, current, plan.rowInput == 0 ? 1 : 0, plan,
                         kExtent)))
      return failure();
    order = innerOrder;
  }
  FailureOr<linalg::LinalgOp> t =
      tileWith(rewriter, current, parallelTiles, order,
               scf::SCFTilingOptions::LoopType::ForOp, &loops);
  if (failed(t))
    return failure();
  current = *t;

  // Fused initializer and consumers, on the same tile of the accumulator.
  if (group.initializer) {
    rewriter.setInsertionPoint(current);
    if (failed(tileAlong(rewriter, group.initializer, current, accBuffer)))
      return failure();
  }
  rewriter.setInsertionPointAfter(current);
  for (linalg::LinalgOp c : group.consumers) {
    if (failed(tileAlong(rewriter, c, current, accBuffer)))
      return failure();
  }
  if (group.initializer)
    rewriter.eraseOp(group.initializer);
  for (linalg::LinalgOp c : group.consumers)
    rewriter.eraseOp(c);

  current->setAttr(kReduceLater, rewriter.getUnitAttr());
  if (plan.streamBlock)
    current->setAttr(kStream, rewriter.getDenseI64ArrayAttr(
                                  {plan.streamBlock, plan.streamPanel}));
  if (plan.bf16Dot)
    current->setAttr(kDotPairs, rewriter.getUnitAttr());
  if (!loops.empty())
    loops.front()->setAttr(kPeelRoot, rewriter.getUnitAttr());
  return success();
}

/// Folds the sizes and views of tiles to constants where they are.
LogicalResult codegen::cleanupTiles(func::FuncOp func, std::string &why) {
  MLIRContext *ctx = func.getContext();
  RewritePatternSet patterns(ctx);
  memref::SubViewOp::getCanonicalizationPatterns(patterns, ctx);
  affine::AffineMinOp::getCanonicalizationPatterns(patterns, ctx);
  affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
  memref::CastOp::getCanonicalizationPatterns(patterns, ctx);
  linalg::populateLinalgTilingCanonicalizationPatterns(patterns);
  return applyStage(func, std::move(patterns), "tile cleanup", why);
}

//===----------------------------------------------------------------------===//
// The fusion and tile stages
//===----------------------------------------------------------------------===//

LogicalResult codegen::tileAndFuseKernels(RewriterBase &rewriter,
                                          func::FuncOp func, std::string &why) {
  // The kernels in program order, the order they were planned in.
  struct Kernel {
    KernelPlan plan;
    FusionGroup group;
  };
  std::vector<Kernel> kernels;
  DenseMap<int64_t, unsigned> byNumber;
  SmallVector<std::pair<linalg::LinalgOp, int64_t>> fusedOps;
  WalkResult walk = func.walk([&](linalg::LinalgOp op) {
    if (Attribute a = op->getAttr(kPlan)) {
      auto dict = dyn_cast<DictionaryAttr>(a);
      FailureOr<KernelPlan> plan = planFromAttr(dict);
      if (failed(plan) ||
          int64_t(plan->parallelTiles.size()) != op.getNumLoops() ||
          !byNumber
               .try_emplace(dict.getAs<IntegerAttr>("kernel").getInt(),
                            kernels.size())
               .second)
        return WalkResult::interrupt();
      Kernel k{*plan, FusionGroup()};
      k.group.root = op;
      kernels.push_back(std::move(k));
    } else if (Attribute a = op->getAttr(kFusedInto)) {
      auto number = dyn_cast<IntegerAttr>(a);
      if (!number)
        return WalkResult::interrupt();
      fusedOps.emplace_back(op, number.getInt());
    }
    return WalkResult::advance();
  });
  if (walk.wasInterrupted()) {
    why = ("an unexpected " + kPlan + " or " + kFusedInto).str();
    return failure();
  }
  for (auto [op, number] : fusedOps) {
    auto it = byNumber.find(number);
    if (it == byNumber.end()) {
      why = (kFusedInto + " of a kernel that has no " + kPlan).str();
      return failure();
    }
    FusionGroup &g = kernels[it->second].group;
    // The initializer runs before the root, the consumers (in order) after.
    if (op->getBlock() == g.root->getBlock() && op->isBeforeInBlock(g.root)) {
      if (g.initializer) {
        why = ("two initializers " + kFusedInto + " one kernel").str();
        return failure();
      }
      g.initializer = op;
    } else {
      g.consumers.push_back(op);
    }
  }
  for (Kernel &k : kernels) {
    k.group.root->removeAttr(kPlan);
    if (k.group.initializer)
      k.group.initializer->removeAttr(kFusedInto);
    for (linalg::LinalgOp c : k.group.consumers)
      c->removeAttr(kFusedInto);
  }
  for (Kernel &k : kernels) {
    linalg::LinalgOp op = k.group.root;
    if (failed(buildKernel(rewriter, op, k.plan, k.group))) {
      why = "could not tile " + op->getName().getStringRef().str();
      return failure();
    }
  }
  return success();
}

void codegen::peelKernels(RewriterBase &rewriter, func::FuncOp func) {
  SmallVector<Operation *> roots;
  func.walk([&](Operation *op) {
    if (op->hasAttr(kPeelRoot))
      roots.push_back(op);
  });
  for (Operation *root : roots) {
    root->removeAttr(kPeelRoot);
    peelPartialTiles(rewriter, root);
  }
}
