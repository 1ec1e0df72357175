//===- Fusion.cpp - Fusion groups of softmoe-cpu-codegen ------------------===//
//
// Which ops run in the tile of another (CPUCodegen.h): a reduction or
// contraction ("root") claims the fill or bias broadcast that initializes
// its output and, for contractions, the pointwise ops that consume it right
// after (bias, activation); they are then computed on the root's register
// tile instead of in memory. Groups are decided on the untouched IR by the
// plan stage (formFusionGroups) and fused into the root's tile by the fusion
// stage (tileAlong).
//
//===----------------------------------------------------------------------===//

#include "CPUCodegen.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;
using namespace mlir::softmoe;
using namespace mlir::softmoe::codegen;

/// A buffer that no other Value aliases: a function argument or an
/// allocation. Fusion decisions compare buffers by SSA value, which is only
/// sound for these.
bool codegen::isRootBuffer(Value v) {
  if (isa<BlockArgument>(v))
    return true;
  Operation *def = v.getDefiningOp();
  return def && isa<memref::AllocOp, memref::AllocaOp>(def);
}

static bool isIdentityOn(linalg::LinalgOp op, OpOperand *operand) {
  return op.getMatchingIndexingMap(operand).isIdentity();
}

/// The next (or previous) op in the block that touches memory, skipping
/// pure ops such as constants and views.
Operation *codegen::adjacentMemoryOp(Operation *op, bool forward) {
  Operation *it = forward ? op->getNextNode() : op->getPrevNode();
  while (it && isMemoryEffectFree(it) && it->getNumRegions() == 0)
    it = forward ? it->getNextNode() : it->getPrevNode();
  return it;
}

/// An elementwise op writing all of `buffer` from values it does not read
/// from `buffer`, with the same iteration space: a fill, a broadcast of a
/// bias.
bool codegen::isInitializerOf(linalg::LinalgOp p, Value buffer) {
  if (!p || !p.hasPureBufferSemantics() || p.getNumDpsInits() != 1 ||
      p.getNumReductionLoops() != 0)
    return false;
  OpOperand *init = p.getDpsInitOperand(0);
  if (init->get() != buffer || !isIdentityOn(p, init) ||
      p.payloadUsesValueFromOperand(init))
    return false;
  return llvm::none_of(p.getDpsInputOperands(), [&](OpOperand *in) {
    return in->get() == buffer;
  });
}

/// An elementwise op that reads `buffer` element for element (identity map)
/// and writes a buffer of the same shape element for element.
static bool isPointwiseConsumerOf(linalg::LinalgOp e, Value buffer,
                                  linalg::LinalgOp producer) {
  if (!e || !e.hasPureBufferSemantics() || e.getNumDpsInits() != 1 ||
      e.getNumReductionLoops() != 0)
    return false;
  OpOperand *init = e.getDpsInitOperand(0);
  if (!isIdentityOn(e, init) || !isRootBuffer(init->get()) ||
      !haveSameShape(init->get(), buffer))
    return false;
  bool readsBuffer = false;
  for (OpOperand &operand : e->getOpOperands()) {
    if (operand.get() != buffer)
      continue;
    if (!isIdentityOn(e, &operand))
      return false;
    readsBuffer = true;
  }
  if (!readsBuffer)
    return false;
  // The consumer's tile is written while the producer still reads its inputs
  // for other tiles.
  return llvm::none_of(producer.getDpsInputOperands(), [&](OpOperand *in) {
    return in->get() == init->get();
  });
}

static FusionGroup findFusionGroup(linalg::LinalgOp root, bool isContraction) {
  FusionGroup g;
  g.root = root;
  if (root.getNumDpsInits() != 1)
    return g;
  Value acc = root.getDpsInitOperand(0)->get();
  if (!isRootBuffer(acc))
    return g;
  auto prev = dyn_cast_or_null<linalg::LinalgOp>(
      adjacentMemoryOp(root, /*forward=*/false));
  if (prev && isInitializerOf(prev, acc) &&
      cast<MemRefType>(acc.getType()).getShape() ==
          ArrayRef<int64_t>(staticLoopRanges(prev)))
    g.initializer = prev;
  if (!isContraction)
    return g;
  // A chain of pointwise consumers, each reading the previous one's output.
  // The root's output map must be a projection whose results match the
  // consumer's identity space, i.e. the accumulator buffer's own indexing.
  Value current = acc;
  Operation *it = root;
  while (auto next = dyn_cast_or_null<linalg::LinalgOp>(
             adjacentMemoryOp(it, /*forward=*/true))) {
    if (!isPointwiseConsumerOf(next, current, root))
      break;
    g.consumers.push_back(next);
    current = next.getDpsInitOperand(0)->get();
    it = next;
  }
  return g;
}

/// Puts `g` in both branches of an scf.if on the run-time extent of the
/// root's dimension `v.dim`: at most `v.maxExtent`, the root streams B and
/// its initializer and consumers are kernels of their own (as for a static
/// streamed contraction); beyond, a clone of the group is fused and does not
/// stream. Appends the resulting groups to `out`.
static void splitStreamVersions(RewriterBase &rewriter, FusionGroup g,
                                const StreamVersions &v,
                                DenseSet<Operation *> &fused,
                                SmallVectorImpl<FusionGroup> &out) {
  SmallVector<Operation *> members;
  if (g.initializer)
    members.push_back(g.initializer);
  members.push_back(g.root);
  for (linalg::LinalgOp c : g.consumers)
    members.push_back(c);
  Location loc = g.root.getLoc();
  rewriter.setInsertionPointAfter(members.back());
  SmallVector<Range> ranges = g.root.createLoopRanges(rewriter, loc);
  Value extent =
      getValueOrCreateConstantIndexOp(rewriter, loc, ranges[v.dim].size);
  Value cond = arith::CmpIOp::create(
      rewriter, loc, arith::CmpIPredicate::ule, extent,
      arith::ConstantIndexOp::create(rewriter, loc, v.maxExtent));
  auto ifOp = scf::IfOp::create(rewriter, loc, cond, /*withElseRegion=*/true);

  FusionGroup fusedVersion;
  rewriter.setInsertionPoint(ifOp.elseBlock()->getTerminator());
  for (Operation *m : members) {
    auto c = cast<linalg::LinalgOp>(rewriter.clone(*m));
    if (m == g.initializer.getOperation()) {
      fusedVersion.initializer = c;
      fused.insert(c);
    } else if (m == g.root.getOperation()) {
      fusedVersion.root = c;
    } else {
      fusedVersion.consumers.push_back(c);
      fused.insert(c);
    }
  }
  fusedVersion.streamBlock = 0;

  for (Operation *m : members) {
    m->moveBefore(ifOp.thenBlock()->getTerminator());
    fused.erase(m);
  }
  auto alone = [](linalg::LinalgOp op) {
    FusionGroup one;
    one.root = op;
    return one;
  };
  if (g.initializer)
    out.push_back(alone(g.initializer));
  FusionGroup streamed = alone(g.root);
  streamed.streamBlock = v.block;
  out.push_back(streamed);
  for (linalg::LinalgOp c : g.consumers)
    out.push_back(alone(c));
  out.push_back(fusedVersion);
}

/// Offsets and sizes, in the coordinates of the root buffer, of a tile that
/// reaches it through a chain of unit-stride, rank-preserving subviews.
static FailureOr<std::pair<SmallVector<OpFoldResult>, SmallVector<OpFoldResult>>>
tileOfRootBuffer(OpBuilder &b, Location loc, Value view, Value root) {
  auto rank = cast<MemRefType>(root.getType()).getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes;
  while (view != root) {
    auto sv = view.getDefiningOp<memref::SubViewOp>();
    if (!sv || sv.getSourceType().getRank() != rank ||
        sv.getType().getRank() != rank || !sv.hasUnitStride())
      return failure();
    if (sizes.empty())
      sizes = sv.getMixedSizes();
    AffineExpr d0, d1;
    bindDims(b.getContext(), d0, d1);
    for (auto [i, off] : llvm::enumerate(sv.getMixedOffsets()))
      offsets[i] = affine::makeComposedFoldedAffineApply(b, loc, d0 + d1,
                                                         {offsets[i], off});
    view = sv.getSource();
  }
  if (sizes.empty())
    sizes = memref::getMixedSizes(b, loc, root);
  return std::make_pair(offsets, sizes);
}

/// Creates the tile of `op` (whose iteration space is the accumulator
/// buffer's index space) that covers the same elements as `tiledRoot`'s
/// output, at the current insertion point.
LogicalResult codegen::tileAlong(RewriterBase &rewriter, linalg::LinalgOp op,
                                 linalg::LinalgOp tiledRoot, Value rootBuffer) {
  auto tile = tileOfRootBuffer(rewriter, op.getLoc(),
                               tiledRoot.getDpsInitOperand(0)->get(),
                               rootBuffer);
  if (failed(tile))
    return failure();
  FailureOr<TilingResult> r =
      cast<TilingInterface>(op.getOperation())
          .getTiledImplementation(rewriter, tile->first, tile->second);
  if (failed(r))
    return failure();
  for (Operation *t : r->tiledOps)
    t->setAttr(kVectorize, rewriter.getUnitAttr());
  return success();
}

/// Collapses runs of consecutive loop dimensions that every operand indexes
/// contiguously (e.g. the (expert, slot) pair of the router's output), so
/// that kernels see one long dimension instead of a short inner one. Returns
/// the new op, or `op` when nothing collapses.
static linalg::LinalgOp collapseContiguousDims(RewriterBase &rewriter,
                                               linalg::LinalgOp op) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic)
    return op;
  bool identityLayouts = llvm::all_of(op->getOperands(), [](Value v) {
    auto t = dyn_cast<MemRefType>(v.getType());
    return !t || t.getLayout().isIdentity();
  });
  if (!identityLayouts)
    return op;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  // Constant results (a kept unit dimension of a reduction, (d0, d1, 0))
  // have no loop dimension to collapse with; upstream's collapse builds an
  // invalid reshape for them.
  if (!llvm::all_of(maps,
                    [](AffineMap m) { return m.isProjectedPermutation(); }))
    return op;
  auto iters = op.getIteratorTypesArray();
  SmallVector<ReassociationIndices> groups;
  unsigned n = op.getNumLoops();
  for (unsigned d = 0; d < n;) {
    ReassociationIndices g{int64_t(d)};
    while (d + 1 < n && iters[d + 1] == iters[d]) {
      ReassociationIndices ext = g;
      ext.push_back(d + 1);
      if (!linalg::areDimSequencesPreserved(maps, {ext}))
        break;
      g = ext;
      ++d;
    }
    ++d;
    if (g.size() > 1)
      groups.push_back(g);
  }
  if (groups.empty())
    return op;
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::CollapseResult> r =
      linalg::collapseOpIterationDims(op, groups, rewriter);
  if (failed(r))
    return op;
  rewriter.eraseOp(op);
  return r->collapsedOp;
}

SmallVector<FusionGroup>
codegen::formFusionGroups(RewriterBase &rewriter, func::FuncOp func,
                          const CodegenOptions &options,
                          DenseSet<Operation *> &fused) {
  const CPUTarget &cpu = *options.target;
  // Fusion groups are decided on the untouched IR, in program order.
  SmallVector<linalg::LinalgOp> ops;
  func.walk([&](linalg::LinalgOp op) {
    if (op.hasPureBufferSemantics() && !isa<linalg::CopyOp>(op))
      ops.push_back(op);
  });
  // Roots (ops with reductions) claim their initializers and consumers
  // first; every op nobody claimed is a kernel of its own.
  DenseMap<Operation *, FusionGroup> rootGroups;
  DenseMap<Operation *, StreamVersions> versioned;
  for (linalg::LinalgOp op : ops) {
    if (fused.contains(op) || op.getNumReductionLoops() == 0)
      continue;
    FusionGroup group =
        findFusionGroup(op, linalg::isaContractionOpInterface(op));
    // A streamed contraction stores its accumulators once per reduction
    // block, so its initializer runs before and its consumers after it, as
    // kernels of their own.
    FailureOr<KernelPlan> plan =
        planContraction(op, cpu, registerTileFor(op, options), options.threads,
                        options.minParallelWork, options.streamBlock,
                        options.expected, options.packPanels);
    std::optional<StreamVersions> versions;
    if (options.streamBlock == -1)
      versions = streamVersions(op, cpu, registerTileFor(op, options),
                                options.threads, options.minParallelWork);
    if (versions)
      versioned[op] = *versions;
    else if (succeeded(plan) && plan->streamBlock) {
      group.initializer = nullptr;
      group.consumers.clear();
    }
    if (group.initializer && fused.contains(group.initializer))
      group.initializer = nullptr;
    if (group.initializer)
      fused.insert(group.initializer);
    for (linalg::LinalgOp c : group.consumers)
      fused.insert(c);
    rootGroups[op] = group;
  }
  SmallVector<FusionGroup> groups;
  for (linalg::LinalgOp op : ops) {
    if (fused.contains(op))
      continue;
    auto it = rootGroups.find(op);
    if (it != rootGroups.end()) {
      groups.push_back(it->second);
    } else {
      FusionGroup g;
      g.root = op;
      groups.push_back(g);
    }
  }
  // Streaming decided at run time: both versions, each a group of its own.
  if (!versioned.empty()) {
    SmallVector<FusionGroup> split;
    for (FusionGroup &g : groups) {
      auto it = versioned.find(g.root);
      if (it == versioned.end())
        split.push_back(g);
      else
        splitStreamVersions(rewriter, g, it->second, fused, split);
    }
    groups = std::move(split);
  }
  // Collapse each kernel's dimensions. A fill that initializes a collapsed
  // root is re-created on the root's collapsed view; roots with other fused
  // ops keep their dimensions (the fused ops' tiles follow the root's).
  for (FusionGroup &g : groups) {
    if (fused.contains(g.root) || !g.consumers.empty())
      continue;
    auto fill = dyn_cast_or_null<linalg::FillOp>(
        g.initializer ? g.initializer.getOperation() : nullptr);
    if (g.initializer && !fill)
      continue;
    linalg::LinalgOp collapsed = collapseContiguousDims(rewriter, g.root);
    if (collapsed == g.root)
      continue;
    g.root = collapsed;
    if (fill) {
      rewriter.setInsertionPoint(collapsed);
      auto newFill = linalg::FillOp::create(
          rewriter, fill.getLoc(), fill.getInputs(),
          ValueRange{collapsed.getDpsInitOperand(0)->get()});
      fused.erase(fill);
      rewriter.eraseOp(fill);
      g.initializer = cast<linalg::LinalgOp>(newFill.getOperation());
      fused.insert(newFill);
    }
  }
  return groups;
}
