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
  /// LLVM target features (`+avx2,+fma,...`) and CPU name that make the
  /// backend emit what the tiles assume; empty for `generic`.
  std::string llvmFeatures;
  std::string llvmCPU;

  /// f32 lanes of one vector register.
  int64_t f32Lanes() const { return vectorBits / 32; }

  /// The features this target's kernels use that the host CPU lacks
  /// (`avx512bf16`, ...): JIT-compiled, such kernels could not run here.
  llvm::SmallVector<std::string> missingOnHost() const;

  /// The host CPU as LLVM sees it (for JIT compilation).
  static CPUTarget host();
  /// `host`, `avx512`, `avx512bf16`, `avx2`, `sse` or `generic`;
  /// std::nullopt otherwise.
  static std::optional<CPUTarget> get(llvm::StringRef name);
  /// The names get() knows, for messages: "host, avx512, ... or generic".
  static llvm::StringRef knownNames();
};

} // namespace mlir::softmoe

#endif // SOFTMOE_CODEGEN_CPUTARGET_H
