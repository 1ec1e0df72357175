//===- RegisterTiling.cpp - Register tiles of softmoe-cpu-codegen ---------===//
//
// What turns a loop nest of linalg tiles into register tiles (CPUCodegen.h):
// panel packing (called by the fusion stage), the vectorize stage
// (reductions tiled by register steps, unit tiles for dynamic remainders,
// linalg::vectorize), the register stage (one register per vector op, and
// the accumulator tile carried in registers across the reduction loop, which
// upstream's hoisting gives up on) and the software prefetches of the
// vector stage.
//
//===----------------------------------------------------------------------===//

#include "CPUCodegen.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

using namespace mlir;
using namespace mlir::softmoe;
using namespace mlir::softmoe::codegen;

/// Copies the column panel that `op` (tiled down to one panel, not yet to
/// row strips) reads from its input `bInput` into a contiguous buffer of
/// the plan's panel shape, and makes `op` read the copy. The buffer is
/// allocated once per iteration of the enclosing scf.forall (on the heap),
/// or once per call on the stack; the copy runs in the panel loop, tiled along the reduction and
/// vectorized like any other tile.
LogicalResult codegen::packPanel(RewriterBase &rewriter, linalg::LinalgOp op,
                                 unsigned bInput, const KernelPlan &plan,
                                 int64_t kExtent) {
  OpOperand *bOperand = op.getDpsInputOperand(bInput);
  Value b = bOperand->get();
  auto bType = cast<MemRefType>(b.getType());
  Location loc = op.getLoc();
  AffineMap map = op.getMatchingIndexingMap(bOperand);
  SmallVector<int64_t> shape, copyTiles;
  // Rows per step of the copy: a divisor of the reduction, a few registers.
  int64_t rowsPerStep = 1;
  for (int64_t r : {8, 4, 2})
    if (kExtent % r == 0) {
      rowsPerStep = r;
      break;
    }
  for (AffineExpr e : map.getResults()) {
    unsigned d = cast<AffineDimExpr>(e).getPosition();
    shape.push_back(int64_t(d) == plan.laneDim ? plan.parallelTiles[d]
                    : int64_t(d) == plan.kDim  ? kExtent
                                               : 1);
    copyTiles.push_back(int64_t(d) == plan.kDim ? rowsPerStep : 0);
  }
  for (auto [want, have] : llvm::zip(shape, bType.getShape()))
    if (!ShapedType::isDynamic(have) && have > want)
      return failure();

  OpBuilder::InsertionGuard guard(rewriter);
  auto bufferType = MemRefType::get(shape, bType.getElementType());
  Value buffer;
  if (auto forall = op->getParentOfType<scf::ForallOp>()) {
    // On the heap: the OpenMP lowering makes the body of a thread's
    // iteration an alloca scope that cannot hold the loops' blocks.
    rewriter.setInsertionPointToStart(forall.getBody());
    buffer = memref::AllocOp::create(rewriter, loc, bufferType, ValueRange{},
                                     rewriter.getI64IntegerAttr(64));
    rewriter.setInsertionPoint(forall.getBody()->getTerminator());
    memref::DeallocOp::create(rewriter, loc, buffer);
  } else {
    rewriter.setInsertionPointToStart(
        &op->getParentOfType<func::FuncOp>().getBody().front());
    buffer = memref::AllocaOp::create(rewriter, loc, bufferType, ValueRange{},
                                      rewriter.getI64IntegerAttr(64));
  }
  rewriter.setInsertionPoint(op);
  SmallVector<OpFoldResult> sizes = memref::getMixedSizes(rewriter, loc, b);
  Value packed = memref::SubViewOp::create(
      rewriter, loc, buffer,
      SmallVector<OpFoldResult>(shape.size(), rewriter.getIndexAttr(0)),
      sizes, SmallVector<OpFoldResult>(shape.size(), rewriter.getIndexAttr(1)));
  auto copy = linalg::CopyOp::create(rewriter, loc, b, packed);
  rewriter.modifyOpInPlace(op, [&] { bOperand->set(packed); });
  FailureOr<linalg::LinalgOp> tiled =
      tileWith(rewriter, cast<linalg::LinalgOp>(copy.getOperation()),
               copyTiles, {}, scf::SCFTilingOptions::LoopType::ForOp);
  if (failed(tiled))
    return failure();
  (*tiled)->setAttr(kVectorize, rewriter.getUnitAttr());
  return success();
}

/// their shapes static) and vectorizes every marked tile.
LogicalResult codegen::vectorizeTiles(RewriterBase &rewriter, func::FuncOp func,
                                      std::string &why) {
  // Peeling leaves affine.min sizes that fold to constants.
  if (failed(cleanupTiles(func, why)))
    return failure();
  SmallVector<linalg::LinalgOp> pending;
  func.walk([&](linalg::LinalgOp op) {
    if (op->hasAttr(kReduceLater))
      pending.push_back(op);
  });
  for (linalg::LinalgOp op : pending) {
    op->removeAttr(kReduceLater);
    // The remainder of a dynamic extent: unit tiles along it.
    FailureOr<linalg::LinalgOp> unit = tileDynamicDimsByOne(
        rewriter, op, /*reductions=*/false);
    if (failed(unit))
      return failure();
    op = *unit;
    auto iters = op.getIteratorTypesArray();
    SmallVector<int64_t> ranges = staticLoopRanges(op);
    SmallVector<int64_t> tiles(op.getNumLoops(), 0);
    // Pairs of reduction steps for vdpbf16ps where the extent is even (an
    // odd remainder block takes single steps, with FMAs).
    bool pairs = op->hasAttr(kDotPairs);
    op->removeAttr(kDotPairs);
    for (unsigned d = 0; d < op.getNumLoops(); ++d)
      if (linalg::isReductionIterator(iters[d]))
        tiles[d] = pairs && !ShapedType::isDynamic(ranges[d]) &&
                           ranges[d] % 2 == 0
                       ? 2
                       : 1;
    // A reduction along the vector lanes steps by its lane tile (lanes run
    // along static dimensions only).
    if (auto keep = op->getAttrOfType<DenseI64ArrayAttr>(kLaneReduction)) {
      if (!ShapedType::isDynamic(ranges[keep[0]]))
        tiles[keep[0]] = keep[1] >= ranges[keep[0]] ? 0 : keep[1];
      op->removeAttr(kLaneReduction);
    }
    SmallVector<LoopLikeOpInterface> loops;
    FailureOr<linalg::LinalgOp> t =
        tileWith(rewriter, op, tiles, {},
                 scf::SCFTilingOptions::LoopType::ForOp, &loops);
    if (failed(t))
      return failure();
    for (LoopLikeOpInterface l : loops)
      l->setAttr(kAccLoop, rewriter.getUnitAttr());
    if (Attribute stream = (*t)->getAttr(kStream)) {
      (*t)->removeAttr(kStream);
      if (!loops.empty())
        loops.back()->setAttr(kStream, stream);
    }
    (*t)->setAttr(kVectorize, rewriter.getUnitAttr());
  }
  SmallVector<linalg::LinalgOp> tiles;
  func.walk([&](linalg::LinalgOp op) {
    if (op->hasAttr(kVectorize))
      tiles.push_back(op);
  });
  // Remainders of dynamic extents: unit tiles, static once the views fold.
  bool unitTiled = false;
  for (linalg::LinalgOp &op : tiles) {
    FailureOr<linalg::LinalgOp> unit =
        tileDynamicDimsByOne(rewriter, op, /*reductions=*/true);
    if (failed(unit))
      return failure();
    unitTiled |= *unit != op;
    op = *unit;
    op->setAttr(kVectorize, rewriter.getUnitAttr());
  }
  if (unitTiled) {
    if (failed(cleanupTiles(func, why)))
      return failure();
    tiles.clear();
    func.walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(kVectorize))
        tiles.push_back(op);
    });
  }
  for (linalg::LinalgOp op : tiles) {
    op->removeAttr(kVectorize);
    if (!hasStaticShapes(op))
      continue;
    rewriter.setInsertionPoint(op);
    if (failed(linalg::vectorize(rewriter, op, /*inputVectorSizes=*/{},
                                 /*inputScalableVecDims=*/{},
                                 /*vectorizeNDExtract=*/false,
                                 /*flatten1DDepthwiseConv=*/false,
                                 /*assumeDynamicDimsMatchVecSizes=*/false,
                                 /*createNamedContraction=*/true)))
      continue; // Left to the loop lowering.
    rewriter.eraseOp(op);
  }
  return success();
}

/// Keeps the accumulator tile of `loop` in registers: every transfer_read of
/// `acc` at loop-invariant indices that is paired with a later transfer_write
/// of the same vector type at the same indices becomes an iter_arg. Upstream's
/// hoistRedundantVectorTransfers gives up as soon as two pieces of one tile
/// share a memref, which is exactly what an unrolled register tile does.
static FailureOr<scf::ForOp> hoistAccumulatorTile(RewriterBase &rewriter,
                                                  scf::ForOp loop, Value acc) {
  SmallVector<vector::TransferReadOp> reads;
  SmallVector<vector::TransferWriteOp> writes;
  for (OpOperand &use : acc.getUses()) {
    Operation *user = use.getOwner();
    if (!loop->isProperAncestor(user))
      continue;
    if (user->getParentOp() != loop)
      return failure();
    if (auto r = dyn_cast<vector::TransferReadOp>(user))
      reads.push_back(r);
    else if (auto w = dyn_cast<vector::TransferWriteOp>(user))
      writes.push_back(w);
    else
      return failure();
  }
  if (reads.empty() || reads.size() != writes.size())
    return failure();
  SmallVector<vector::TransferWriteOp> matched;
  for (vector::TransferReadOp r : reads) {
    if (r.getMask() ||
        !llvm::all_of(r.getIndices(),
                      [&](Value v) { return loop.isDefinedOutsideOfLoop(v); }) ||
        !loop.isDefinedOutsideOfLoop(r.getPadding()))
      return failure();
    auto it = llvm::find_if(writes, [&](vector::TransferWriteOp w) {
      return w.getIndices() == r.getIndices() &&
             w.getVectorType() == r.getVectorType() && !w.getMask() &&
             w.getPermutationMap() == r.getPermutationMap() &&
             r->isBeforeInBlock(w);
    });
    if (it == writes.end() || llvm::is_contained(matched, *it))
      return failure();
    matched.push_back(*it);
  }
  SmallVector<Value> inits;
  for (vector::TransferReadOp r : reads) {
    r->moveBefore(loop);
    inits.push_back(r.getResult());
  }
  SmallVector<Value> yielded = llvm::map_to_vector(
      matched, [](vector::TransferWriteOp w) { return w.getVector(); });
  rewriter.setInsertionPoint(loop);
  FailureOr<LoopLikeOpInterface> newLoop = loop.replaceWithAdditionalYields(
      rewriter, inits, /*replaceInitOperandUsesInLoop=*/true,
      [&](OpBuilder &, Location, ArrayRef<BlockArgument>) { return yielded; });
  if (failed(newLoop))
    return failure();
  auto forOp = cast<scf::ForOp>(newLoop->getOperation());
  unsigned first = forOp.getNumResults() - matched.size();
  Operation *insertAfter = forOp;
  for (auto [i, w] : llvm::enumerate(matched)) {
    w->moveAfter(insertAfter);
    insertAfter = w;
    w.getValueToStoreMutable().assign(forOp.getResult(first + i));
  }
  return forOp;
}

/// Hoists the accumulators of every marked reduction loop, innermost first,
/// and keeps going outward while the enclosing loop is a marked reduction
/// loop too.
static void hoistAccumulators(RewriterBase &rewriter, func::FuncOp func) {
  SmallVector<scf::ForOp> innermost;
  func.walk([&](scf::ForOp l) {
    if (!l->hasAttr(kAccLoop))
      return;
    bool hasInner = false;
    l.getBody()->walk([&](scf::ForOp inner) {
      if (inner->hasAttr(kAccLoop))
        hasInner = true;
    });
    if (!hasInner)
      innermost.push_back(l);
  });
  for (scf::ForOp loop : innermost) {
    while (loop) {
      moveLoopInvariantCode(cast<LoopLikeOpInterface>(loop.getOperation()));
      SetVector<Value> bases;
      for (auto w : loop.getBody()->getOps<vector::TransferWriteOp>())
        bases.insert(w.getBase());
      for (Value base : bases) {
        FailureOr<scf::ForOp> hoisted =
            hoistAccumulatorTile(rewriter, loop, base);
        if (succeeded(hoisted))
          loop = *hoisted;
      }
      auto parent = loop->getParentOfType<scf::ForOp>();
      if (!parent || !parent->hasAttr(kAccLoop))
        break;
      loop = parent;
    }
  }
}

/// The widest piece of at most one register that divides `size` (unrolling
/// needs a divisor; tiles are whole registers except for peeled rests).
int64_t codegen::registerPiece(int64_t size, int64_t lanes) {
  for (int64_t p = std::min(size, lanes); p > 1; --p)
    if (size % p == 0)
      return p;
  return 1;
}

/// A transfer_read that swaps the two minor dimensions of a lanes x lanes
/// vector (the transposing plans of planElementwise), or the vector.transpose
/// that it becomes.
static bool isRegisterTranspose(Operation *op, int64_t lanes) {
  VectorType vt;
  SmallVector<int64_t> perm;
  if (auto read = dyn_cast<vector::TransferReadOp>(op)) {
    AffineMap map = read.getPermutationMap();
    if (map.getNumResults() < 2 || !map.isPermutation())
      return false;
    vt = read.getVectorType();
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      perm.push_back(map.getDimPosition(r));
  } else if (auto t = dyn_cast<vector::TransposeOp>(op)) {
    vt = t.getSourceVectorType();
    perm = llvm::to_vector(t.getPermutation());
  } else {
    return false;
  }
  int64_t n = vt.getRank();
  if (n < 2 || vt.getDimSize(n - 1) != lanes || vt.getDimSize(n - 2) != lanes ||
      vt.getElementTypeBitWidth() != 32 || int64_t(perm.size()) != n)
    return false;
  for (int64_t d = 0; d < n - 2; ++d)
    if (perm[d] != d || vt.getDimSize(d) != 1)
      return false;
  return perm[n - 2] == n - 1 && perm[n - 1] == n - 2;
}

/// Native shape of one vector op after unrolling: one register along the
/// innermost dimension, 1 elsewhere (contractions: along the lane dimension
/// of the accumulator).
static std::optional<SmallVector<int64_t>> nativeShape(Operation *op,
                                                       int64_t lanes,
                                                       bool bf16Dot) {
  SmallVector<int64_t> full, shape;
  if (auto c = dyn_cast<vector::ContractionOp>(op)) {
    auto resTy = dyn_cast<VectorType>(c.getResultType());
    if (!resTy)
      return std::nullopt;
    c.getIterationBounds(full);
    shape.assign(full.size(), 1);
    AffineMap accMap = c.getIndexingMapsArray()[2];
    unsigned lane = accMap.getDimPosition(accMap.getNumResults() - 1);
    shape[lane] = registerPiece(full[lane], lanes);
    // A pair of bf16 reduction steps stays together for one vdpbf16ps.
    if (bf16Dot && c.getLhsType().getElementType().isBF16() &&
        c.getRhsType().getElementType().isBF16() &&
        resTy.getElementType().isF32() && shape[lane] == lanes) {
      for (auto [d, it] : llvm::enumerate(c.getIteratorTypesArray()))
        if (it == vector::IteratorType::reduction && full[d] == 2)
          shape[d] = 2;
    }
  } else {
    // A lanes x lanes transpose stays whole: read by rows, it becomes
    // shuffles of registers (lowerVectorOps) instead of one element at a time.
    if (isRegisterTranspose(op, lanes))
      return std::nullopt;
    VectorType vt;
    if (auto mr = dyn_cast<vector::MultiDimReductionOp>(op))
      vt = mr.getSourceVectorType();
    else if (auto x = dyn_cast<VectorTransferOpInterface>(op))
      vt = x.getVectorType();
    else if (op->getNumResults() == 1)
      vt = dyn_cast<VectorType>(op->getResult(0).getType());
    if (!vt || vt.getRank() == 0)
      return std::nullopt;
    full = llvm::to_vector(vt.getShape());
    shape.assign(full.size(), 1);
    shape.back() = registerPiece(full.back(), lanes);
    // A shape_cast to a column (vector<16xf32> to vector<16x1xf32>, made by
    // TransferReadBroadcastToStretch for a transposing tile) stays whole:
    // 22.1's UnrollShapeCastPattern compares the all-ones target with its
    // leading ones dropped as an array of length -1 (ASan's negative-size
    // memcmp), and the lowering's shape_cast patterns handle it anyway.
    if (isa<vector::ShapeCastOp>(op) &&
        llvm::all_of(shape, [](int64_t s) { return s == 1; }))
      return std::nullopt;
  }
  // Unrolling an op into one piece of its own shape would never stop.
  if (shape == full)
    return std::nullopt;
  return shape;
}

//===----------------------------------------------------------------------===//
// The register stage
//===----------------------------------------------------------------------===//

LogicalResult codegen::tileToRegisters(RewriterBase &rewriter,
                                       func::FuncOp func, int64_t lanes,
                                       bool bf16Dot, std::string &why) {
  MLIRContext *ctx = func.getContext();
  // One register per vector op.
  {
    RewritePatternSet patterns(ctx);
    vector::UnrollVectorOptions unroll;
    unroll.setNativeShapeFn([lanes, bf16Dot](Operation *op) {
      return nativeShape(op, lanes, bf16Dot);
    });
    vector::populateVectorUnrollPatterns(patterns, unroll);
    populateTransferReadBroadcastToStretchPattern(patterns, /*benefit=*/2);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    if (failed(applyStage(func, std::move(patterns), "unroll to registers", why)))
      return failure();
  }
  {
    RewritePatternSet patterns(ctx);
    memref::populateFoldMemRefAliasOpPatterns(patterns);
    // (Not populateVectorTransferDropUnitDimsPatterns: its rank-reducing
    // subviews and the alias folding above undo each other forever.)
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    // A reduction over unit dimensions (the reduction loop's own step) is an
    // elementwise combine; lowering it as a reduction would transpose the
    // unit dimension inward while the patterns above push it back out.
    vector::MultiDimReductionOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyStage(func, std::move(patterns), "unit-dimension folding", why)))
      return failure();
  }
  {
    DominanceInfo dom(func);
    eliminateCommonSubExpressions(rewriter, dom, func);
  }
  hoistAccumulators(rewriter, func);
  return success();
}

/// Software prefetch for the operand a reduction loop streams: every
/// multi-element vector.load in a marked reduction loop whose row index is the
/// loop's induction variable (a row of B in a register tile) gets a prefetch
/// of the same elements `distance` iterations ahead, clamped to the last row.
/// Weight panels are read with a row stride of kilobytes, which the hardware
/// prefetchers follow poorly.
void codegen::insertPrefetches(RewriterBase &rewriter, func::FuncOp func,
                               int64_t distance) {
  if (distance <= 0)
    return;
  func.walk([&](scf::ForOp loop) {
    if (!loop->hasAttr(kAccLoop))
      return;
    Value iv = loop.getInductionVar();
    SmallVector<vector::LoadOp> loads;
    for (auto load : loop.getBody()->getOps<vector::LoadOp>()) {
      if (load.getVectorType().getNumElements() <= 1)
        continue;
      auto idx = load.getIndices();
      if (idx.size() < 2 || !llvm::is_contained(idx.drop_back(), iv))
        continue;
      loads.push_back(load);
    }
    if (loads.empty())
      return;
    Location loc = loop.getLoc();
    rewriter.setInsertionPointToStart(loop.getBody());
    Value ahead = arith::AddIOp::create(
        rewriter, loc, iv,
        arith::MulIOp::create(
            rewriter, loc, loop.getStep(),
            arith::ConstantIndexOp::create(rewriter, loc, distance)));
    Value last = arith::SubIOp::create(
        rewriter, loc, loop.getUpperBound(),
        arith::ConstantIndexOp::create(rewriter, loc, 1));
    Value row = arith::MinSIOp::create(rewriter, loc, ahead, last);
    for (vector::LoadOp load : loads) {
      SmallVector<Value> idx(load.getIndices());
      for (Value &v : idx)
        if (v == iv)
          v = row;
      rewriter.setInsertionPoint(load);
      memref::PrefetchOp::create(rewriter, loc, load.getBase(), idx,
                                 rewriter.getBoolAttr(false),
                                 rewriter.getI32IntegerAttr(3),
                                 rewriter.getBoolAttr(true));
    }
  });
}

/// Whether `v` is `iv` or computed from it by ops inside `loop`.
static bool dependsOn(Value v, Value iv, scf::ForOp loop) {
  if (v == iv)
    return true;
  Operation *def = v.getDefiningOp();
  if (!def || !loop->isProperAncestor(def) || def->getNumRegions())
    return false;
  return llvm::any_of(def->getOperands(),
                      [&](Value o) { return dependsOn(o, iv, loop); });
}

/// Sequential software prefetch for streamed contractions. The loop nest
/// visits one reduction block of B (KC whole rows, contiguous in memory) panel
/// by panel: step r of the innermost loop in panel p reads row k0 + r (and
/// the next, with vdpbf16ps), columns [p*NR, (p+1)*NR). Numbered
/// t = (p*KC + r)*NR, the visits walk the block in order, so prefetching
/// element t of the *next* block (KC rows further on in the flattened B)
/// reads B from memory front to back, which DRAM serves far faster than the
/// strided demand reads. Addresses past the end of B are clamped to its last
/// element.
void codegen::insertStreamPrefetches(RewriterBase &rewriter,
                                     func::FuncOp func) {
  func.walk([&](scf::ForOp loop) {
    auto stream = loop->getAttrOfType<DenseI64ArrayAttr>(kStream);
    if (!stream || stream.size() != 2)
      return;
    int64_t kc = stream[0], nr = stream[1];
    Value iv = loop.getInductionVar();
    // One prefetch run per row of B read in this step: the first load of
    // each distinct row (the panel's leftmost register).
    SmallVector<vector::LoadOp> rowStarts;
    for (auto load : loop.getBody()->getOps<vector::LoadOp>()) {
      auto type = load.getMemRefType();
      if (load.getVectorType().getNumElements() <= 1 || type.getRank() < 2 ||
          !type.hasStaticShape() || !type.getLayout().isIdentity() ||
          !isRootBuffer(load.getBase()))
        continue;
      auto idx = load.getIndices();
      if (!dependsOn(idx[idx.size() - 2], iv, loop) ||
          !loop.isDefinedOutsideOfLoop(idx.back()))
        continue;
      bool seen = llvm::any_of(rowStarts, [&](vector::LoadOp other) {
        return other.getBase() == load.getBase() &&
               other.getIndices().drop_back() == idx.drop_back();
      });
      if (!seen)
        rowStarts.push_back(load);
    }
    DenseMap<Value, Value> flatViews;
    for (vector::LoadOp load : rowStarts) {
      Value base = load.getBase();
      auto type = load.getMemRefType();
      ArrayRef<int64_t> shape = type.getShape();
      unsigned rank = shape.size();
      int64_t elemBytes =
          std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
      Location loc = load.getLoc();
      Value &flatView = flatViews[base];
      if (!flatView) {
        OpBuilder::InsertionGuard guard(rewriter);
        rewriter.setInsertionPointAfterValue(base);
        ReassociationIndices all;
        for (unsigned i = 0; i < rank; ++i)
          all.push_back(i);
        flatView = memref::CollapseShapeOp::create(
            rewriter, loc, base, ArrayRef<ReassociationIndices>{all});
      }
      rewriter.setInsertionPoint(load);
      auto cst = [&](int64_t v) {
        return arith::ConstantIndexOp::create(rewriter, loc, v).getResult();
      };
      auto add = [&](Value a, Value b) {
        return arith::AddIOp::create(rewriter, loc, a, b).getResult();
      };
      auto mul = [&](Value a, int64_t b) {
        return arith::MulIOp::create(rewriter, loc, a, cst(b)).getResult();
      };
      SmallVector<Value> idx(load.getIndices());
      // Blocks start at multiples of KC: r = row mod KC, k0 = row - r.
      Value row = idx[rank - 2], col = idx[rank - 1];
      Value rowInBlock = arith::RemUIOp::create(rewriter, loc, row, cst(kc));
      Value k0 = arith::SubIOp::create(rewriter, loc, row, rowInBlock);
      Value panel = arith::DivUIOp::create(rewriter, loc, col, cst(nr));
      Value lead = cst(0);
      for (unsigned i = 0; i + 2 < rank; ++i)
        lead = add(mul(lead, shape[i]), idx[i]);
      Value nextBlock =
          mul(add(mul(lead, shape[rank - 2]), add(k0, cst(kc))), shape.back());
      Value invariant = add(nextBlock, mul(panel, kc * nr));
      Value flat = add(invariant, mul(rowInBlock, nr));
      int64_t lineElems = std::max<int64_t>(1, 64 / elemBytes);
      for (int64_t off = 0; off < nr; off += lineElems) {
        Value e = arith::MinUIOp::create(rewriter, loc, add(flat, cst(off)),
                                         cst(type.getNumElements() - 1));
        memref::PrefetchOp::create(rewriter, loc, flatView, ValueRange{e},
                                   /*isWrite=*/false, /*localityHint=*/3,
                                   /*isDataCache=*/true);
      }
    }
    // The block and panel offsets are computed once per loop.
    moveLoopInvariantCode(cast<LoopLikeOpInterface>(loop.getOperation()));
  });
}
