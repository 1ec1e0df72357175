//===- CPUCodegen.cpp - Register-tiled CPU kernels from bufferized linalg -===//
//
// softmoe-cpu-codegen: every linalg op on buffers becomes a loop nest of
// vector code. The plan of each op (which dimension is vectorized, the tile
// sizes, the loop order, what is fused into it) is decided here; the loop
// nests are built by upstream tiling (scf::tileUsingSCF), the vector code by
// linalg::vectorize, and a few structural steps that upstream lacks for an
// unrolled register tile (keeping a whole accumulator tile in registers, and
// forwarding it to the fused consumers) are done directly.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Codegen/CPUTarget.h"
#include "softmoe/Codegen/KernelConfig.h"
#include "softmoe/Codegen/Passes.h"

#include "DynamicSizes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/AffineCanonicalizationUtils.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace mlir::softmoe {
#define GEN_PASS_DEF_SOFTMOECPUCODEGEN
#include "softmoe/Codegen/Passes.h.inc"
} // namespace mlir::softmoe

using namespace mlir;
using namespace mlir::softmoe;

/// Marks the reduction loops whose accumulators should live in registers.
static constexpr llvm::StringLiteral kAccLoop = "softmoe.acc_loop";
/// Marks tiled ops whose reduction dimensions are still to be tiled.
static constexpr llvm::StringLiteral kReduceLater = "softmoe.reduce_later";
/// Marks tiled ops that are ready to be vectorized.
static constexpr llvm::StringLiteral kVectorize = "softmoe.vectorize";
/// A reduction dimension vectorized along the lanes, and its tile.
static constexpr llvm::StringLiteral kLaneReduction = "softmoe.lane_reduction";
/// Optional per-op register tile override, `array<i64: MR, NR>`.
static constexpr llvm::StringLiteral kTileAttr = "softmoe.register_tile";
/// A contraction tiled in reduction blocks that streams B, and then its
/// innermost reduction loop: `array<i64: KC, NR>` (block rows, panel width).
static constexpr llvm::StringLiteral kStream = "softmoe.stream";
/// A bf16 x bf16 contraction whose reduction steps by pairs (vdpbf16ps).
static constexpr llvm::StringLiteral kDotPairs = "softmoe.dot_pairs";

namespace {

//===----------------------------------------------------------------------===//
// Plans
//===----------------------------------------------------------------------===//

/// How one linalg op is turned into loops. Tile sizes are per loop dimension;
/// 0 means "not tiled at this level".
struct KernelPlan {
  /// Dimension distributed over threads (tile `forallTile`), or -1.
  int64_t forallDim = -1;
  /// Tile sizes of the parallel dimensions and the order of their loops.
  SmallVector<int64_t> parallelTiles;
  SmallVector<int64_t> parallelOrder;
  /// Tile sizes of the reduction dimensions (innermost loops).
  SmallVector<int64_t> reductionTiles;
  /// Whether the tile is worth vectorizing at all.
  bool vectorize = true;
  /// Rows of B per reduction block when B is streamed (chooseStreamBlock),
  /// else 0. The reduction dimension is then tiled with the parallel ones,
  /// right inside the batch dimensions, and the register tile's width is
  /// `streamPanel`.
  int64_t streamBlock = 0;
  int64_t streamPanel = 0;
  /// B's column panel is copied into a contiguous buffer inside the panel
  /// loop, before the row strips reuse it (choosePackPanel); `laneDim` is
  /// the panel's dimension and `kDim` the reduction.
  bool packB = false;
  int64_t laneDim = -1;
  int64_t kDim = -1;
  /// bf16 inputs, f32 accumulators and a target with vdpbf16ps: the
  /// reduction runs two steps at a time, as dot products of pairs.
  bool bf16Dot = false;
  /// Contractions: the DPS input broadcast along the register tile's rows
  /// ("A"); the other one ("B") is loaded a register of lanes at a time.
  unsigned rowInput = 0;
  /// Contractions: the output's row dimensions (the register tile's rows
  /// come from one of them).
  SmallVector<unsigned> rowDims;
};

static SmallVector<int64_t> staticLoopRanges(linalg::LinalgOp op) {
  return op.getStaticLoopRanges();
}

static bool hasStaticShapes(linalg::LinalgOp op) {
  return llvm::none_of(staticLoopRanges(op),
                       [](int64_t s) { return ShapedType::isDynamic(s); });
}

static int64_t product(ArrayRef<int64_t> v) {
  int64_t p = 1;
  for (int64_t x : v)
    p *= x;
  return p;
}

/// The loop dimension that indexes the last (contiguous) dimension of
/// `operand`, if it is a plain dimension.
static std::optional<unsigned> contiguousDim(linalg::LinalgOp op,
                                             OpOperand *operand) {
  AffineMap map = op.getMatchingIndexingMap(operand);
  if (map.getNumResults() == 0)
    return std::nullopt;
  if (auto d = dyn_cast<AffineDimExpr>(map.getResults().back()))
    return d.getPosition();
  return std::nullopt;
}

/// The dimension distributed over threads (chooseForallDim).
static int64_t pickForallDim(linalg::LinalgOp op, ArrayRef<int64_t> order,
                             ArrayRef<int64_t> ranges, ArrayRef<int64_t> tiles,
                             int64_t threads) {
  SmallVector<bool> parallel = llvm::map_to_vector(
      op.getIteratorTypesArray(),
      [](utils::IteratorType t) { return linalg::isParallelIterator(t); });
  return chooseForallDim(parallel, order, ranges, tiles, threads);
}

/// Register-tiled plan for a contraction whose output's contiguous dimension
/// is the contiguous dimension of one input ("B"), or failure.
static FailureOr<KernelPlan> planContraction(linalg::LinalgOp op,
                                             const CPUTarget &target,
                                             std::optional<RegisterTile> tile,
                                             int64_t threads,
                                             int64_t minParallelWork,
                                             int64_t streamOverride,
                                             int64_t expected,
                                             bool packPanels = false) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !linalg::isaContractionOpInterface(op))
    return failure();
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return failure();
  std::optional<unsigned> lane = contiguousDim(op, op.getDpsInitOperand(0));
  if (!lane)
    return failure();
  // The lane dimension must be contiguous in the input that carries it.
  bool laneIsN = llvm::is_contained(dims->n, *lane);
  bool laneIsM = llvm::is_contained(dims->m, *lane);
  if (!laneIsN && !laneIsM)
    return failure();
  OpOperand *bOperand = op.getDpsInputOperand(laneIsN ? 1 : 0);
  if (contiguousDim(op, bOperand) != lane)
    return failure();
  ArrayRef<unsigned> rowSide = laneIsN ? dims->m : dims->n;

  // Dynamic extents are planned at the expected size.
  SmallVector<int64_t> ranges = expectedLoopRanges(op, expected);
  SmallVector<int64_t> staticRanges = staticLoopRanges(op);
  // Rows of the register tile: the longest dimension on the other side.
  unsigned row = rowSide.front();
  for (unsigned d : rowSide)
    if (ranges[d] > ranges[row])
      row = d;
  auto elementType = [&](OpOperand *operand) {
    return cast<MemRefType>(operand->get().getType()).getElementType();
  };
  KernelPlan plan;
  plan.rowInput = laneIsN ? 0 : 1;
  plan.bf16Dot = target.hasAVX512BF16 && laneIsN && dims->k.size() == 1 &&
                 elementType(op.getDpsInputOperand(0)).isBF16() &&
                 elementType(op.getDpsInputOperand(1)).isBF16() &&
                 elementType(op.getDpsInitOperand(0)).isF32();
  // Streaming B: one batch's B bytes and the FLOPs per byte decide.
  // (Streaming blocks and prefetches assume a static B and reduction.)
  bool staticB = llvm::none_of(
      op.getMatchingIndexingMap(bOperand).getResults(), [&](AffineExpr e) {
        auto d = dyn_cast<AffineDimExpr>(e);
        return !d || ShapedType::isDynamic(staticRanges[d.getPosition()]);
      });
  if (dims->k.size() == 1 && streamOverride != 0 && staticB) {
    unsigned k = dims->k.front();
    int64_t bElemBytes = elementType(bOperand).getIntOrFloatBitWidth() / 8;
    int64_t bBytes = bElemBytes;
    for (AffineExpr e : op.getMatchingIndexingMap(bOperand).getResults())
      if (auto d = dyn_cast<AffineDimExpr>(e);
          d && !llvm::is_contained(dims->batch, d.getPosition()))
        bBytes *= ranges[d.getPosition()];
    int64_t rows = 1;
    for (unsigned d : rowSide)
      rows *= ranges[d];
    plan.streamBlock = streamOverride > 0
                           ? (streamOverride < ranges[k] ? streamOverride : 0)
                           : chooseStreamBlock(target, ranges[k], rows, bBytes,
                                               bElemBytes);
  }
  RegisterTile rt =
      tile ? *tile
      : plan.streamBlock
          ? chooseStreamRegisterTile(target, ranges[row], ranges[*lane],
                                     plan.bf16Dot)
          : chooseRegisterTile(target, ranges[row], ranges[*lane]);

  unsigned nLoops = op.getNumLoops();
  plan.parallelTiles.assign(nLoops, 0);
  plan.reductionTiles.assign(nLoops, 0);
  for (unsigned d = 0; d < nLoops; ++d) {
    if (llvm::is_contained(dims->k, d))
      plan.reductionTiles[d] = 1;
    else
      plan.parallelTiles[d] = 1;
  }
  plan.parallelTiles[row] = std::min(rt.mr, ranges[row]);
  // Whole registers across: a dimension narrower than the tile but wider
  // than one register is split into full registers plus a peeled rest.
  int64_t lanes = target.f32Lanes();
  int64_t nr = std::min(rt.nr, ranges[*lane]);
  if (nr > lanes && nr % lanes)
    nr = nr / lanes * lanes;
  plan.parallelTiles[*lane] = nr;
  plan.laneDim = *lane;
  // Packing: B indexed by batch dims, the one reduction and the panel's
  // dimension only (so the panel is invariant in the row loops), all of
  // them static but the batch.
  if (packPanels && !plan.streamBlock && dims->k.size() == 1) {
    unsigned k = dims->k.front();
    bool packable = !ShapedType::isDynamic(staticRanges[k]) &&
                    !ShapedType::isDynamic(staticRanges[*lane]);
    for (AffineExpr e : op.getMatchingIndexingMap(bOperand).getResults()) {
      auto d = dyn_cast<AffineDimExpr>(e);
      packable &= d && (d.getPosition() == k || d.getPosition() == *lane ||
                        llvm::is_contained(dims->batch, d.getPosition()));
    }
    int64_t rowStrips = 1;
    for (unsigned d : rowSide)
      rowStrips *= d == row ? (ranges[d] + plan.parallelTiles[row] - 1) /
                                  plan.parallelTiles[row]
                            : ranges[d];
    int64_t bElemBytes =
        elementType(bOperand).getIntOrFloatBitWidth() / 8;
    plan.packB = packable && choosePackPanel(target, staticRanges[k], nr,
                                             staticRanges[*lane], rowStrips,
                                             bElemBytes);
    plan.kDim = k;
  }
  if (plan.streamBlock) {
    plan.streamPanel = nr;
    plan.parallelTiles[dims->k.front()] = plan.streamBlock;
  }
  // batch, [reduction block,] column panel, other row-side dims, row strip:
  // one panel of B is reused by every row strip before the next panel is
  // touched.
  for (unsigned d : dims->batch)
    plan.parallelOrder.push_back(d);
  if (plan.streamBlock)
    plan.parallelOrder.push_back(dims->k.front());
  plan.parallelOrder.push_back(*lane);
  for (unsigned d : rowSide)
    if (d != row)
      plan.parallelOrder.push_back(d);
  plan.parallelOrder.push_back(row);
  plan.rowDims.assign(rowSide.begin(), rowSide.end());
  if (threads > 1 && product(ranges) >= minParallelWork)
    plan.forallDim = pickForallDim(op, plan.parallelOrder, ranges,
                                   plan.parallelTiles, threads);
  return plan;
}

/// A contraction that streams B (chooseStreamBlock) at few rows and not at
/// many, where the rows are one dynamic dimension: which kernel is right is
/// known only at run time, so it gets both (splitStreamVersions).
struct StreamVersions {
  /// The dynamic row dimension, the largest extent that streams, and the
  /// reduction block then.
  unsigned dim = 0;
  int64_t maxExtent = 0;
  int64_t block = 0;
};

static std::optional<StreamVersions>
streamVersions(linalg::LinalgOp op, const CPUTarget &target,
               std::optional<RegisterTile> tile, int64_t threads,
               int64_t minParallelWork) {
  constexpr int64_t kLarge = 1 << 16;
  auto at = [&](int64_t extent) {
    return planContraction(op, target, tile, threads, minParallelWork,
                           /*streamOverride=*/-1, extent);
  };
  FailureOr<KernelPlan> small = at(1), large = at(kLarge);
  if (failed(small) || failed(large) || !small->streamBlock ||
      large->streamBlock)
    return std::nullopt;
  SmallVector<int64_t> ranges = staticLoopRanges(op);
  SmallVector<unsigned> dynamicRows;
  for (unsigned d : small->rowDims)
    if (ShapedType::isDynamic(ranges[d]))
      dynamicRows.push_back(d);
  if (dynamicRows.size() != 1)
    return std::nullopt;
  // Fewer rows never make streaming less worth it: bisect the boundary.
  int64_t lo = 1, hi = kLarge;
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2;
    FailureOr<KernelPlan> p = at(mid);
    (succeeded(p) && p->streamBlock ? lo : hi) = mid;
  }
  return StreamVersions{dynamicRows.front(), lo, small->streamBlock};
}

/// Whether some operand indexes loop dimension `d` other than by its last
/// (contiguous) dimension: lanes along `d` would gather from it with a stride.
static bool isStridedSomewhere(linalg::LinalgOp op, unsigned d) {
  for (OpOperand &operand : op->getOpOperands()) {
    ArrayRef<AffineExpr> results =
        op.getMatchingIndexingMap(&operand).getResults();
    for (auto [i, e] : llvm::enumerate(results))
      if (auto de = dyn_cast<AffineDimExpr>(e);
          de && de.getPosition() == d && i + 1 != results.size())
        return true;
  }
  return false;
}

/// Vector lanes run along the contiguous dimension of the biggest operand (a
/// reduction into fewer dimensions reads far more than it writes); when that
/// dimension is reduced, the reduction is horizontal. A dimension that is
/// contiguous in every operand that has it comes first: attention's scores
/// (q . k over the head dimension, contiguous in both) would otherwise run
/// their lanes along the keys, a strided gather from k that the vector
/// lowering does not handle.
static std::optional<unsigned> pickLaneDim(linalg::LinalgOp op,
                                           int64_t expected) {
  SmallVector<int64_t> ranges = staticLoopRanges(op);
  std::optional<unsigned> lane, unstrided;
  int64_t biggest = -1, biggestUnstrided = -1;
  for (OpOperand &operand : op->getOpOperands()) {
    auto t = dyn_cast<MemRefType>(operand.get().getType());
    if (!t)
      continue;
    // Lanes run along a static dimension (a dynamic one would only have
    // unit tiles in the remainder); operands are weighed at expected sizes.
    std::optional<unsigned> d = contiguousDim(op, &operand);
    if (!d || ranges[*d] == 1 || ShapedType::isDynamic(ranges[*d]))
      continue;
    int64_t elems = expectedNumElements(t, expected);
    if (elems > biggest) {
      biggest = elems;
      lane = d;
    }
    if (!isStridedSomewhere(op, *d) && elems > biggestUnstrided) {
      biggestUnstrided = elems;
      unstrided = d;
    }
  }
  return unstrided ? unstrided : lane;
}

/// Makes the lane dimension of an elementwise or reduction generic its
/// innermost loop, so that the vectorizer puts the lanes in the last vector
/// dimension (where unrolling to registers expects them) and reductions over
/// other dimensions become elementwise across iterations.
static linalg::LinalgOp moveLaneDimLast(RewriterBase &rewriter,
                                        linalg::LinalgOp op,
                                        int64_t expected) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  std::optional<unsigned> lane = pickLaneDim(op, expected);
  unsigned n = op.getNumLoops();
  if (!generic || !lane || *lane == n - 1)
    return op;
  SmallVector<unsigned> perm;
  for (unsigned d = 0; d < n; ++d)
    if (d != *lane)
      perm.push_back(d);
  perm.push_back(*lane);
  rewriter.setInsertionPoint(generic);
  FailureOr<linalg::GenericOp> r =
      linalg::interchangeGenericOp(rewriter, generic, perm);
  return succeeded(r) ? cast<linalg::LinalgOp>(r->getOperation()) : op;
}

/// Plan for any other op: vectorized along one contiguous dimension, every
/// other dimension one iteration at a time, reductions innermost.
static KernelPlan planElementwise(linalg::LinalgOp op, const CPUTarget &target,
                                  int64_t threads, int64_t minParallelWork,
                                  int64_t expected) {
  KernelPlan plan;
  unsigned nLoops = op.getNumLoops();
  SmallVector<int64_t> ranges = expectedLoopRanges(op, expected);
  plan.parallelTiles.assign(nLoops, 0);
  plan.reductionTiles.assign(nLoops, 0);
  if (op.getNumDpsInits() != 1 || nLoops == 0) {
    plan.vectorize = false;
    return plan;
  }
  auto iters = op.getIteratorTypesArray();
  std::optional<unsigned> lane = pickLaneDim(op, expected);
  for (unsigned d = 0; d < nLoops; ++d) {
    if (linalg::isReductionIterator(iters[d]))
      plan.reductionTiles[d] = 1;
    else
      plan.parallelTiles[d] = 1;
  }
  if (lane) {
    int64_t laneTile = chooseLaneTile(target, ranges[*lane]);
    if (linalg::isReductionIterator(iters[*lane]))
      plan.reductionTiles[*lane] = laneTile;
    else
      plan.parallelTiles[*lane] = laneTile;
  }
  for (unsigned d = 0; d < nLoops; ++d)
    if (linalg::isParallelIterator(iters[d]) && (!lane || d != *lane))
      plan.parallelOrder.push_back(d);
  if (lane && linalg::isParallelIterator(iters[*lane]))
    plan.parallelOrder.push_back(*lane);
  if (threads > 1 && product(ranges) >= minParallelWork)
    plan.forallDim = pickForallDim(op, plan.parallelOrder, ranges,
                                   plan.parallelTiles, threads);
  return plan;
}

//===----------------------------------------------------------------------===//
// Fusion groups
//===----------------------------------------------------------------------===//

/// A buffer that no other Value aliases: a function argument or an
/// allocation. Fusion decisions compare buffers by SSA value, which is only
/// sound for these.
static bool isRootBuffer(Value v) {
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
static Operation *adjacentMemoryOp(Operation *op, bool forward) {
  Operation *it = forward ? op->getNextNode() : op->getPrevNode();
  while (it && isMemoryEffectFree(it) && it->getNumRegions() == 0)
    it = forward ? it->getNextNode() : it->getPrevNode();
  return it;
}

/// An elementwise op writing all of `buffer` from values it does not read
/// from `buffer`, with the same iteration space: a fill, a broadcast of a
/// bias.
static bool isInitializerOf(linalg::LinalgOp p, Value buffer) {
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

/// FusionGroup::streamBlock when the pass's stream-block applies.
static constexpr int64_t kStreamByOption = -2;

struct FusionGroup {
  linalg::LinalgOp root;
  linalg::LinalgOp initializer;
  SmallVector<linalg::LinalgOp> consumers;
  /// The root's stream-block, where it is decided per group (one version
  /// of a contraction whose streaming depends on a dynamic extent).
  int64_t streamBlock = kStreamByOption;
};

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

//===----------------------------------------------------------------------===//
// Tiling
//===----------------------------------------------------------------------===//

static SmallVector<OpFoldResult> toOfr(OpBuilder &b, ArrayRef<int64_t> v) {
  return llvm::map_to_vector(
      v, [&](int64_t x) -> OpFoldResult { return b.getIndexAttr(x); });
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
static LogicalResult tileAlong(RewriterBase &rewriter, linalg::LinalgOp op,
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

static FailureOr<linalg::LinalgOp>
tileWith(RewriterBase &rewriter, linalg::LinalgOp op, ArrayRef<int64_t> tiles,
         ArrayRef<int64_t> order, scf::SCFTilingOptions::LoopType loopType,
         SmallVectorImpl<LoopLikeOpInterface> *loops = nullptr) {
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

/// Copies the column panel that `op` (tiled down to one panel, not yet to
/// row strips) reads from its input `bInput` into a contiguous buffer of
/// the plan's panel shape, and makes `op` read the copy. The buffer is
/// allocated once per iteration of the enclosing scf.forall (on the heap),
/// or once per call on the stack; the copy runs in the panel loop, tiled along the reduction and
/// vectorized like any other tile.
static LogicalResult packPanel(RewriterBase &rewriter, linalg::LinalgOp op,
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

/// Tiles every dynamic dimension of `op` by 1 (parallel ones, and with
/// `reductions` reduction ones too) and folds the unit sizes, so that the
/// tile is static once its views are canonicalized. This is what runs the
/// remainder that peeling leaves of a dynamic extent.
static FailureOr<linalg::LinalgOp>
tileDynamicDimsByOne(RewriterBase &rewriter, linalg::LinalgOp op,
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
/// of its step, so that the tiles inside have static shapes. Peeling an outer loop clones
/// its body, so the walk repeats until every copy is peeled.
static void peelPartialTiles(RewriterBase &rewriter, Operation *root) {
  // Visited loops carry a marker rather than sit in a pointer set: peeling
  // erases and creates ops, and addresses get reused.
  constexpr llvm::StringLiteral kSeen = "softmoe.peel_seen";
  auto unit = rewriter.getUnitAttr();
  // Peeling the root itself puts the partial iteration beside it.
  SmallVector<Operation *> roots{root};
  bool changed = true;
  while (changed) {
    changed = false;
    for (unsigned i = 0; i < roots.size() && !changed; ++i)
    roots[i]->walk<WalkOrder::PreOrder>([&](scf::ForOp forOp) {
      if (forOp->hasAttr(kSeen))
        return WalkResult::advance();
      forOp->setAttr(kSeen, unit);
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
      partial->setAttr(kSeen, unit);
      if (llvm::is_contained(roots, forOp.getOperation()))
        roots.push_back(partial);
      // Nested loops were cloned into the partial iteration: walk again.
      changed = true;
      return WalkResult::interrupt();
    });
  }
  for (Operation *r : roots)
    r->walk([&](scf::ForOp forOp) { forOp->removeAttr(kSeen); });
}

//===----------------------------------------------------------------------===//
// Register tiles
//===----------------------------------------------------------------------===//

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
static void forwardTransfersInBlocks(RewriterBase &rewriter,
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

/// The widest piece of at most one register that divides `size` (unrolling
/// needs a divisor; tiles are whole registers except for peeled rests).
static int64_t registerPiece(int64_t size, int64_t lanes) {
  for (int64_t p = std::min(size, lanes); p > 1; --p)
    if (size % p == 0)
      return p;
  return 1;
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
  }
  // Unrolling an op into one piece of its own shape would never stop.
  if (shape == full)
    return std::nullopt;
  return shape;
}

/// Software prefetch for the operand a reduction loop streams: every
/// multi-element vector.load in a marked reduction loop whose row index is the
/// loop's induction variable (a row of B in a register tile) gets a prefetch
/// of the same elements `distance` iterations ahead, clamped to the last row.
/// Weight panels are read with a row stride of kilobytes, which the hardware
/// prefetchers follow poorly.
static void insertPrefetches(RewriterBase &rewriter, func::FuncOp func,
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
static void insertStreamPrefetches(RewriterBase &rewriter, func::FuncOp func) {
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

/// Applies one stage's patterns with a bound on the number of rewrites, so
/// that two patterns undoing each other end in a diagnostic naming the stage
/// instead of growing the IR until memory runs out.
static LogicalResult applyStage(func::FuncOp func,
                                RewritePatternSet &&patterns, StringRef stage,
                                std::string &why) {
  int64_t ops = 0;
  func.walk([&](Operation *) { ++ops; });
  GreedyRewriteConfig config;
  // Unrolling to registers is the biggest legitimate expansion: a few
  // dozen rewrites per op of the input is above it.
  config.setMaxNumRewrites(std::max<int64_t>(50000, 50 * ops));
  if (succeeded(applyPatternsGreedily(func, std::move(patterns), config)))
    return success();
  why = ("the " + stage + " patterns did not converge").str();
  return failure();
}

/// Without a dot instruction for them, a bf16 or f16 row operand ("A") of a
/// contraction into f32 costs a scalar load, a widening and a move to the
/// vector unit for every broadcast: four instructions per row of the register
/// tile and reduction step, beside that row's FMAs (bf16 on AVX2 ran slower
/// than f32). A is the small operand (slots, hidden activations, tokens), so
/// it is widened to f32 once, by a vectorized kernel of its own, and the
/// register tile broadcasts f32; B (the weights) stays narrow in memory and
/// is widened in registers. The copy is freed at the end of the block.
static void widenNarrowRowOperands(RewriterBase &rewriter, func::FuncOp func,
                                   const CPUTarget &target, int64_t expected) {
  SmallVector<linalg::LinalgOp> contractions;
  func.walk([&](linalg::LinalgOp op) {
    if (op.hasPureBufferSemantics() && linalg::isaContractionOpInterface(op))
      contractions.push_back(op);
  });
  for (linalg::LinalgOp op : contractions) {
    FailureOr<KernelPlan> plan = planContraction(
        op, target, /*tile=*/std::nullopt, /*threads=*/1,
        /*minParallelWork=*/0, /*streamOverride=*/0, expected);
    if (failed(plan) || plan->bf16Dot)
      continue;
    OpOperand *a = op.getDpsInputOperand(plan->rowInput);
    auto aType = cast<MemRefType>(a->get().getType());
    auto outType =
        cast<MemRefType>(op.getDpsInitOperand(0)->get().getType());
    if (!isa<BFloat16Type, Float16Type>(aType.getElementType()) ||
        !outType.getElementType().isF32())
      continue;
    // The body widens A's element itself (arith.extf); it then takes the f32.
    BlockArgument arg = op.getMatchingBlockArgument(a);
    SmallVector<Operation *> exts(arg.getUsers());
    if (exts.empty() || !llvm::all_of(exts, [](Operation *user) {
          auto ext = dyn_cast<arith::ExtFOp>(user);
          return ext && ext.getType().isF32();
        }))
      continue;
    // Before the fill or bias broadcast that initializes the output, so that
    // it stays next to the contraction it fuses into.
    Operation *before = op;
    if (Operation *prev = adjacentMemoryOp(op, /*forward=*/false))
      if (auto init = dyn_cast<linalg::LinalgOp>(prev);
          init && isInitializerOf(init, op.getDpsInitOperand(0)->get()))
        before = prev;
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(before);
    SmallVector<Value> dynamicSizes;
    for (auto [d, size] : llvm::enumerate(aType.getShape()))
      if (ShapedType::isDynamic(size))
        dynamicSizes.push_back(
            memref::DimOp::create(rewriter, loc, a->get(), d));
    Value wide = memref::AllocOp::create(
        rewriter, loc,
        MemRefType::get(aType.getShape(), rewriter.getF32Type()),
        dynamicSizes);
    AffineMap id = rewriter.getMultiDimIdentityMap(aType.getRank());
    SmallVector<utils::IteratorType> iters(aType.getRank(),
                                           utils::IteratorType::parallel);
    linalg::GenericOp::create(
        rewriter, loc, ValueRange{a->get()}, ValueRange{wide},
        ArrayRef<AffineMap>{id, id}, iters,
        [](OpBuilder &b, Location l, ValueRange args) {
          Value f = arith::ExtFOp::create(b, l, b.getF32Type(), args[0]);
          linalg::YieldOp::create(b, l, f);
        });
    rewriter.modifyOpInPlace(op, [&] {
      a->set(wide);
      arg.setType(rewriter.getF32Type());
    });
    for (Operation *ext : exts)
      rewriter.replaceOp(ext, arg);
    rewriter.setInsertionPoint(op->getBlock()->getTerminator());
    memref::DeallocOp::create(rewriter, loc, wide);
  }
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct CPUCodegenPass
    : softmoe::impl::SoftMoECPUCodegenBase<CPUCodegenPass> {
  using Base::Base;

  void runOnOperation() override;

private:
  LogicalResult buildKernel(RewriterBase &rewriter, linalg::LinalgOp op,
                            const KernelPlan &plan, const FusionGroup &group);
  LogicalResult vectorizeTiles(RewriterBase &rewriter);
  LogicalResult cleanupTiles(func::FuncOp func);
  LogicalResult lowerVectors(RewriterBase &rewriter, int64_t lanes,
                             bool bf16Dot);
  /// Tiles, fuses, vectorizes and lowers every kernel of the function.
  LogicalResult generate(RewriterBase &rewriter, const CPUTarget &cpu,
                         std::optional<RegisterTile> tileOverride);

  /// Why generate() failed, for the warning.
  std::string failureReason;
  /// The size dynamic extents are planned for (expected-size, or the
  /// function's softmoe.expected_size).
  int64_t expectedExtent = 0;
};

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

LogicalResult CPUCodegenPass::buildKernel(RewriterBase &rewriter,
                                          linalg::LinalgOp op,
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
    peelPartialTiles(rewriter, loops.front());
  return success();
}

/// Folds the sizes and views of tiles to constants where they are.
LogicalResult CPUCodegenPass::cleanupTiles(func::FuncOp func) {
  RewritePatternSet patterns(&getContext());
  memref::SubViewOp::getCanonicalizationPatterns(patterns, &getContext());
  affine::AffineMinOp::getCanonicalizationPatterns(patterns, &getContext());
  affine::AffineApplyOp::getCanonicalizationPatterns(patterns, &getContext());
  memref::CastOp::getCanonicalizationPatterns(patterns, &getContext());
  linalg::populateLinalgTilingCanonicalizationPatterns(patterns);
  return applyStage(func, std::move(patterns), "tile cleanup", failureReason);
}

/// Tiles the reduction dimensions of every marked op (after peeling made
/// their shapes static) and vectorizes every marked tile.
LogicalResult CPUCodegenPass::vectorizeTiles(RewriterBase &rewriter) {
  func::FuncOp func = getOperation();
  // Peeling leaves affine.min sizes that fold to constants.
  if (failed(cleanupTiles(func)))
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
    if (failed(cleanupTiles(func)))
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

LogicalResult CPUCodegenPass::lowerVectors(RewriterBase &rewriter,
                                           int64_t lanes, bool bf16Dot) {
  func::FuncOp func = getOperation();
  MLIRContext *ctx = &getContext();
  // One register per vector op.
  {
    RewritePatternSet patterns(ctx);
    vector::UnrollVectorOptions unroll;
    unroll.setNativeShapeFn([lanes, bf16Dot](Operation *op) {
      return nativeShape(op, lanes, bf16Dot);
    });
    vector::populateVectorUnrollPatterns(patterns, unroll);
    patterns.add<TransferReadBroadcastToStretch>(ctx, /*benefit=*/2);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    if (failed(applyStage(func, std::move(patterns), "unroll to registers", failureReason)))
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
    if (failed(applyStage(func, std::move(patterns), "unit-dimension folding", failureReason)))
      return failure();
  }
  {
    DominanceInfo dom(func);
    eliminateCommonSubExpressions(rewriter, dom, func);
  }
  hoistAccumulators(rewriter, func);
  // Initializer -> accumulator -> consumer through registers, not memory.
  forwardTransfersInBlocks(rewriter, func);
  // Horizontal reductions, on their own and before the lowering set below:
  // there, dropping a leading unit dimension of a multi_reduction and
  // lowering the broadcast that feeds it undo each other without end.
  {
    RewritePatternSet patterns(ctx);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerReduction);
    if (failed(applyStage(func, std::move(patterns), "horizontal reduction", failureReason)))
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
    vector::populateVectorBroadcastLoweringPatterns(patterns);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    vector::populateVectorTransferLoweringPatterns(patterns,
                                                   /*maxTransferRank=*/1);
    if (failed(applyStage(func, std::move(patterns), "vector lowering", failureReason)))
      return failure();
  }
  // exp and tanh as vector polynomials instead of scalar libm calls; masks
  // (i1 vectors) loaded and stored element by element.
  {
    RewritePatternSet patterns(ctx);
    populateMathPolynomialApproximationPatterns(patterns);
    patterns.add<ScalarizeBoolLoad, ScalarizeBoolStore>(ctx);
    if (failed(applyStage(func, std::move(patterns), "polynomial approximation", failureReason)))
      return failure();
  }
  insertPrefetches(rewriter, func, prefetchDistance);
  if (streamPrefetch)
    insertStreamPrefetches(rewriter, func);
  func.walk([](Operation *op) {
    op->removeAttr(kAccLoop);
    op->removeAttr(kStream);
  });
  return success();
}

void CPUCodegenPass::runOnOperation() {
  func::FuncOp func = getOperation();
  IRRewriter rewriter(&getContext());

  std::optional<CPUTarget> cpu = CPUTarget::get(target);
  if (!cpu) {
    func.emitError() << "softmoe-cpu-codegen: unknown target '" << target
                     << "' (expected " << CPUTarget::knownNames() << ")";
    return signalPassFailure();
  }
  std::optional<RegisterTile> tileOverride;
  if (!registerTile.empty()) {
    int64_t mr = 0, nr = 0;
    StringRef s(registerTile);
    auto [a, b] = s.split('x');
    if (a.getAsInteger(10, mr) || b.getAsInteger(10, nr) || mr <= 0 ||
        nr <= 0) {
      func.emitError() << "softmoe-cpu-codegen: register-tile '"
                       << registerTile << "' is not MRxNR (e.g. 8x48)";
      return signalPassFailure();
    }
    tileOverride = RegisterTile{mr, nr};
  }
  if (!stopAfter.empty() && stopAfter != "tile" && stopAfter != "vectorize") {
    func.emitError() << "softmoe-cpu-codegen: stop-after must be tile or "
                        "vectorize, not '"
                     << stopAfter << "'";
    return signalPassFailure();
  }
  if (threads < 1) {
    func.emitError() << "softmoe-cpu-codegen: threads must be >= 1";
    return signalPassFailure();
  }
  if (expectedSize < 1) {
    func.emitError() << "softmoe-cpu-codegen: expected-size must be >= 1";
    return signalPassFailure();
  }
  expectedExtent = expectedSize;
  if (Attribute a = func->getAttr(kExpectedSizeAttr)) {
    auto i = dyn_cast<IntegerAttr>(a);
    if (!i || i.getInt() < 1) {
      func.emitError() << "softmoe-cpu-codegen: " << kExpectedSizeAttr
                       << " must be a positive integer";
      return signalPassFailure();
    }
    expectedExtent = i.getInt();
  }

  // Code generation either completes or leaves the function as it was: the
  // loop lowering after this pass still handles every linalg op, so an
  // unexpected IR shape costs speed, never correctness.
  OwningOpRef<func::FuncOp> backup = func.clone();
  failureReason.clear();
  if (succeeded(generate(rewriter, *cpu, tileOverride)))
    return;
  func.getBody().takeBody(backup->getBody());
  emitWarning(func.getLoc()) << "softmoe-cpu-codegen: "
                     << (failureReason.empty() ? "code generation failed"
                                               : failureReason)
                     << "; the function is left to the loop lowering";
}

LogicalResult
CPUCodegenPass::generate(RewriterBase &rewriter, const CPUTarget &cpuTarget,
                         std::optional<RegisterTile> tileOverride) {
  func::FuncOp func = getOperation();
  const CPUTarget *cpu = &cpuTarget;

  auto tileFor = [&](linalg::LinalgOp op) -> std::optional<RegisterTile> {
    if (auto a = op->getAttrOfType<DenseI64ArrayAttr>(kTileAttr);
        a && a.size() == 2)
      return RegisterTile{a[0], a[1]};
    return tileOverride;
  };
  widenNarrowRowOperands(rewriter, func, *cpu, expectedExtent);
  // Fusion groups are decided on the untouched IR, in program order.
  SmallVector<linalg::LinalgOp> ops;
  func.walk([&](linalg::LinalgOp op) {
    if (op.hasPureBufferSemantics() && !isa<linalg::CopyOp>(op))
      ops.push_back(op);
  });
  // Roots (ops with reductions) claim their initializers and consumers
  // first; every op nobody claimed is a kernel of its own.
  DenseSet<Operation *> fused;
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
        planContraction(op, *cpu, tileFor(op), threads, minParallelWork,
                        streamBlock, expectedExtent, packPanels);
    std::optional<StreamVersions> versions;
    if (streamBlock == -1)
      versions = streamVersions(op, *cpu, tileFor(op), threads,
                                minParallelWork);
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

  std::vector<std::tuple<linalg::LinalgOp, KernelPlan, FusionGroup>> kernels;
  for (FusionGroup &g : groups) {
    linalg::LinalgOp op = g.root;
    if (fused.contains(op))
      continue;
    // Fused ops are decided on the uncollapsed root: a root that claimed
    // some (so it did not stream then) must not stream now.
    bool hasFused = g.initializer || !g.consumers.empty();
    int64_t stream = g.streamBlock != kStreamByOption ? g.streamBlock
                     : hasFused                        ? 0
                                                       : streamBlock;
    FailureOr<KernelPlan> plan =
        planContraction(op, *cpu, tileFor(op), threads, minParallelWork,
                        stream, expectedExtent, packPanels);
    if (succeeded(plan)) {
      // The vectorizer turns named contractions into vector.contract (and
      // from there FMAs); a generic one would become mulf + reductions.
      if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation())) {
        rewriter.setInsertionPoint(generic);
        auto contract = linalg::ContractOp::create(
            rewriter, generic.getLoc(), generic.getDpsInputs(),
            generic.getDpsInits(), generic.getIndexingMaps());
        contract->setDiscardableAttrs(generic->getDiscardableAttrDictionary());
        rewriter.eraseOp(generic);
        op = cast<linalg::LinalgOp>(contract.getOperation());
        g.root = op;
      }
    } else {
      op = moveLaneDimLast(rewriter, op, expectedExtent);
      g.root = op;
      plan = planElementwise(op, *cpu, threads, minParallelWork,
                             expectedExtent);
    }
    kernels.emplace_back(op, *plan, g);
  }
  for (auto &[op, plan, group] : kernels) {
    if (!plan.vectorize)
      continue;
    // A reduction along the vector lanes keeps its lane tile.
    for (unsigned d = 0; d < op.getNumLoops(); ++d)
      if (plan.reductionTiles[d] > 1)
        op->setAttr(kLaneReduction, rewriter.getDenseI64ArrayAttr(
                                        {int64_t(d), plan.reductionTiles[d]}));
    if (failed(buildKernel(rewriter, op, plan, group))) {
      failureReason = "could not tile " + op->getName().getStringRef().str();
      return failure();
    }
  }
  if (stopAfter == "tile")
    return success();
  if (failed(vectorizeTiles(rewriter)))
    return failure();
  if (stopAfter == "vectorize")
    return success();
  return lowerVectors(rewriter, cpu->f32Lanes(), cpu->hasAVX512BF16);
}

} // namespace
