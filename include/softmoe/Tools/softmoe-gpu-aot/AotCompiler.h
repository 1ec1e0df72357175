//===- AotCompiler.h - Self-contained CUDA executables ----------*- C++ -*-===//
//
// Builds the executables of `softmoe-bench --target cuda --aot-out FILE`: the
// layer compiled by softmoe-gpu-pipeline (kernels as one fat binary per
// module: cubins for each requested chip plus PTX, or PTX alone when the CUDA
// tools are missing), its host code as a native object, and the AOT driver
// and CUDA runtime library, linked by the system C++ compiler. The result
// needs no LLVM or MLIR at run time; libcuda.so.1 is opened when it runs.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_TOOLS_SOFTMOEGPUAOT_AOTCOMPILER_H
#define SOFTMOE_TOOLS_SOFTMOEGPUAOT_AOTCOMPILER_H

#include "softmoe/Dialect/SoftMoE/IR/LayerConfig.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>
#include <vector>

namespace mlir::softmoe {

struct CudaAotOptions {
  /// Chips to assemble cubins for; PTX is always embedded too. sm_90a is
  /// a second compilation with the wgmma/TMA GEMMs, which the executable
  /// runs on compute capability 9.0 devices (the others on the rest).
  std::vector<std::string> chips = {"sm_80", "sm_90", "sm_90a"};
  /// CUDA toolkit root for ptxas/fatbinary ("": $CUDA_HOME, then PATH).
  std::string toolkit;
  /// The C++ compiler that links (default: $SOFTMOE_AOT_CXX, then c++, g++,
  /// clang++ on PATH, then the compiler that built the project).
  std::string linker;
  /// Folder with libsoftmoe_aot_main.a and libsoftmoe_cuda_runtime.a
  /// (default: $SOFTMOE_RUNTIME_DIR, then the build's lib folder).
  std::string runtimeDir;
};

struct CudaAotResult {
  double compileMs = 0; // pipeline and host code generation
  std::string kernels;  // what got embedded, e.g. "cubin sm_80 sm_90 + ptx"
};

/// Compiles the layer `module` (buildLayerModule of `config`, or the same
/// function at the linalg level) for `config` (checkLayerConfig; static
/// shapes) and links the executable `outPath`. On failure returns a one-line
/// reason and leaves no file at `outPath`.
LogicalResult buildCudaAotExecutable(ModuleOp module,
                                     const LayerConfig &config,
                                     const CudaAotOptions &options,
                                     const std::string &outPath,
                                     CudaAotResult &result,
                                     std::string &error);

/// The same for any function `entry` of `module` whose arguments and results
/// are statically shaped tensors of f32, bf16, f16 or i1: the executable
/// reads inputs argN.npy and writes results outN.npy (test harnesses).
LogicalResult buildCudaAotExecutableForFunction(
    ModuleOp module, StringRef entry, const CudaAotOptions &options,
    const std::string &outPath, CudaAotResult &result, std::string &error);

} // namespace mlir::softmoe

#endif // SOFTMOE_TOOLS_SOFTMOEGPUAOT_AOTCOMPILER_H
