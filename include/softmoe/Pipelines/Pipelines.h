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
  // CPU code generation (lib/Pipelines/CPUCodegenPasses.cpp).
  PassOptions::Option<std::string> cpu{
      *this, "cpu",
      llvm::cl::desc("ISA the kernels are tiled for: host (detected when the "
                     "pipeline runs, right for JIT), avx512, avx512bf16, avx2, "
                     "sse or generic (give one for ahead-of-time compilation)"),
      llvm::cl::init("host")};
  PassOptions::Option<std::string> registerTile{
      *this, "register-tile",
      llvm::cl::desc("Override every contraction's register tile, MRxNR "
                     "(e.g. 8x48); default: chosen per shape and cpu"),
      llvm::cl::init("")};
  PassOptions::Option<int64_t> streamBlock{
      *this, "stream-block",
      llvm::cl::desc("Rows of the weights per reduction block of contractions "
                     "that stream them from memory: -1 chosen per shape, 0 "
                     "never, N > 0 every contraction with a longer reduction"),
      llvm::cl::init(-1)};
  PassOptions::Option<bool> packPanels{
      *this, "pack-panels",
      llvm::cl::desc("Copy each reused column panel of a contraction's "
                     "weights into a contiguous buffer first"),
      llvm::cl::init(false)};
  // Expert parallelism (lib/Dialect/SoftMoE/Transforms/ShardExperts.cpp).
  PassOptions::Option<int64_t> shardExperts{
      *this, "shard-experts",
      llvm::cl::desc("Split the experts over this many MPI processes (a 1-D "
                     "shard.grid): each gets N/R experts' weights and the "
                     "compiled code calls MPI_Allreduce (MPICH ABI); 0 = "
                     "one process, no MPI"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> expectedSize{
      *this, "expected-size",
      llvm::cl::desc("Extent that dynamic (?) dimensions are planned for: "
                     "their tiles are peeled, so any extent runs the fast "
                     "kernels"),
      llvm::cl::init(128)};
  PassOptions::Option<bool> vectorize{
      *this, "vectorize",
      llvm::cl::desc("Tiled, fused, vectorized kernels (softmoe-cpu-codegen); "
                     "false lowers linalg to plain loops"),
      llvm::cl::init(true)};
};

/// The front half that the CPU and GPU pipelines share: softmoe ops (and
/// linalg) on tensors to linalg on memrefs, with identity layouts at function
/// boundaries. softmoe-decompose, convert-softmoe-to-linalg, canonicalize,
/// one-shot-bufferize; with `shardExperts` = R > 0, the experts are split over
/// R MPI processes on the way (softmoe-shard-experts, then the shard dialect
/// lowered to MPI). Defined in lib/Pipelines/FrontHalf.cpp.
void addSoftMoEToBufferizedLinalgPasses(OpPassManager &pm,
                                        int shardExperts = 0);

/// softmoe (on tensors) -> linalg -> bufferized loops -> LLVM dialect, for the
/// host CPU. Functions returning tensors return memrefs whose ownership passes
/// to the caller (free the descriptor's allocated pointer).
void buildSoftMoECPUPipeline(OpPassManager &pm,
                             const CPUPipelineOptions &options);

/// The CPU code generation seam: bufferized linalg (on memrefs) in, loops (scf,
/// or vector ops) out. Defined in lib/Pipelines/CPUCodegenPasses.cpp.
void addCPUCodegenPasses(OpPassManager &pm, const CPUPipelineOptions &options);

/// Registers softmoe-cpu-pipeline with the global pass registry.
void registerSoftMoECPUPipeline();

} // namespace softmoe
} // namespace mlir

#endif // SOFTMOE_PIPELINES_PIPELINES_H
