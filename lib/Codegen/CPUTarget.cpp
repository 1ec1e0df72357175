//===- CPUTarget.cpp - Host detection and named CPU targets ---------------===//

#include "softmoe/Codegen/CPUTarget.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#if defined(__linux__)
#include <unistd.h>
#endif

using namespace mlir::softmoe;

static CPUTarget makeAVX512() {
  CPUTarget t;
  t.name = "avx512";
  t.vectorBits = 512;
  t.numVectorRegisters = 32;
  t.hasFMA = true;
  t.llvmCPU = "x86-64-v4";
  t.llvmFeatures = "+avx512f,+avx512vl,+avx512bw,+avx512dq,+avx2,+fma,+f16c";
  return t;
}

static CPUTarget makeAVX2() {
  CPUTarget t;
  t.name = "avx2";
  t.vectorBits = 256;
  t.numVectorRegisters = 16;
  t.hasFMA = true;
  t.llvmCPU = "x86-64-v3";
  t.llvmFeatures = "+avx2,+fma,+f16c";
  return t;
}

static CPUTarget makeSSE() {
  CPUTarget t;
  t.name = "sse";
  t.vectorBits = 128;
  t.numVectorRegisters = 16;
  t.llvmCPU = "x86-64";
  return t;
}

std::optional<CPUTarget> CPUTarget::get(llvm::StringRef name) {
  if (name == "host")
    return host();
  if (name == "avx512")
    return makeAVX512();
  if (name == "avx512bf16") {
    CPUTarget t = makeAVX512();
    t.name = "avx512bf16";
    t.llvmFeatures += ",+avx512bf16";
    t.hasAVX512BF16 = true;
    return t;
  }
  if (name == "avx2")
    return makeAVX2();
  if (name == "sse")
    return makeSSE();
  if (name == "generic")
    return CPUTarget();
  return std::nullopt;
}

llvm::SmallVector<std::string> CPUTarget::missingOnHost() const {
  llvm::SmallVector<std::string> missing;
  llvm::Triple triple(llvm::sys::getProcessTriple());
  if (name == "generic")
    return missing;
  if (!triple.isX86()) {
    missing.push_back("x86");
    return missing;
  }
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  llvm::SmallVector<llvm::StringRef> wanted;
  llvm::StringRef(llvmFeatures).split(wanted, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef f : wanted)
    if (f.consume_front("+") && !features.lookup(f))
      missing.push_back(f.str());
  return missing;
}

llvm::StringRef CPUTarget::knownNames() {
  return "host, avx512, avx512bf16, avx2, sse or generic";
}

void CPUTarget::withCore(llvm::StringRef cpuName) {
  struct Core {
    int64_t fmasPerCycle256, fmasPerCycle512, latency;
  };
  // Per core: full-width FMAs per cycle for 256- and 512-bit vectors, and
  // the FMA latency (vendors' optimisation manuals, uops.info).
  std::optional<Core> core =
      llvm::StringSwitch<std::optional<Core>>(cpuName)
          .Case("znver1", Core{1, 1, 5}) // 2x128-bit FMA pipes
          .Case("znver2", Core{2, 1, 5})
          .Case("znver3", Core{2, 1, 4})
          .Case("znver4", Core{2, 1, 4}) // 512-bit ops double-pumped
          .Case("znver5", Core{2, 2, 4})
          .Cases({"haswell", "broadwell"}, Core{2, 2, 5})
          .Cases({"skylake", "alderlake", "raptorlake", "meteorlake"},
                 Core{2, 2, 4})
          .Cases({"skylake-avx512", "cascadelake", "cooperlake", "icelake-server",
                  "sapphirerapids", "emeraldrapids", "graniterapids"},
                 Core{2, 2, 4})
          .Default(std::nullopt);
  if (!core)
    return;
  fmasPerCycle = vectorBits >= 512 ? core->fmasPerCycle512
                 : vectorBits >= 256 ? core->fmasPerCycle256
                                     : 2;
  fmaLatency = core->latency;
}

/// The host's per-core L1 data and L2 sizes, where the C library can tell
/// them (0 otherwise).
static std::pair<int64_t, int64_t> hostCacheSizes() {
#if defined(__linux__) && defined(_SC_LEVEL1_DCACHE_SIZE)
  return {sysconf(_SC_LEVEL1_DCACHE_SIZE), sysconf(_SC_LEVEL2_CACHE_SIZE)};
#else
  return {0, 0};
#endif
}

CPUTarget CPUTarget::host() {
  llvm::Triple triple(llvm::sys::getProcessTriple());
  if (!triple.isX86())
    return CPUTarget();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  auto has = [&](llvm::StringRef f) { return features.lookup(f); };
  CPUTarget t;
  if (has("avx512f") && has("avx512vl") && has("fma"))
    t = makeAVX512();
  else if (has("avx2") && has("fma"))
    t = makeAVX2();
  else
    t = makeSSE();
  t.hasAVX512BF16 = t.vectorBits == 512 && has("avx512bf16");
  // JIT code may use everything the host has.
  t.llvmCPU = llvm::sys::getHostCPUName().str();
  t.withCore(t.llvmCPU);
  auto [l1, l2] = hostCacheSizes();
  if (l1 > 0)
    t.l1Bytes = l1;
  if (l2 > 0)
    t.l2Bytes = l2;
  std::string all;
  for (const auto &f : features)
    if (f.getValue())
      all += (all.empty() ? "+" : ",+") + f.getKey().str();
  t.llvmFeatures = all;
  return t;
}
