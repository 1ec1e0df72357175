//===- CPUTargetTest.cpp - Named CPU targets and the host -----------------===//

#include "softmoe/Codegen/CPUTarget.h"

#include "gtest/gtest.h"

using namespace mlir::softmoe;

namespace {

TEST(CPUTarget, NamedTargets) {
  for (llvm::StringRef name :
       {"host", "avx512", "avx512bf16", "avx2", "sse", "generic"})
    EXPECT_TRUE(CPUTarget::get(name).has_value()) << name.str();
  EXPECT_FALSE(CPUTarget::get("avx1024").has_value());
  CPUTarget avx2 = *CPUTarget::get("avx2");
  EXPECT_EQ(avx2.vectorBits, 256);
  EXPECT_EQ(avx2.numVectorRegisters, 16);
  EXPECT_EQ(avx2.f32Lanes(), 8);
  EXPECT_FALSE(avx2.hasAVX512BF16);
  CPUTarget avx512 = *CPUTarget::get("avx512");
  EXPECT_EQ(avx512.numVectorRegisters, 32);
  EXPECT_EQ(avx512.f32Lanes(), 16);
  EXPECT_TRUE(CPUTarget::get("avx512bf16")->hasAVX512BF16);
  EXPECT_TRUE(CPUTarget::get("generic")->missingOnHost().empty());
}

TEST(CPUTarget, CoresSetFmaWidthForTheVectorWidth) {
  CPUTarget avx2 = *CPUTarget::get("avx2");
  CPUTarget avx512 = *CPUTarget::get("avx512");
  CPUTarget t = avx2;
  t.withCore("znver1");
  EXPECT_EQ(t.fmasPerCycle, 1);
  EXPECT_EQ(t.fmaLatency, 5);
  t = avx2;
  t.withCore("znver4");
  EXPECT_EQ(t.fmasPerCycle, 2);
  t = avx512;
  t.withCore("znver4");
  EXPECT_EQ(t.fmasPerCycle, 1);
  t = avx512;
  t.withCore("znver5");
  EXPECT_EQ(t.fmasPerCycle, 2);
  t = avx2;
  t.withCore("haswell");
  EXPECT_EQ(t.fmaLatency, 5);
  // An unknown core keeps the defaults.
  t = avx2;
  t.withCore("some-future-core");
  EXPECT_EQ(t.fmasPerCycle, avx2.fmasPerCycle);
  EXPECT_EQ(t.fmaLatency, avx2.fmaLatency);
}

TEST(CPUTarget, HostHasCachesAndItsOwnFeatures) {
  CPUTarget host = CPUTarget::host();
  EXPECT_GT(host.l1Bytes, 0);
  EXPECT_GT(host.l2Bytes, host.l1Bytes);
  EXPECT_GE(host.fmasPerCycle, 1);
  EXPECT_TRUE(host.missingOnHost().empty());
}

} // namespace
