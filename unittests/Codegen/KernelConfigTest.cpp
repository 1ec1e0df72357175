//===- KernelConfigTest.cpp - Tile choices per shape and CPU target -------===//
//
// The register tiles, lane tiles and stream blocks that KernelConfig picks,
// for the contract's shapes and for every named target, without compiling:
// the choices the lit tests see in IR, and the invariants every choice must
// keep (the tile fits the register file, whole registers across).
//
//===----------------------------------------------------------------------===//

#include "softmoe/Codegen/KernelConfig.h"

#include "gtest/gtest.h"

using namespace mlir::softmoe;

namespace {

CPUTarget named(llvm::StringRef name) {
  std::optional<CPUTarget> t = CPUTarget::get(name);
  EXPECT_TRUE(t.has_value()) << name.str();
  return t.value_or(CPUTarget());
}

int64_t registersOf(const CPUTarget &t, RegisterTile tile) {
  int64_t nv = tile.nr / t.f32Lanes();
  // Accumulators, one row of B, one broadcast.
  return tile.mr * nv + nv + 1;
}

TEST(RegisterTile, ExpertGemmOfS32) {
  // One expert of S-32: 32 slot rows, 1536 hidden columns.
  RegisterTile avx512 = chooseRegisterTile(named("avx512"), 32, 1536);
  EXPECT_EQ(avx512.mr, 8);
  EXPECT_EQ(avx512.nr, 48);
  RegisterTile avx2 = chooseRegisterTile(named("avx2"), 32, 1536);
  EXPECT_EQ(avx2.mr, 4);
  EXPECT_EQ(avx2.nr, 24);
}

TEST(RegisterTile, FitsTheRegisterFileOfEveryTarget) {
  for (llvm::StringRef name : {"avx512", "avx512bf16", "avx2", "sse"}) {
    CPUTarget t = named(name);
    for (int64_t rows : {1, 2, 3, 7, 8, 13, 32, 196, 1568})
      for (int64_t cols : {1, 5, 8, 16, 24, 100, 384, 1536, 3072}) {
        RegisterTile tile = chooseRegisterTile(t, rows, cols);
        SCOPED_TRACE(name.str() + " " + std::to_string(rows) + "x" +
                     std::to_string(cols));
        EXPECT_GE(tile.mr, 1);
        EXPECT_LE(tile.mr, rows);
        EXPECT_EQ(tile.nr % t.f32Lanes(), 0);
        EXPECT_LE(registersOf(t, tile), t.numVectorRegisters);
      }
  }
}

TEST(RegisterTile, HidesTheFmaLatencyOfTheCore) {
  // The first Zen generation starts one 256-bit FMA per cycle (two 128-bit
  // halves) with a latency of 5: a tile needs at least 5 accumulators, and
  // more buy nothing, so the cost model must still fill the FMA pipe.
  CPUTarget zen1 = named("avx2");
  zen1.withCore("znver1");
  ASSERT_EQ(zen1.fmasPerCycle, 1);
  ASSERT_EQ(zen1.fmaLatency, 5);
  for (int64_t cols : {384, 1536, 3072}) {
    RegisterTile tile = chooseRegisterTile(zen1, 32, cols);
    EXPECT_GE(tile.mr * (tile.nr / zen1.f32Lanes()), 5) << cols;
    EXPECT_LE(registersOf(zen1, tile), 16);
  }
  // Two full-width pipes at latency 4 need 8.
  RegisterTile tile = chooseRegisterTile(named("avx2"), 32, 1536);
  EXPECT_GE(tile.mr * (tile.nr / 8), 8);
}

TEST(RegisterTile, StreamedWeights) {
  // B-128's expert GEMMs: 8 rows against 3072 columns, B streamed.
  RegisterTile dot = chooseStreamRegisterTile(named("avx512bf16"), 8, 3072,
                                              /*bf16Dot=*/true);
  EXPECT_EQ(dot.mr, 4);
  EXPECT_EQ(dot.nr, 64);
  RegisterTile avx2 =
      chooseStreamRegisterTile(named("avx2"), 8, 3072, /*bf16Dot=*/false);
  EXPECT_EQ(avx2.mr, 4);
  EXPECT_EQ(avx2.nr, 24);
  EXPECT_LE(registersOf(named("avx2"), avx2), 16);
  // Fewer rows than the tile: the rows there are.
  EXPECT_EQ(chooseStreamRegisterTile(named("avx2"), 2, 3072, false).mr, 2);
}

TEST(RegisterTile, PerTargetForTheContractShapes) {
  // rows x cols -> the tile on AVX-512 (32 zmm), AVX2 (16 ymm), SSE (16 xmm):
  // the widest tile the register file holds, rows that divide the extent.
  struct Case {
    int64_t rows, cols;
    RegisterTile avx512, avx2, sse;
  };
  for (const Case &c : std::initializer_list<Case>{
           {32, 1536, {8, 48}, {4, 24}, {4, 12}},  // S-32's first expert GEMM
           {32, 384, {8, 48}, {4, 24}, {4, 12}},   // S-32's second
           {196, 384, {14, 32}, {4, 24}, {4, 12}}, // tokens x width
           {2, 1536, {2, 96}, {2, 32}, {2, 16}},   // two rows: wide instead
           {8, 3072, {8, 48}, {4, 24}, {4, 12}}}) { // B-128's, not streamed
    SCOPED_TRACE(std::to_string(c.rows) + "x" + std::to_string(c.cols));
    for (auto [name, want] :
         {std::pair<llvm::StringRef, RegisterTile>{"avx512", c.avx512},
          {"avx512bf16", c.avx512},
          {"avx2", c.avx2},
          {"sse", c.sse}}) {
      RegisterTile tile = chooseRegisterTile(named(name), c.rows, c.cols);
      EXPECT_EQ(tile.mr, want.mr) << name.str();
      EXPECT_EQ(tile.nr, want.nr) << name.str();
    }
  }
}

TEST(RegisterTile, StreamedWeightsPerTarget) {
  // With vdpbf16ps-style pairs on 16 registers, the interleave and the
  // broadcast pairs take registers from the panel.
  RegisterTile avx2Dot = chooseStreamRegisterTile(named("avx2"), 8, 3072, true);
  EXPECT_EQ(avx2Dot.mr, 4);
  EXPECT_EQ(avx2Dot.nr, 16);
  RegisterTile sse = chooseStreamRegisterTile(named("sse"), 8, 3072, false);
  EXPECT_EQ(sse.mr, 4);
  EXPECT_EQ(sse.nr, 12);
  // On 32 registers both fit four registers across.
  EXPECT_EQ(chooseStreamRegisterTile(named("avx512"), 8, 3072, false).nr, 64);
}

TEST(LaneTile, DivisorsOfTheExtent) {
  CPUTarget avx2 = named("avx2"), avx512 = named("avx512");
  EXPECT_EQ(chooseLaneTile(avx2, 384), 32);   // four registers divide it
  EXPECT_EQ(chooseLaneTile(avx2, 5), 5);      // one partial register
  EXPECT_EQ(chooseLaneTile(avx2, 100), 8);    // no multiple divides: one
  EXPECT_EQ(chooseLaneTile(avx512, 96), 32);  // two registers divide it
  EXPECT_EQ(chooseLaneTile(avx512, 196), 16); // none: one register
}

TEST(StreamBlock, OnlyMemoryBoundWeightsStream) {
  CPUTarget t = named("avx512");
  const int64_t d = 768, h = 3072;
  // B-128, f32: 9.4 MB of w1 per expert feed 8 rows: 4 FLOPs per byte.
  EXPECT_EQ(chooseStreamBlock(t, d, 8, d * h * 4, 4), 16);
  // bf16: 8 FLOPs per byte, still memory-bound.
  EXPECT_EQ(chooseStreamBlock(t, d, 8, d * h * 2, 2), 16);
  // S-32, f32: 32 rows make 16 FLOPs per byte: the FMAs set the pace.
  EXPECT_EQ(chooseStreamBlock(t, 384, 32, 384 * 1536 * 4, 4), 0);
  // Weights that fit the L2 are reused from there.
  EXPECT_EQ(chooseStreamBlock(t, 256, 8, 256 * 512 * 4, 4), 0);
  CPUTarget bigL2 = t;
  bigL2.l2Bytes = 16 << 20;
  EXPECT_EQ(chooseStreamBlock(bigL2, d, 8, d * h * 4, 4), 0);
  // A reduction no longer than one block is not split.
  EXPECT_EQ(chooseStreamBlock(t, 16, 8, 16 * (1 << 20), 4), 0);
}

TEST(StreamBlock, TheCacheSetsTheThreshold) {
  // Every named target assumes a 1 MiB L2: B-128's weights stream on all of
  // them, and one batch of B streams from exactly the L2's size up.
  for (llvm::StringRef name : {"avx512", "avx512bf16", "avx2", "sse"}) {
    CPUTarget t = named(name);
    SCOPED_TRACE(name.str());
    EXPECT_EQ(chooseStreamBlock(t, 768, 8, 768 * 3072 * 4, 4), 16);
    EXPECT_EQ(chooseStreamBlock(t, 768, 8, t.l2Bytes, 4), 16);
    EXPECT_EQ(chooseStreamBlock(t, 768, 8, t.l2Bytes - 1, 4), 0);
  }
  // A host with a larger L2 keeps more weights there.
  CPUTarget bigL2 = named("avx2");
  bigL2.l2Bytes = 4 << 20;
  EXPECT_EQ(chooseStreamBlock(bigL2, 768, 8, 3 << 20, 4), 0);
}

} // namespace

TEST(PackPanel, StridedReusedPanelsThatFitL2) {
  CPUTarget avx2 = named("avx2");
  // S-32's first expert GEMM at 4x24: a 384 x 24 panel of 1536-wide rows,
  // reused by 8 row strips.
  EXPECT_TRUE(choosePackPanel(avx2, 384, 24, 1536, 8, 4));
  // Its second (1536 x 24 of 384-wide rows): 144 KiB, still within L2 / 4.
  EXPECT_TRUE(choosePackPanel(avx2, 1536, 24, 384, 8, 4));
  // One strip reads the panel once: nothing to reuse.
  EXPECT_FALSE(choosePackPanel(avx2, 384, 24, 1536, 1, 4));
  // Rows two panels apart: nearly contiguous already.
  EXPECT_FALSE(choosePackPanel(avx2, 384, 24, 48, 8, 4));
  // A panel beyond a quarter of L2 would push the rest out.
  avx2.l2Bytes = 512 * 1024;
  EXPECT_FALSE(choosePackPanel(avx2, 8192, 24, 1536, 8, 4));
  EXPECT_FALSE(choosePackPanel(avx2, 0, 24, 1536, 8, 4));
}

TEST(PackPanel, PerTargetAtItsOwnTile) {
  // S-32's first expert GEMM, each target at the register tile it chooses
  // (8x48, 4x24, 4x12): the panel is reused by 4 or 8 strips and fits.
  for (llvm::StringRef name : {"avx512", "avx2", "sse"}) {
    CPUTarget t = named(name);
    RegisterTile tile = chooseRegisterTile(t, 32, 1536);
    EXPECT_TRUE(choosePackPanel(t, 384, tile.nr, 1536, 32 / tile.mr, 4))
        << name.str();
    // Its second GEMM's rows are only 384 wide: at AVX-512's 48-column
    // panels that is 8 panels apart, still packed; bf16 halves the bytes.
    EXPECT_TRUE(choosePackPanel(t, 1536, tile.nr, 384, 32 / tile.mr, 2))
        << name.str();
  }
  // Fewer than four panels to a row: nearly contiguous already.
  EXPECT_FALSE(choosePackPanel(named("avx512"), 384, 48, 144, 4, 4));
  EXPECT_TRUE(choosePackPanel(named("avx512"), 384, 48, 192, 4, 4));
}
