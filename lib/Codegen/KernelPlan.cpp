//===- KernelPlan.cpp - The plan stage of softmoe-cpu-codegen -------------===//
//
// The kernel configuration, first of the stages (CPUCodegen.h): which
// dimension of each op is vectorized, its tile sizes and loop order, what
// runs on threads, whether B is streamed, packed or dotted in bf16 pairs.
// The tile sizes themselves are KernelConfig.h's pure choices; this file
// reads them off the IR and writes the result back as attributes (kPlan on
// each kernel root, kFusedInto on the ops fused into it) for the stages
// that follow.
//
//===----------------------------------------------------------------------===//

#include "CPUCodegen.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"

using namespace mlir;
using namespace mlir::softmoe;
using namespace mlir::softmoe::codegen;

SmallVector<int64_t> codegen::staticLoopRanges(linalg::LinalgOp op) {
  return op.getStaticLoopRanges();
}

bool codegen::hasStaticShapes(linalg::LinalgOp op) {
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

FailureOr<KernelPlan>
codegen::planContraction(linalg::LinalgOp op, const CPUTarget &target,
                         std::optional<RegisterTile> tile, int64_t threads,
                         int64_t minParallelWork, int64_t streamOverride,
                         int64_t expected, bool packPanels) {
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

std::optional<StreamVersions>
codegen::streamVersions(linalg::LinalgOp op, const CPUTarget &target,
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

/// An all-parallel op that copies (or maps) an input whose contiguous
/// dimension is not the output's: a transpose. Returns the input's contiguous
/// loop dimension and the output's. Lanes along either one would scatter the
/// stores or gather the loads one element at a time; a square tile of both,
/// read by rows and transposed in registers, keeps loads and stores whole.
/// Only where both dimensions are whole multiples of `lanes`: a narrower
/// output dimension would spread the math over part-filled registers.
static std::optional<std::pair<unsigned, unsigned>>
transposedDims(linalg::LinalgOp op, int64_t lanes) {
  if (lanes <= 1)
    return std::nullopt;
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 0)
    return std::nullopt;
  OpOperand *init = op.getDpsInitOperand(0);
  auto outType = dyn_cast<MemRefType>(init->get().getType());
  std::optional<unsigned> o = contiguousDim(op, init);
  if (!outType || !o || outType.getElementTypeBitWidth() != 32)
    return std::nullopt;
  SmallVector<int64_t> ranges = staticLoopRanges(op);
  auto whole = [&](unsigned d) {
    return !ShapedType::isDynamic(ranges[d]) && ranges[d] % lanes == 0;
  };
  if (!whole(*o))
    return std::nullopt;
  std::optional<unsigned> best;
  int64_t bestElems = -1;
  for (OpOperand *input : op.getDpsInputOperands()) {
    auto t = dyn_cast<MemRefType>(input->get().getType());
    std::optional<unsigned> i = contiguousDim(op, input);
    if (!t || !i || *i == *o || t.getElementTypeBitWidth() != 32 ||
        !whole(*i))
      continue;
    // The input must also run along o (else it is a broadcast, not a
    // transpose), and by a projected permutation (plain indexing).
    AffineMap map = op.getMatchingIndexingMap(input);
    if (!map.isProjectedPermutation() || !map.isFunctionOfDim(*o))
      continue;
    int64_t elems = t.hasStaticShape() ? t.getNumElements() : 0;
    if (elems > bestElems) {
      bestElems = elems;
      best = *i;
    }
  }
  if (!best)
    return std::nullopt;
  return std::make_pair(*best, *o);
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

namespace {
/// The lane dimension of an elementwise or reduction op and, for a transpose
/// (transposedDims), the input's contiguous dimension tiled as its rows.
struct LaneDims {
  std::optional<unsigned> lane, rows;
};
} // namespace

/// A transpose stores whole registers along the output's contiguous
/// dimension; any other op takes pickLaneDim's.
static LaneDims pickLaneDims(linalg::LinalgOp op, int64_t expected,
                             int64_t lanes) {
  if (auto t = transposedDims(op, lanes))
    return {t->second, t->first};
  return {pickLaneDim(op, expected), std::nullopt};
}

/// Makes the lane dimension of an elementwise or reduction generic its
/// innermost loop, so that the vectorizer puts the lanes in the last vector
/// dimension (where unrolling to registers expects them) and reductions over
/// other dimensions become elementwise across iterations.
linalg::LinalgOp codegen::moveLaneDimLast(RewriterBase &rewriter,
                                          linalg::LinalgOp op,
                                          int64_t expected, int64_t lanes) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  std::optional<unsigned> lane = pickLaneDims(op, expected, lanes).lane;
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

KernelPlan codegen::planElementwise(linalg::LinalgOp op,
                                   const CPUTarget &target, int64_t threads,
                                   int64_t minParallelWork, int64_t expected) {
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
  auto [lane, rows] = pickLaneDims(op, expected, target.f32Lanes());
  for (unsigned d = 0; d < nLoops; ++d) {
    if (linalg::isReductionIterator(iters[d]))
      plan.reductionTiles[d] = 1;
    else
      plan.parallelTiles[d] = 1;
  }
  if (rows) {
    // A transpose: a lanes x lanes tile of its two contiguous dimensions, the
    // input's right outside the lanes (tileToRegisters transposes it in
    // registers).
    plan.parallelTiles[*lane] = target.f32Lanes();
    plan.parallelTiles[*rows] = target.f32Lanes();
  } else if (lane) {
    int64_t laneTile = chooseLaneTile(target, ranges[*lane]);
    if (linalg::isReductionIterator(iters[*lane]))
      plan.reductionTiles[*lane] = laneTile;
    else
      plan.parallelTiles[*lane] = laneTile;
  }
  for (unsigned d = 0; d < nLoops; ++d)
    if (linalg::isParallelIterator(iters[d]) && (!lane || d != *lane) &&
        (!rows || d != *rows))
      plan.parallelOrder.push_back(d);
  if (rows)
    plan.parallelOrder.push_back(*rows);
  if (lane && linalg::isParallelIterator(iters[*lane]))
    plan.parallelOrder.push_back(*lane);
  if (threads > 1 && product(ranges) >= minParallelWork)
    plan.forallDim = pickForallDim(op, plan.parallelOrder, ranges,
                                   plan.parallelTiles, threads);
  return plan;
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
    // Not when A itself is defined between the two (a view made after the
    // fill, as the backward's merged B*P operands are).
    Operation *before = op;
    if (Operation *prev = adjacentMemoryOp(op, /*forward=*/false))
      if (auto init = dyn_cast<linalg::LinalgOp>(prev);
          init && isInitializerOf(init, op.getDpsInitOperand(0)->get())) {
        Operation *aDef = a->get().getDefiningOp();
        if (!aDef || aDef->getBlock() != prev->getBlock() ||
            aDef->isBeforeInBlock(prev))
          before = prev;
      }
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

std::optional<RegisterTile>
codegen::registerTileFor(linalg::LinalgOp op, const CodegenOptions &options) {
  if (auto a = op->getAttrOfType<DenseI64ArrayAttr>(kTileAttr);
      a && a.size() == 2)
    return RegisterTile{a[0], a[1]};
  return options.tileOverride;
}

//===----------------------------------------------------------------------===//
// Plans as attributes
//===----------------------------------------------------------------------===//

DictionaryAttr codegen::planToAttr(MLIRContext *ctx, const KernelPlan &plan,
                                   int64_t kernel) {
  Builder b(ctx);
  SmallVector<NamedAttribute> entries;
  auto add = [&](StringRef name, Attribute value) {
    entries.push_back(b.getNamedAttr(name, value));
  };
  add("kernel", b.getI64IntegerAttr(kernel));
  if (plan.forallDim >= 0)
    add("forall_dim", b.getI64IntegerAttr(plan.forallDim));
  add("parallel_tiles", b.getDenseI64ArrayAttr(plan.parallelTiles));
  add("parallel_order", b.getDenseI64ArrayAttr(plan.parallelOrder));
  add("reduction_tiles", b.getDenseI64ArrayAttr(plan.reductionTiles));
  if (plan.streamBlock || plan.streamPanel)
    add("stream", b.getDenseI64ArrayAttr({plan.streamBlock, plan.streamPanel}));
  if (plan.packB)
    add("pack_b", b.getUnitAttr());
  if (plan.laneDim >= 0)
    add("lane_dim", b.getI64IntegerAttr(plan.laneDim));
  if (plan.kDim >= 0)
    add("k_dim", b.getI64IntegerAttr(plan.kDim));
  if (plan.bf16Dot)
    add("bf16_dot", b.getUnitAttr());
  if (plan.rowInput || !plan.rowDims.empty()) {
    add("row_input", b.getI64IntegerAttr(plan.rowInput));
    add("row_dims", b.getDenseI64ArrayAttr(llvm::map_to_vector(
                        plan.rowDims, [](unsigned d) { return int64_t(d); })));
  }
  return b.getDictionaryAttr(entries);
}

FailureOr<KernelPlan> codegen::planFromAttr(DictionaryAttr attr) {
  if (!attr)
    return failure();
  static constexpr llvm::StringLiteral known[] = {
      "kernel",          "forall_dim", "parallel_tiles", "parallel_order",
      "reduction_tiles", "stream",     "pack_b",         "lane_dim",
      "k_dim",           "bf16_dot",   "row_input",      "row_dims"};
  for (NamedAttribute entry : attr)
    if (!llvm::is_contained(known, entry.getName().strref()))
      return failure();
  KernelPlan plan;
  bool ok = true;
  auto integer = [&](StringRef name, int64_t &out) {
    if (Attribute a = attr.get(name)) {
      auto i = dyn_cast<IntegerAttr>(a);
      ok &= bool(i);
      if (i)
        out = i.getInt();
    }
  };
  auto array = [&](StringRef name, bool required) {
    auto a = dyn_cast_or_null<DenseI64ArrayAttr>(attr.get(name));
    ok &= a || (!required && !attr.get(name));
    return a ? SmallVector<int64_t>(a.asArrayRef()) : SmallVector<int64_t>();
  };
  auto flag = [&](StringRef name) {
    Attribute a = attr.get(name);
    ok &= !a || isa<UnitAttr>(a);
    return bool(a);
  };
  int64_t rowInput = 0;
  integer("forall_dim", plan.forallDim);
  integer("lane_dim", plan.laneDim);
  integer("k_dim", plan.kDim);
  integer("row_input", rowInput);
  plan.parallelTiles = array("parallel_tiles", /*required=*/true);
  plan.parallelOrder = array("parallel_order", /*required=*/true);
  plan.reductionTiles = array("reduction_tiles", /*required=*/true);
  SmallVector<int64_t> stream = array("stream", /*required=*/false);
  SmallVector<int64_t> rowDims = array("row_dims", /*required=*/false);
  plan.packB = flag("pack_b");
  plan.bf16Dot = flag("bf16_dot");
  if (!ok || !isa_and_nonnull<IntegerAttr>(attr.get("kernel")))
    return failure();
  int64_t n = plan.parallelTiles.size();
  auto isDim = [&](int64_t d) { return d >= 0 && d < n; };
  if (int64_t(plan.reductionTiles.size()) != n ||
      !llvm::all_of(plan.parallelOrder, isDim) ||
      !llvm::all_of(rowDims, isDim) ||
      (plan.forallDim >= 0 && !isDim(plan.forallDim)) ||
      (plan.laneDim >= 0 && !isDim(plan.laneDim)) ||
      (plan.kDim >= 0 && !isDim(plan.kDim)) ||
      (plan.packB && (plan.laneDim < 0 || plan.kDim < 0)) ||
      (!stream.empty() && stream.size() != 2) ||
      (rowInput != 0 && rowInput != 1))
    return failure();
  if (!stream.empty()) {
    plan.streamBlock = stream[0];
    plan.streamPanel = stream[1];
  }
  plan.rowInput = rowInput;
  plan.rowDims =
      llvm::map_to_vector(rowDims, [](int64_t d) { return unsigned(d); });
  return plan;
}

//===----------------------------------------------------------------------===//
// The plan stage
//===----------------------------------------------------------------------===//

void codegen::planKernels(RewriterBase &rewriter, func::FuncOp func,
                          const CodegenOptions &options) {
  const CPUTarget &cpu = *options.target;
  widenNarrowRowOperands(rewriter, func, cpu, options.expected);
  DenseSet<Operation *> fused;
  SmallVector<FusionGroup> groups =
      formFusionGroups(rewriter, func, options, fused);

  std::vector<std::tuple<linalg::LinalgOp, KernelPlan, FusionGroup>> kernels;
  for (FusionGroup &g : groups) {
    linalg::LinalgOp op = g.root;
    if (fused.contains(op))
      continue;
    // Fused ops are decided on the uncollapsed root: a root that claimed
    // some (so it did not stream then) must not stream now.
    bool hasFused = g.initializer || !g.consumers.empty();
    int64_t stream = g.streamBlock != kStreamByOption ? g.streamBlock
                     : hasFused                       ? 0
                                                      : options.streamBlock;
    FailureOr<KernelPlan> plan = planContraction(
        op, cpu, registerTileFor(op, options), options.threads,
        options.minParallelWork, stream, options.expected, options.packPanels);
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
      op = moveLaneDimLast(rewriter, op, options.expected, cpu.f32Lanes());
      g.root = op;
      plan = planElementwise(op, cpu, options.threads, options.minParallelWork,
                             options.expected);
    }
    kernels.emplace_back(op, *plan, g);
  }

  // Written as attributes, in program order, for the fusion stage.
  MLIRContext *ctx = func.getContext();
  int64_t number = 0;
  for (auto &[op, plan, group] : kernels) {
    if (!plan.vectorize)
      continue;
    // A reduction along the vector lanes keeps its lane tile.
    for (unsigned d = 0; d < op.getNumLoops(); ++d)
      if (plan.reductionTiles[d] > 1)
        op->setAttr(kLaneReduction, rewriter.getDenseI64ArrayAttr(
                                        {int64_t(d), plan.reductionTiles[d]}));
    op->setAttr(kPlan, planToAttr(ctx, plan, number));
    IntegerAttr fusedInto = rewriter.getI64IntegerAttr(number);
    if (group.initializer)
      group.initializer->setAttr(kFusedInto, fusedInto);
    for (linalg::LinalgOp c : group.consumers)
      c->setAttr(kFusedInto, fusedInto);
    ++number;
  }
}
