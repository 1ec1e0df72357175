//===- KernelPlanTest.cpp - The plan stage of softmoe-cpu-codegen ---------===//
//
// The plans (lib/Codegen/KernelPlan.cpp) that the plan stage writes on each
// kernel root: register tiles per target, loop order, the thread split,
// streaming, panel packing, bf16 pairs and what a dynamic extent is planned
// for. The ops are built in memory with OpBuilder (nothing is parsed, no pass
// runs), and the plan is checked field by field; the plans' attribute form
// must give the same plan back.
//
//===----------------------------------------------------------------------===//

#include "CPUCodegen.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::softmoe;
using namespace mlir::softmoe::codegen;

namespace {

CPUTarget named(llvm::StringRef name) {
  std::optional<CPUTarget> t = CPUTarget::get(name);
  EXPECT_TRUE(t.has_value()) << name.str();
  return t.value_or(CPUTarget());
}

constexpr int64_t kDyn = ShapedType::kDynamic;

/// A module to build ops in, one function per op.
class KernelPlanTest : public ::testing::Test {
protected:
  KernelPlanTest() : b(&ctx) {
    ctx.loadDialect<func::FuncDialect, linalg::LinalgDialect,
                    memref::MemRefDialect, arith::ArithDialect>();
    module = ModuleOp::create(b.getUnknownLoc());
  }

  /// A function of `args` buffers, with the builder in its body.
  Block *function(ArrayRef<Type> args) {
    b.setInsertionPointToEnd(module->getBody());
    auto fn = func::FuncOp::create(b, b.getUnknownLoc(),
                                   "f" + std::to_string(functions++),
                                   b.getFunctionType(args, {}));
    Block *entry = fn.addEntryBlock();
    b.setInsertionPointToStart(entry);
    func::ReturnOp::create(b, b.getUnknownLoc());
    b.setInsertionPointToStart(entry);
    return entry;
  }

  /// linalg.matmul of an `m x k` and a `k x n` buffer of `in` into `m x n`
  /// of `out` (dynamic sizes allowed): loops (m, n, k).
  linalg::LinalgOp matmul(int64_t m, int64_t n, int64_t k, Type in, Type out) {
    Block *entry =
        function({MemRefType::get({m, k}, in), MemRefType::get({k, n}, in),
                  MemRefType::get({m, n}, out)});
    auto op = linalg::MatmulOp::create(
        b, b.getUnknownLoc(),
        ValueRange{entry->getArgument(0), entry->getArgument(1)},
        ValueRange{entry->getArgument(2)});
    return cast<linalg::LinalgOp>(op.getOperation());
  }
  linalg::LinalgOp matmul(int64_t m, int64_t n, int64_t k) {
    return matmul(m, n, k, b.getF32Type(), b.getF32Type());
  }

  /// A contraction's plan, as the plan stage makes it.
  KernelPlan plan(linalg::LinalgOp op, llvm::StringRef target,
                  int64_t threads = 1, int64_t stream = -1,
                  int64_t expected = 128, bool packPanels = false) {
    CPUTarget t = named(target);
    FailureOr<KernelPlan> p = planContraction(
        op, t, /*tile=*/std::nullopt, threads,
        /*minParallelWork=*/32768, stream, expected, packPanels);
    EXPECT_TRUE(succeeded(p));
    return succeeded(p) ? *p : KernelPlan();
  }

  MLIRContext ctx;
  OpBuilder b;
  OwningOpRef<ModuleOp> module;
  int functions = 0;
};

using Tiles = SmallVector<int64_t>;

TEST_F(KernelPlanTest, RegisterTilePerTarget) {
  // One expert of S-32: 32 slot rows, 384 -> 1536.
  linalg::LinalgOp op = matmul(32, 1536, 384);
  KernelPlan avx512 = plan(op, "avx512");
  EXPECT_EQ(avx512.parallelTiles, Tiles({8, 48, 0}));
  EXPECT_EQ(avx512.reductionTiles, Tiles({0, 0, 1}));
  // Column panel outside, row strips inside: a panel of B is reused by
  // every strip.
  EXPECT_EQ(avx512.parallelOrder, Tiles({1, 0}));
  EXPECT_EQ(avx512.laneDim, 1);
  EXPECT_EQ(avx512.rowInput, 0u);
  EXPECT_EQ(avx512.rowDims, SmallVector<unsigned>({0}));
  EXPECT_EQ(avx512.forallDim, -1);
  EXPECT_EQ(avx512.streamBlock, 0);
  EXPECT_FALSE(avx512.packB);
  EXPECT_FALSE(avx512.bf16Dot);
  // Half the registers, half the lanes.
  EXPECT_EQ(plan(op, "avx2").parallelTiles, Tiles({4, 24, 0}));
  // A register-tile override wins over the cost model.
  CPUTarget t = named("avx512");
  FailureOr<KernelPlan> forced =
      planContraction(op, t, RegisterTile{4, 32}, 1, 32768, -1, 128);
  ASSERT_TRUE(succeeded(forced));
  EXPECT_EQ(forced->parallelTiles, Tiles({4, 32, 0}));
}

TEST_F(KernelPlanTest, WholeRegistersAcross) {
  // A 48-wide tile over 40 columns on AVX-512: two whole registers, the
  // rest peeled.
  FailureOr<KernelPlan> p =
      planContraction(matmul(32, 40, 64), named("avx512"), RegisterTile{8, 48},
                      1, 32768, -1, 128);
  ASSERT_TRUE(succeeded(p));
  EXPECT_EQ(p->parallelTiles[1], 32);
  // Narrower than a register: the columns there are.
  EXPECT_EQ(plan(matmul(32, 5, 64), "avx2").parallelTiles[1], 5);
}

TEST_F(KernelPlanTest, ThreadSplit) {
  linalg::LinalgOp op = matmul(32, 1536, 384);
  // The outermost parallel loop with enough tiles: 32 column panels.
  EXPECT_EQ(plan(op, "avx512", /*threads=*/2).forallDim, 1);
  EXPECT_EQ(plan(op, "avx512", /*threads=*/32).forallDim, 1);
  // 64 threads: neither 32 panels nor 4 row strips are enough.
  EXPECT_EQ(plan(op, "avx512", /*threads=*/64).forallDim, -1);
  // Too little work for a parallel region.
  EXPECT_EQ(plan(matmul(8, 32, 16), "avx512", /*threads=*/2).forallDim, -1);

  // The pure choice: parallel loops of `order` only, tiles or whole extent.
  SmallVector<bool> parallel = {true, true, false};
  Tiles ranges = {32, 1536, 384}, tiles = {8, 48, 0};
  EXPECT_EQ(chooseForallDim(parallel, {1, 0}, ranges, tiles, 2), 1);
  EXPECT_EQ(chooseForallDim(parallel, {0, 1}, ranges, tiles, 4), 0);
  EXPECT_EQ(chooseForallDim(parallel, {0, 1}, ranges, tiles, 5), 1);
  EXPECT_EQ(chooseForallDim(parallel, {2, 1}, ranges, {8, 48, 1}, 2), 1);
  EXPECT_EQ(chooseForallDim(parallel, {1, 0}, ranges, {8, 0, 0}, 2), 0);
  EXPECT_EQ(chooseForallDim(parallel, {1, 0}, ranges, tiles, 1000), -1);
}

TEST_F(KernelPlanTest, StreamedWeights) {
  // B-128's first expert GEMM, f32: 8 rows against 9.4 MB of weights.
  linalg::LinalgOp op = matmul(8, 3072, 768);
  KernelPlan streamed = plan(op, "avx512");
  EXPECT_EQ(streamed.streamBlock, 16);
  EXPECT_EQ(streamed.streamPanel, 64);
  // The reduction block is tiled outside the column panels.
  EXPECT_EQ(streamed.parallelTiles, Tiles({4, 64, 16}));
  EXPECT_EQ(streamed.parallelOrder, Tiles({2, 1, 0}));
  // stream-block=0 never streams, N > 0 always does.
  EXPECT_EQ(plan(op, "avx512", 1, /*stream=*/0).streamBlock, 0);
  EXPECT_EQ(plan(matmul(32, 1536, 384), "avx512", 1, /*stream=*/4).streamBlock,
            4);
  // S-32's (32 rows) does not stream by default.
  EXPECT_EQ(plan(matmul(32, 1536, 384), "avx512").streamBlock, 0);
}

TEST_F(KernelPlanTest, StreamingDecidedAtRunTime) {
  // A dynamic row count: few rows stream, many do not; both kernels, split
  // where 2 * rows FLOPs per 4-byte element pass 8 per byte.
  CPUTarget t = named("avx512");
  std::optional<StreamVersions> v =
      streamVersions(matmul(kDyn, 3072, 768), t, std::nullopt, 1, 32768);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->dim, 0u);
  EXPECT_EQ(v->maxExtent, 16);
  EXPECT_EQ(v->block, 16);
  // Static rows, or weights that fit L2: no versions.
  EXPECT_FALSE(streamVersions(matmul(8, 3072, 768), t, std::nullopt, 1, 32768)
                   .has_value());
  EXPECT_FALSE(streamVersions(matmul(kDyn, 256, 256), t, std::nullopt, 1, 32768)
                   .has_value());
}

TEST_F(KernelPlanTest, PanelPacking) {
  // S-32's first expert GEMM on AVX2 (4x24): 8 row strips reuse each
  // 384 x 24 panel of 1536-wide rows.
  KernelPlan packed = plan(matmul(32, 1536, 384), "avx2", 1, -1, 128,
                           /*packPanels=*/true);
  EXPECT_TRUE(packed.packB);
  EXPECT_EQ(packed.laneDim, 1);
  EXPECT_EQ(packed.kDim, 2);
  // Off unless asked for.
  EXPECT_FALSE(plan(matmul(32, 1536, 384), "avx2").packB);
  // One row strip: nothing to reuse.
  EXPECT_FALSE(plan(matmul(4, 1536, 384), "avx2", 1, -1, 128, true).packB);
  // A dynamic reduction cannot be packed into a static panel.
  EXPECT_FALSE(plan(matmul(32, 1536, kDyn), "avx2", 1, -1, 128, true).packB);
  // Streamed weights are not packed.
  EXPECT_FALSE(plan(matmul(8, 3072, 768), "avx512", 1, -1, 128, true).packB);
}

TEST_F(KernelPlanTest, BF16Pairs) {
  Type bf16 = b.getBF16Type(), f32 = b.getF32Type();
  linalg::LinalgOp op = matmul(32, 1536, 384, bf16, f32);
  EXPECT_TRUE(plan(op, "avx512bf16").bf16Dot);
  EXPECT_FALSE(plan(op, "avx512").bf16Dot);
  EXPECT_FALSE(plan(op, "avx2").bf16Dot);
  // Only into f32 accumulators.
  EXPECT_FALSE(plan(matmul(32, 1536, 384, bf16, bf16), "avx512bf16").bf16Dot);
}

TEST_F(KernelPlanTest, DynamicSizesArePlannedAtTheExpectedSize) {
  // A `?` row count planned at 32 is planned like 32 static rows...
  linalg::LinalgOp dynamic = matmul(kDyn, 1536, 384);
  KernelPlan at32 = plan(dynamic, "avx512", 2, -1, /*expected=*/32);
  KernelPlan static32 = plan(matmul(32, 1536, 384), "avx512", 2);
  EXPECT_EQ(at32.parallelTiles, static32.parallelTiles);
  EXPECT_EQ(at32.parallelOrder, static32.parallelOrder);
  EXPECT_EQ(at32.forallDim, static32.forallDim);
  // ...and a small expected size gets a tile of that many rows.
  EXPECT_EQ(plan(dynamic, "avx512", 1, -1, /*expected=*/2).parallelTiles[0], 2);
  EXPECT_EQ(expectedLoopRanges(dynamic, 128), Tiles({128, 1536, 384}));
  EXPECT_EQ(expectedLoopRanges(dynamic, 7), Tiles({7, 1536, 384}));
  EXPECT_EQ(expectedNumElements(
                MemRefType::get({kDyn, kDyn, 384}, b.getF32Type()), 128),
            128 * 128 * 384);
  EXPECT_EQ(expectedNumElements(MemRefType::get({4, 384}, b.getF32Type()), 1),
            4 * 384);
  // The lanes never run along the dynamic dimension.
  Block *entry = function({MemRefType::get({kDyn, 100}, b.getF32Type())});
  Value zero =
      arith::ConstantOp::create(b, b.getUnknownLoc(), b.getF32FloatAttr(0));
  auto fill = linalg::FillOp::create(b, b.getUnknownLoc(), ValueRange{zero},
                                     ValueRange{entry->getArgument(0)});
  KernelPlan p = planElementwise(cast<linalg::LinalgOp>(fill.getOperation()),
                                 named("avx2"), 1, 32768, 128);
  EXPECT_EQ(p.parallelTiles, Tiles({1, 8}));
  EXPECT_EQ(p.parallelOrder, Tiles({0, 1}));
}

TEST_F(KernelPlanTest, ElementwiseLaneTiles) {
  Block *entry = function({MemRefType::get({32, 384}, b.getF32Type())});
  Value zero =
      arith::ConstantOp::create(b, b.getUnknownLoc(), b.getF32FloatAttr(0));
  auto fill = linalg::FillOp::create(b, b.getUnknownLoc(), ValueRange{zero},
                                     ValueRange{entry->getArgument(0)});
  auto op = cast<linalg::LinalgOp>(fill.getOperation());
  // Four registers divide 384 on both targets.
  EXPECT_EQ(planElementwise(op, named("avx2"), 1, 32768, 128).parallelTiles,
            Tiles({1, 32}));
  EXPECT_EQ(planElementwise(op, named("avx512"), 1, 32768, 128).parallelTiles,
            Tiles({1, 64}));
  // Not a contraction.
  EXPECT_TRUE(failed(
      planContraction(op, named("avx2"), std::nullopt, 1, 32768, -1, 128)));
}

/// A copy of the function's first buffer into its second: `loops` loops over
/// the output's dimensions, the input read through `inMap`.
static linalg::LinalgOp transposeCopy(OpBuilder &b, Block *entry,
                                      AffineMap inMap, unsigned loops) {
  MLIRContext *ctx = b.getContext();
  auto generic = linalg::GenericOp::create(
      b, b.getUnknownLoc(), ValueRange{entry->getArgument(0)},
      ValueRange{entry->getArgument(1)},
      ArrayRef<AffineMap>{inMap, AffineMap::getMultiDimIdentityMap(loops, ctx)},
      SmallVector<utils::IteratorType>(loops, utils::IteratorType::parallel),
      [](OpBuilder &nb, Location loc, ValueRange args) {
        linalg::YieldOp::create(nb, loc, args[0]);
      });
  return cast<linalg::LinalgOp>(generic.getOperation());
}

TEST_F(KernelPlanTest, TransposeTiles) {
  // out[n, q, h] = in[n, h, q]: lanes x lanes of (q, h), q's loop right
  // outside the lanes.
  MLIRContext *c = &ctx;
  AffineMap nhq = AffineMap::get(
      3, 0, {getAffineDimExpr(0, c), getAffineDimExpr(2, c),
             getAffineDimExpr(1, c)}, c);
  Block *entry = function({MemRefType::get({32, 1536, 32}, b.getF32Type()),
                           MemRefType::get({32, 32, 1536}, b.getF32Type())});
  linalg::LinalgOp op = transposeCopy(b, entry, nhq, 3);
  KernelPlan p512 = planElementwise(op, named("avx512"), 1, 32768, 128);
  EXPECT_EQ(p512.parallelTiles, Tiles({1, 16, 16}));
  EXPECT_EQ(p512.parallelOrder, Tiles({0, 1, 2}));
  EXPECT_EQ(planElementwise(op, named("avx2"), 1, 32768, 128).parallelTiles,
            Tiles({1, 8, 8}));
  // 20 x 30 is not whole registers either way: one-sided lanes.
  entry = function({MemRefType::get({3, 30, 20}, b.getF32Type()),
                    MemRefType::get({3, 20, 30}, b.getF32Type())});
  op = transposeCopy(b, entry, nhq, 3);
  Tiles ragged = planElementwise(op, named("avx512"), 1, 32768, 128)
                     .parallelTiles;
  EXPECT_EQ(llvm::count_if(ragged, [](int64_t t) { return t > 1; }), 1);
}

TEST(RegisterPiece, DivisorsOfOneRegister) {
  EXPECT_EQ(registerPiece(48, 16), 16);
  EXPECT_EQ(registerPiece(24, 16), 12);
  EXPECT_EQ(registerPiece(7, 16), 7);
  EXPECT_EQ(registerPiece(13, 8), 1);
}

TEST_F(KernelPlanTest, PlanAttributeRoundTrip) {
  for (KernelPlan p :
       {plan(matmul(32, 1536, 384), "avx512", 2),
        plan(matmul(8, 3072, 768), "avx512"),
        plan(matmul(32, 1536, 384), "avx2", 1, -1, 128, true),
        plan(matmul(32, 1536, 384, b.getBF16Type(), b.getF32Type()),
             "avx512bf16")}) {
    DictionaryAttr attr = planToAttr(&ctx, p, 3);
    EXPECT_EQ(attr.getAs<IntegerAttr>("kernel").getInt(), 3);
    FailureOr<KernelPlan> back = planFromAttr(attr);
    ASSERT_TRUE(succeeded(back));
    EXPECT_EQ(back->forallDim, p.forallDim);
    EXPECT_EQ(back->parallelTiles, p.parallelTiles);
    EXPECT_EQ(back->parallelOrder, p.parallelOrder);
    EXPECT_EQ(back->reductionTiles, p.reductionTiles);
    EXPECT_TRUE(back->vectorize);
    EXPECT_EQ(back->streamBlock, p.streamBlock);
    EXPECT_EQ(back->streamPanel, p.streamPanel);
    EXPECT_EQ(back->packB, p.packB);
    EXPECT_EQ(back->laneDim, p.laneDim);
    EXPECT_EQ(back->kDim, p.kDim);
    EXPECT_EQ(back->bf16Dot, p.bf16Dot);
    EXPECT_EQ(back->rowInput, p.rowInput);
    EXPECT_EQ(back->rowDims, p.rowDims);
  }
  // What the plan stage did not write is refused.
  Builder builder(&ctx);
  EXPECT_TRUE(failed(planFromAttr(DictionaryAttr())));
  EXPECT_TRUE(failed(planFromAttr(builder.getDictionaryAttr({}))));
  DictionaryAttr good =
      planToAttr(&ctx, plan(matmul(32, 1536, 384), "avx2"), 0);
  SmallVector<NamedAttribute> extra(good.getValue());
  extra.push_back(builder.getNamedAttr("tiles", builder.getUnitAttr()));
  EXPECT_TRUE(failed(planFromAttr(builder.getDictionaryAttr(extra))));
  SmallVector<NamedAttribute> outOfRange;
  for (NamedAttribute a : good)
    outOfRange.push_back(
        a.getName().strref() == "parallel_order"
            ? builder.getNamedAttr("parallel_order",
                                   builder.getDenseI64ArrayAttr({1, 3}))
            : a);
  EXPECT_TRUE(failed(planFromAttr(builder.getDictionaryAttr(outOfRange))));
}

} // namespace
