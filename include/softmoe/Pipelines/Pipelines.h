//===- Pipelines.h - softmoe compilation pipelines --------------*- C++ -*-===//
//
// The pipelines that take softmoe ops to the LLVM dialect. Runners call the
// builders directly; softmoe-opt exposes them as --softmoe-cpu-pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_PIPELINES_PIPELINES_H
#define SOFTMOE_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
namespace softmoe {

struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<int> threads{
      *this, "threads",
      llvm::cl::desc("Number of threads the generated code may use"),
      llvm::cl::init(1)};
  PassOptions::Option<bool> emitCInterface{
      *this, "emit-c-interface",
      llvm::cl::desc("Add llvm.emit_c_interface to public functions, so that "
                     "_mlir_ciface_<name> wrappers taking memref descriptors "
                     "are emitted for C drivers and JIT runners"),
      llvm::cl::init(true)};
};

/// softmoe (on tensors) -> linalg -> bufferized loops -> LLVM dialect, for the
/// host CPU. Functions returning tensors return memrefs whose ownership passes
/// to the caller (free the descriptor's allocated pointer).
void buildSoftMoECPUPipeline(OpPassManager &pm,
                             const CPUPipelineOptions &options);

/// The CPU code generation seam: bufferized linalg (on memrefs) in, loops (scf,
/// or vector ops) out. Defined in lib/Pipelines/CPUCodegen.cpp.
void addCPUCodegenPasses(OpPassManager &pm, const CPUPipelineOptions &options);

/// Registers softmoe-cpu-pipeline with the global pass registry.
void registerSoftMoECPUPipeline();

} // namespace softmoe
} // namespace mlir

#endif // SOFTMOE_PIPELINES_PIPELINES_H
