//===- CPUTarget.h - What the CPU code generator assumes of its target -*- C++ -*-===//
//
// The few facts about an x86 (or other) CPU that decide register tiles: the
// widest vector the backend should use and how many of them fit in the
// register file. Built from a name (`avx512`, `avx2`, `sse`, `generic`) for
// ahead-of-time compilation or from the host's features for JIT compilation.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_CODEGEN_CPUTARGET_H
#define SOFTMOE_CODEGEN_CPUTARGET_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace mlir::softmoe {

struct CPUTarget {
  /// Short name: avx512, avx512bf16, avx2, sse or generic.
  std::string name = "generic";
  /// Width in bits of the vectors kernels are built from.
  int64_t vectorBits = 128;
  /// Architectural vector registers (16 ymm with AVX2, 32 zmm with AVX-512).
  int64_t numVectorRegisters = 16;
  /// Fused multiply-add in hardware: FMAs instead of mul + add.
  bool hasFMA = false;
  /// AVX512-BF16's vdpbf16ps: bf16 x bf16 contractions take two reduction
  /// steps per instruction.
  bool hasAVX512BF16 = false;
  /// Vector FMAs of the full width started per cycle: 2 on most cores, 1
  /// where the FMA units are half as wide as the vectors (the first Zen
  /// generation with 256-bit AVX2, Zen 4 with 512-bit AVX-512).
  int64_t fmasPerCycle = 2;
  /// Cycles until an FMA's result feeds the next FMA of its chain: the
  /// register tile needs fmasPerCycle * fmaLatency independent accumulators.
  int64_t fmaLatency = 4;
  /// Vector loads started per cycle.
  int64_t loadsPerCycle = 2;
  /// Per-core data cache sizes in bytes: the host's where it tells them,
  /// typical ones for named targets.
  int64_t l1Bytes = 32 * 1024;
  int64_t l2Bytes = 1024 * 1024;
  /// LLVM target features (`+avx2,+fma,...`) and CPU name that make the
  /// backend emit what the tiles assume; empty for `generic`.
  std::string llvmFeatures;
  std::string llvmCPU;

  /// f32 lanes of one vector register.
  int64_t f32Lanes() const { return vectorBits / 32; }

  /// The features this target's kernels use that the host CPU lacks
  /// (`avx512bf16`, ...): JIT-compiled, such kernels could not run here.
  llvm::SmallVector<std::string> missingOnHost() const;

  /// The host CPU as LLVM sees it (for JIT compilation): its ISA and
  /// features, its core's FMA width and latency where LLVM names the core
  /// (withCore), and its cache sizes.
  static CPUTarget host();
  /// Sets the FMA throughput and latency of the core LLVM calls `cpuName`
  /// (`znver1`, `skylake-avx512`, ...) for vectors of this target's width;
  /// unknown names keep the defaults.
  void withCore(llvm::StringRef cpuName);
  /// `host`, `avx512`, `avx512bf16`, `avx2`, `sse` or `generic`;
  /// std::nullopt otherwise.
  static std::optional<CPUTarget> get(llvm::StringRef name);
  /// The names get() knows, for messages: "host, avx512, ... or generic".
  static llvm::StringRef knownNames();
};

} // namespace mlir::softmoe

#endif // SOFTMOE_CODEGEN_CPUTARGET_H
